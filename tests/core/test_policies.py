"""prefer_recent, prefer_local and prefer_remote each keep the text they promise, and laptops converge."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.servers import HubEndpoint
from tests.support.laptops import assert_synced, paired


def _conflicting_edit(make_laptop, hub: HubEndpoint, policy: str):
    a, b = paired(make_laptop, hub, {"AGENTS.md": "base\n"})
    for laptop in (a, b):
        laptop.run("settings", "conflict_policy", policy)
    now = time.time()
    (a.folder() / "AGENTS.md").write_text("A wrote this\n")
    os.utime(a.folder() / "AGENTS.md", (now - 60, now - 60))
    (b.folder() / "AGENTS.md").write_text("B wrote this later\n")
    os.utime(b.folder() / "AGENTS.md", (now, now))
    a.sync()
    b.sync()
    a.sync()
    return a, b


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("prefer_recent", "B wrote this later\n"),
        ("prefer_local", "B wrote this later\n"),
        ("prefer_remote", "A wrote this\n"),
    ],
)
def test_policy_decides_the_kept_text(make_laptop, folder_hub: HubEndpoint, policy: str, expected: str):
    a, b = _conflicting_edit(make_laptop, folder_hub, policy)
    assert (b.folder() / "AGENTS.md").read_text() == expected
    assert_synced([a, b], folder_hub)
    assert not (b.folder() / ".memtray-conflicts").exists()


def test_keep_both_is_the_default_and_keeps_the_other_text(make_laptop, folder_hub: HubEndpoint):
    a, b = _conflicting_edit(make_laptop, folder_hub, "keep_both")
    assert (a.folder() / "AGENTS.md").read_text() == "B wrote this later\n"
    copies = list((b.folder() / ".memtray-conflicts").glob("AGENTS.sync-conflict-*-Laptop-A.md"))
    assert [copy.read_text() for copy in copies] == ["A wrote this\n"]
    assert_synced([a, b], folder_hub)
    conflicts = b.status()["open_conflicts"]
    assert conflicts == 1


def test_a_policy_memtray_does_not_know_stops_the_sync_with_a_plain_sentence(make_laptop, folder_hub: HubEndpoint):
    laptop = make_laptop("Laptop-A", folder_hub)
    laptop.init()
    config_file = laptop.home / "config" / "config.json"
    config = json.loads(config_file.read_text())
    config["settings"]["conflict_policy"] = "newest"
    config_file.write_text(json.dumps(config))
    refused = laptop.run("sync", check=False)
    assert refused.returncode != 0
    assert "'newest' is not a conflict policy memtray knows" in refused.stderr
    assert "keep_both, prefer_recent, prefer_local, prefer_remote" in refused.stderr
    assert "Traceback" not in refused.stderr
