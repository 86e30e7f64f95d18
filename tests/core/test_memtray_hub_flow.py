"""The memtray hub from the laptop's side: invites, setup codes, revoking a laptop, and --watch on the change feed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import HubEndpoint
from tests.servers.http_hub import http_hub_endpoint
from tests.support.laptops import REPO, paired


@pytest.fixture
def memtray_hub(tmp_path: Path) -> Iterator[HubEndpoint]:
    with http_hub_endpoint(tmp_path / "server") as endpoint:
        yield endpoint


def test_init_needs_an_invite_and_setup_codes_work_once(make_laptop, memtray_hub: HubEndpoint):
    a = make_laptop("Laptop-A", memtray_hub)
    refused = a.run("init", memtray_hub.url, check=False)
    assert refused.returncode == 2 and "invite code" in refused.stderr
    a.init()
    code = a.run("setup-code").stdout.strip().splitlines()[-1]
    assert a.passphrase not in code
    b, c = make_laptop("Laptop-B", memtray_hub), make_laptop("Laptop-C", memtray_hub)
    b.run("join", code)
    second = c.run("join", code, check=False)
    assert second.returncode == 4 and second.stderr.startswith("memtray: ")
    assert c.status()["set_up"] is False


def test_a_mistyped_passphrase_keeps_the_setup_code_usable(make_laptop, memtray_hub: HubEndpoint):
    a = make_laptop("Laptop-A", memtray_hub)
    a.init()
    code = a.run("setup-code").stdout.strip().splitlines()[-1]
    b = make_laptop("Laptop-B", memtray_hub)
    typo = b.run("join", code, check=False, extra_env={"MEMTRAY_PASSPHRASE": "a typo"})
    assert typo.returncode == 3
    assert b.status()["set_up"] is False
    b.run("join", code)
    assert b.status()["set_up"] is True


def test_a_revoked_laptop_is_refused_at_once(make_laptop, memtray_hub: HubEndpoint):
    a, b = paired(make_laptop, memtray_hub, {"CLAUDE.md": "shared\n"})
    assert "Another laptop (its name arrives with the next sync)" in a.run("devices").stdout
    a.sync()
    listed = a.run("devices").stdout
    assert "Laptop-B" in listed and "Laptop-A (this laptop)" in listed
    a.run("devices", "revoke", "Laptop-B", extra_env={"MEMTRAY_NEW_PASSPHRASE": "a new passphrase after B left"})
    done = b.run("sync", check=False)
    assert done.returncode == 4
    assert "removed" in done.stderr.lower()
    assert (b.folder() / "CLAUDE.md").read_text() == "shared\n"
    assert "(removed)" in a.run("devices").stdout


def test_plain_http_to_another_host_is_refused(make_laptop, memtray_hub: HubEndpoint):
    a = make_laptop("Laptop-A", memtray_hub)
    done = a.run("init", "http://192.0.2.10:8765", "--invite", "x", check=False)
    assert done.returncode == 2
    assert "--allow-insecure-http" in done.stderr


def test_watch_wakes_on_the_change_feed(make_laptop, memtray_hub: HubEndpoint):
    a, b = paired(make_laptop, memtray_hub, {"CLAUDE.md": "shared\n"})
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": b.passphrase}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "memtray", "--home", str(b.home), "sync", "--watch"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        (a.folder() / "CLAUDE.md").write_text("edited on A while B watches\n")
        a.sync()
        target = b.folder() / "CLAUDE.md"
        for _ in range(300):
            if target.read_text() == "edited on A while B watches\n":
                break
            time.sleep(0.1)
        assert target.read_text() == "edited on A while B watches\n"
        (b.folder() / "from-b.md").write_text("B's watcher sends this\n")
        for _ in range(300):
            a.sync()
            if (a.folder() / "from-b.md").exists():
                break
            time.sleep(0.2)
        assert (a.folder() / "from-b.md").read_text() == "B's watcher sends this\n"
    finally:
        watcher.terminate()
        watcher.wait(timeout=20)


def test_the_hub_database_never_holds_names_paths_or_text(make_laptop, tmp_path: Path):
    with http_hub_endpoint(tmp_path / "server") as hub:
        a, b = make_laptop("Distinctive-Laptop-Name", hub), make_laptop("Second-Distinctive-Name", hub)
        a.init()
        a.folder().mkdir()
        (a.folder() / "secret-plan-filename.md").write_text("rendezvous at the old mill\n")
        a.run("folder", "add", "Private Folder Title", str(a.folder()))
        a.sync()
        b.join_from(a)
        b.sync()
    stored = b"".join(path.read_bytes() for path in (tmp_path / "server").rglob("*") if path.is_file())
    assert len(stored) > 0
    for needle in (
        "Distinctive-Laptop-Name",
        "Second-Distinctive-Name",
        "secret-plan-filename",
        "old mill",
        "Private Folder Title",
        a.passphrase,
    ):
        assert needle.encode() not in stored, needle
