"""Bad input gets a clear error and loses nothing."""

from __future__ import annotations

import base64
import json
import shutil
import time
from pathlib import Path

import pytest

from memtray.hubs.folder import FolderHub
from memtray.hubs.keys import log_key
from memtray.model import DeletedBy, MassDeleteQuestion
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.service.unlock_cache import UNLOCK_KEY
from memtray.sync.entry import FileChange, LogEntry, entry_hash, seal_entry
from memtray.sync.records import FileVersion
from tests.servers import HubEndpoint
from tests.support.laptops import Laptop, assert_synced, opened, paired, tree


def test_wrong_passphrase_is_refused_and_nothing_local_is_touched(make_laptop, folder_hub: HubEndpoint):
    a, b = paired(make_laptop, folder_hub, {"one.md": "1\n"})
    (a.folder() / "one.md").write_text("changed on A\n")
    a.sync()
    (b.folder() / "mine.md").write_text("unsent\n")
    with opened(b) as service:  # a laptop unlocks with the key it kept (unlock_cache.py): here it has none
        service.keychain.delete(f"{service.config.vault_id}:{UNLOCK_KEY}")
    before = tree(b.folder())
    done = b.run("sync", check=False, extra_env={"MEMTRAY_PASSPHRASE": "not the passphrase"})
    assert done.returncode == 3
    assert done.stderr.strip().startswith(
        "memtray: The passphrase is wrong, or the key file in your storage was changed."
    )
    assert tree(b.folder()) == before

    c = make_laptop("Laptop-C", folder_hub)
    code = a.run("setup-code").stdout.strip().splitlines()[-1]
    done = c.run("join", code, check=False, extra_env={"MEMTRAY_PASSPHRASE": "nope"})
    assert done.returncode == 3
    assert c.status()["set_up"] is False


def _hostile_join(make_laptop, hub: HubEndpoint, mutate) -> tuple[int, str, Laptop]:
    a = make_laptop("Laptop-A", hub)
    a.init()
    code = a.run("setup-code").stdout.strip().splitlines()[-1]
    key = hub.raw.keys("vault/keyfile/")[-1]
    data = json.loads(hub.raw.read(key))
    hub.raw.write(key, json.dumps(mutate(data)).encode())
    b = make_laptop("Laptop-B", hub)
    done = b.run("join", code, check=False, timeout=30)
    return done.returncode, done.stderr.strip(), b


def test_absurd_kdf_parameters_are_refused_before_any_work(make_laptop, folder_hub: HubEndpoint):
    def absurd(data: dict) -> dict:
        data["kdf"]["memory_kib"] = 64 * 1024 * 1024
        data["kdf"]["iterations"] = 1000
        return data

    code, message, b = _hostile_join(make_laptop, folder_hub, absurd)
    assert code == 5
    assert "unsafe settings" in message
    assert b.status()["set_up"] is False


def test_key_file_of_another_vault_is_refused(make_laptop, folder_hub: HubEndpoint, tmp_path: Path):
    other = Service(resolve_home(tmp_path / "other-home"))
    other.init(str(tmp_path / "other-hub"), "correct horse battery staple 42")
    foreign = json.loads((tmp_path / "other-hub" / "vault" / "keyfile" / "0000000000000001").read_bytes())

    code, message, b = _hostile_join(make_laptop, folder_hub, lambda data: foreign)
    assert code == 5
    assert "different synced memory" in message
    assert b.status()["set_up"] is False

    def swap_wrapped_key(data: dict) -> dict:
        data["wrapped_key"] = foreign["wrapped_key"]
        return data

    shutil.rmtree(folder_hub.raw.root)  # type: ignore[attr-defined]
    shutil.rmtree(tmp_path / "Laptop-A")
    shutil.rmtree(tmp_path / "Laptop-B")
    code, message, b = _hostile_join(make_laptop, folder_hub, swap_wrapped_key)
    assert code in (3, 5)
    assert "passphrase is wrong" in message or "refused" in message
    assert b.status()["set_up"] is False


def test_names_impossible_on_windows_are_skipped_with_a_clear_error(make_laptop, folder_hub: HubEndpoint):
    files = {
        "aux.md": "reserved\n",
        "ok.md": "fine\n",
        "sub/CON.txt": "reserved too\n",
        "a:b.md": "colon\n",
        "trailing.": "dot\n",
        "Notes.md": "upper\n",
        "notes.md": "lower\n",
    }
    a = make_laptop("Laptop-A", folder_hub)
    a.init()
    for name, text in files.items():
        (a.folder() / name).parent.mkdir(parents=True, exist_ok=True)
        (a.folder() / name).write_text(text)
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    windows = make_laptop("Windows-Laptop", folder_hub)
    windows.env["MEMTRAY_OS_RULES"] = "windows"
    windows.join_from(a)
    windows.run("folder", "map", "memory", str(windows.folder()))
    done = windows.run("sync")
    written = tree(windows.folder())
    assert written["ok.md"] == b"fine\n"
    assert not {"aux.md", "sub/CON.txt", "a:b.md", "trailing."} & set(written)
    assert len({"Notes.md", "notes.md"} & set(written)) == 1
    assert "Windows reserves the name 'AUX'" in done.stderr
    assert "upper/lower case" in done.stderr
    problems = {problem["path"] for problem in windows.status()["problems"]}
    assert {"aux.md", "sub/CON.txt", "a:b.md", "trailing."} <= problems


def test_mass_delete_stops_and_asks(make_laptop, folder_hub: HubEndpoint):
    a, b = paired(make_laptop, folder_hub, {f"f{i}.md": f"{i}\n" for i in range(10)})
    for i in range(8):
        (b.folder() / f"f{i}.md").unlink()
    done = b.run("sync", check=False)
    assert done.returncode == 6
    assert "8 of 10 files" in done.stderr and "--allow-mass-delete" in done.stderr
    b.sync("--allow-mass-delete")
    before = tree(a.folder())
    done = a.run("sync", check=False)
    assert done.returncode == 6
    assert tree(a.folder()) == before
    a.sync("--allow-mass-delete")
    assert sorted(tree(a.folder())) == ["f8.md", "f9.md"]
    assert_synced([a, b], folder_hub)


def test_a_mass_delete_is_a_question_and_a_yes_covers_only_what_was_asked(make_laptop, folder_hub: HubEndpoint):
    a, b = paired(make_laptop, folder_hub, {f"f{i}.md": f"{i}\n" for i in range(10)})
    laptop_a, laptop_b = Service(resolve_home(a.home)), Service(resolve_home(b.home))
    try:
        folder_id = laptop_b.folders()[0].folder_id
        sent = folder_hub.raw.keys("log/")
        for i in range(8):
            (b.folder() / f"f{i}.md").unlink()
        held = laptop_b.sync()
        asked = MassDeleteQuestion(folder_id, "memory", 8, 10, DeletedBy.THIS_LAPTOP)
        assert held.mass_delete == asked
        assert (held.uploaded, held.downloaded, held.deleted_here) == (0, 0, 0)
        assert folder_hub.raw.keys("log/") == sent, "nothing is sent before the yes"
        assert laptop_b.status().pending_changes == 0, "nothing is recorded before the yes"
        assert (laptop_b.status().last_error or "").startswith("8 of 10 files in 'memory' are missing")

        (b.folder() / "f8.md").unlink()
        again = laptop_b.sync(allowed_delete=asked)
        assert again.mass_delete == MassDeleteQuestion(folder_id, "memory", 9, 10, DeletedBy.THIS_LAPTOP)
        assert folder_hub.raw.keys("log/") == sent, "a yes to 8 deletions does not cover 9"
        done = laptop_b.sync(allowed_delete=again.mass_delete)
        assert done.mass_delete is None and done.uploaded == 9
        assert laptop_b.status().last_error is None

        before = tree(a.folder())
        held = laptop_a.sync()
        assert held.mass_delete == MassDeleteQuestion(folder_id, "memory", 9, 10, DeletedBy.ANOTHER_LAPTOP)
        assert laptop_a.sync(allowed_delete=again.mass_delete).mass_delete == held.mass_delete, (
            "a yes to sending this laptop's deletions does not cover taking another laptop's"
        )
        assert tree(a.folder()) == before
        assert laptop_a.sync(allowed_delete=held.mass_delete).deleted_here == 9
    finally:
        laptop_a.close()
        laptop_b.close()
    assert sorted(tree(a.folder())) == ["f9.md"]
    assert_synced([a, b], folder_hub)


def test_a_crash_after_sending_is_adopted_not_sent_twice(make_laptop, folder_hub: HubEndpoint):
    a, b = paired(make_laptop, folder_hub, {"x.md": "1\n"})
    (a.folder() / "x.md").write_text("2\n")
    data = a.home / "data"
    saved = a.root / "saved-index"
    shutil.copytree(data, saved)
    a.sync()
    entries = len(folder_hub.raw.keys("log/"))
    shutil.rmtree(data)
    shutil.copytree(saved, data)
    a.sync()
    assert len(folder_hub.raw.keys("log/")) == entries
    b.sync()
    assert (b.folder() / "x.md").read_text() == "2\n"
    assert_synced([a, b], folder_hub)


def test_paths_that_escape_the_folder_are_refused(make_laptop, folder_hub: HubEndpoint, tmp_path: Path):
    a, b = paired(make_laptop, folder_hub, {"x.md": "1\n"})
    service = Service(resolve_home(a.home))
    keys = service.vault_keys()
    me = service.config.device_id
    folder_id = service.folders()[0].folder_id
    seq = int(service.index.get_meta("seq") or 0)
    prev = service.index.get_meta("hash") or ""
    evil = [
        FileChange(FileVersion(folder_id, path, {me: 9}, False, _sha(b"pwned\n"), 6, time.time(), me), b"pwned\n")
        for path in ("../escape.md", "/etc/evil.md", "C:/evil.md", "ok/../../up.md")
    ]
    entry = LogEntry(me, seq + 1, prev, "Laptop-A", "linux", time.time(), {}, [], evil)
    sealed = seal_entry(keys, entry, signer=service.members.signer())
    FolderHub(folder_hub.url).put_new(log_key(me, seq + 1), sealed)
    assert entry_hash(sealed)
    done = b.run("sync")
    assert "was refused" in done.stderr
    assert not (b.folder().parent / "escape.md").exists()
    assert not any(tmp_path.rglob("up.md")) and not any(tmp_path.rglob("evil.md"))
    assert tree(b.folder()) == {"x.md": b"1\n"}


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_passphrase_change_rewraps_and_other_laptops_keep_working(make_laptop, folder_hub: HubEndpoint):
    a, b = paired(make_laptop, folder_hub, {"x.md": "1\n"})
    a.run("passphrase", "change", extra_env={"MEMTRAY_NEW_PASSPHRASE": "brand new passphrase 99"})
    assert folder_hub.raw.keys("vault/keyfile/") == ["vault/keyfile/0000000000000002"]
    c = make_laptop("Laptop-C", folder_hub)
    code = a.run("setup-code", extra_env={"MEMTRAY_PASSPHRASE": "brand new passphrase 99"}).stdout.splitlines()[-1]
    assert c.run("join", code, check=False).returncode == 3
    c.run("join", code, extra_env={"MEMTRAY_PASSPHRASE": "brand new passphrase 99"})
    (a.folder() / "x.md").write_text("after the change\n")
    a.run("sync", extra_env={"MEMTRAY_PASSPHRASE": "brand new passphrase 99"})
    b.sync()
    assert (b.folder() / "x.md").read_text() == "after the change\n"


def test_recovery_key_sets_a_new_passphrase(make_laptop, folder_hub: HubEndpoint):
    a = make_laptop("Laptop-A", folder_hub)
    out = a.init()
    key = out.strip().splitlines()[-1].strip()
    assert len(key.replace("-", "")) == 56
    wrong = a.run(
        "recovery",
        "use",
        check=False,
        extra_env={
            "MEMTRAY_RECOVERY_KEY": key[:-1] + ("A" if key[-1] != "A" else "B"),
            "MEMTRAY_NEW_PASSPHRASE": "x" * 12,
        },
    )
    assert wrong.returncode == 3
    a.run(
        "recovery", "use", extra_env={"MEMTRAY_RECOVERY_KEY": key.lower(), "MEMTRAY_NEW_PASSPHRASE": "after recovery 7"}
    )
    b = make_laptop("Laptop-B", folder_hub)
    code = a.run("setup-code", extra_env={"MEMTRAY_PASSPHRASE": "after recovery 7"}).stdout.strip().splitlines()[-1]
    b.run("join", code, extra_env={"MEMTRAY_PASSPHRASE": "after recovery 7"})
    assert b.status()["set_up"] is True


def test_secrets_stay_in_the_keychain(make_laptop, folder_hub: HubEndpoint):
    a = make_laptop("Laptop-A", folder_hub)
    outputs = [a.init()]
    a.folder().mkdir()
    (a.folder() / "m.md").write_text("x\n")
    a.passphrase = ""
    outputs.append(a.run("folder", "add", "memory", str(a.folder())).stdout)
    done = a.run("sync", extra_env={"MEMTRAY_PASSPHRASE": ""})
    outputs += [done.stdout, done.stderr]
    bad = a.run("sync", check=False, extra_env={"MEMTRAY_PASSPHRASE": "wrong-guess-123"})
    outputs += [bad.stdout, bad.stderr]
    secret = "correct horse battery staple 42"
    for text in outputs:
        assert secret not in text and "wrong-guess-123" not in text
    for path in a.home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for form in (secret.encode(), base64.b64encode(secret.encode()), secret.encode("utf-16-le")):
                assert form not in content, path


def test_a_full_disk_skips_the_file_keeps_the_rest_and_recovers(make_laptop, folder_hub: HubEndpoint, tmp_path: Path):
    from tests.support.disks import tiny_disk

    a, b = paired(make_laptop, folder_hub, {"small.md": "small\n"})
    with tiny_disk(tmp_path / "tiny", "64k") as disk:
        b.run("folder", "map", "memory", str(disk / "memory"))
        b.sync()
        assert (disk / "memory" / "small.md").read_text() == "small\n"
        (disk / "memory" / "mine.md").write_text("written on B\n")
        (a.folder() / "huge.md").write_text("y" * 200_000)
        (a.folder() / "small.md").write_text("small, edited\n")
        a.sync()
        done = b.run("sync")
        assert "huge.md: could not be written (No space left on device)" in done.stderr
        assert (disk / "memory" / "small.md").read_text() == "small, edited\n"
        assert (disk / "memory" / "mine.md").read_text() == "written on B\n"
        assert not [p for p in (disk / "memory").iterdir() if p.name.startswith(".memtray-tmp-")]
        assert "huge.md" in {problem["path"] for problem in b.status()["problems"]}
        b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    a.sync()
    assert (b.folder() / "huge.md").stat().st_size == 200_000
    assert_synced([a, b], folder_hub)


def test_restoring_a_version_never_overwrites_an_unsynced_edit(make_laptop, folder_hub: HubEndpoint, tmp_path: Path):
    from memtray.errors import UsageError

    a, _ = paired(make_laptop, folder_hub, {"x.md": "first\n"})
    (a.folder() / "x.md").write_text("second\n")
    a.sync()
    service = Service(resolve_home(a.home))
    first = [v for v in service.history.versions("memory", "x.md") if not v.current][-1]
    service.history.restore_version(first.version_id)
    assert (a.folder() / "x.md").read_text() == "first\n"
    latest = next(v for v in service.history.versions("memory", "x.md") if v.current)
    service.history.restore_version(latest.version_id)
    assert (a.folder() / "x.md").read_text() == "second\n"
    (a.folder() / "x.md").write_text("typed just now, not synced\n")
    with pytest.raises(UsageError, match="not synced yet"):
        service.history.restore_version(first.version_id)
    assert (a.folder() / "x.md").read_text() == "typed just now, not synced\n"
