"""Honest unlock (issue 10, #7): a KDF floor, messages that name every cause, and a join that binds nothing
until its first sync succeeded. Real `memtray` processes, real folder hubs and a real memtray hub."""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memtray.errors import HostileKeyFileError, PassphraseError
from memtray.hubs.keys import keyfile_key
from memtray.keychain import Keychain
from memtray.paths import resolve_home
from memtray.service.keyfile import load_pin
from memtray.service.setupcode import SetupCode
from memtray.vault import keys as vault_keys
from memtray.vault.kdf import KdfParams
from memtray.vault.keys import KeyFile, create_vault, rewrap, unlock
from tests.servers import HubEndpoint, folder_endpoint
from tests.servers.http_hub import http_hub_endpoint
from tests.support.laptops import PASSPHRASE, Laptop, tree

BOTH_CAUSES = "The passphrase is wrong, or the key file in your storage was changed."
WEAK = "weaker passphrase protection than memtray ever uses"
MakeLaptop = Callable[[str, HubEndpoint], Laptop]


@pytest.fixture
def make_laptop(tmp_path: Path) -> MakeLaptop:
    def make(name: str, endpoint: HubEndpoint) -> Laptop:
        root = tmp_path / name
        root.mkdir()
        return Laptop(name, root, endpoint)

    return make


@pytest.fixture
def folder_hub(tmp_path: Path) -> HubEndpoint:
    return folder_endpoint(tmp_path / "hub")


@pytest.fixture
def memtray_hub(tmp_path: Path) -> Iterator[HubEndpoint]:
    with http_hub_endpoint(tmp_path / "server") as endpoint:
        yield endpoint


def vault_id_of(laptop: Laptop) -> str:
    return str(json.loads((laptop.home / "config" / "config.json").read_text())["vault_id"])


def setup_code(laptop: Laptop) -> str:
    return laptop.run("setup-code").stdout.strip().splitlines()[-1]


def started_with_files(make_laptop: MakeLaptop, hub: HubEndpoint, files: dict[str, str]) -> Laptop:
    a = make_laptop("Laptop-A", hub)
    a.init()
    a.folder().mkdir()
    for name, text in files.items():
        (a.folder() / name).write_text(text)
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    return a


def assert_unbound(laptop: Laptop, vault_id: str) -> None:
    """No config, no pinned key file, no index (nor its staging copy), no keychain entry: free to join again."""
    data = laptop.home / "data"
    left = sorted(path.name for path in data.iterdir()) if data.exists() else []
    assert not [name for name in left if name.startswith(("keyfile", "index", "joining"))], left
    assert not (laptop.home / "config" / "config.json").exists()
    keychain = Keychain(resolve_home(laptop.home).keychain_scope)
    assert keychain.get(f"{vault_id}:passphrase") is None
    assert keychain.get(f"{vault_id}:hub-secret") is None
    assert laptop.status()["set_up"] is False


def rewrite_hub_keyfile(hub: HubEndpoint, change: Callable[[dict[str, object]], None]) -> None:
    key = hub.raw.keys("vault/keyfile/")[-1]
    document = json.loads(hub.raw.read(key))
    change(document)
    hub.raw.write(key, json.dumps(document).encode())


# --- messages -----------------------------------------------------------------------------------------------


def test_the_wrong_passphrase_message_names_both_causes() -> None:
    vault = create_vault(PASSPHRASE)
    with pytest.raises(PassphraseError) as caught:
        unlock(vault.keyfile, "not the passphrase")
    assert str(caught.value).startswith(BOTH_CAUSES)
    assert "not the passphrase" not in str(caught.value)


def test_a_changed_salt_on_the_hub_is_not_reported_as_only_a_wrong_passphrase(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint
) -> None:
    a = make_laptop("Laptop-A", folder_hub)
    a.init()
    code = setup_code(a)

    def other_salt(document: dict[str, object]) -> None:
        kdf = document["kdf"]
        assert isinstance(kdf, dict)
        kdf["salt"] = base64.b64encode(bytes(16)).decode()

    rewrite_hub_keyfile(folder_hub, other_salt)
    c = make_laptop("Laptop-C", folder_hub)
    done = c.run("join", code, check=False)
    assert done.returncode == 3
    assert done.stderr.strip().startswith(f"memtray: {BOTH_CAUSES}")
    assert_unbound(c, vault_id_of(a))


def test_a_key_file_whose_mac_fails_after_unwrapping_is_called_tampered(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint
) -> None:
    a = make_laptop("Laptop-A", folder_hub)
    a.init()
    code = setup_code(a)

    def other_recovery_wrap(document: dict[str, object]) -> None:
        document["recovery_wrapped_key"] = base64.b64encode(bytes(60)).decode()

    rewrite_hub_keyfile(folder_hub, other_recovery_wrap)
    c = make_laptop("Laptop-C", folder_hub)
    done = c.run("join", code, check=False)
    assert done.returncode == 5
    assert "tampered with" in done.stderr
    assert "passphrase is wrong" not in done.stderr
    assert_unbound(c, vault_id_of(a))


# --- KDF floor ----------------------------------------------------------------------------------------------


def weak_generation(laptop: Laptop, monkeypatch: pytest.MonkeyPatch, memory_kib: int) -> KeyFile:
    """The next key file generation, made and MACed with the real vault key, asking for ``memory_kib``, 1 pass."""
    pin = load_pin(resolve_home(laptop.home).keyfile_pin)
    vault_key = unlock(pin, PASSPHRASE)
    weak = KdfParams(salt=os.urandom(16), memory_kib=memory_kib, iterations=1, lanes=1)
    with monkeypatch.context() as patch:
        patch.setattr(vault_keys, "calibrate", lambda: weak)
        return rewrap(pin, vault_key, PASSPHRASE)


def test_an_8_kib_key_file_macd_with_the_vault_key_is_refused_as_tampered(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = started_with_files(make_laptop, folder_hub, {"notes.md": "hello\n"})
    weak = weak_generation(a, monkeypatch, memory_kib=8)
    assert weak.generation == 2
    folder_hub.raw.write(keyfile_key(2), weak.to_bytes())

    c = make_laptop("Laptop-C", folder_hub)
    done = c.run("join", setup_code(a), check=False)
    assert done.returncode == 5
    assert WEAK in done.stderr and "tampered with" in done.stderr
    assert_unbound(c, vault_id_of(a))

    changed = a.run("passphrase", "change", check=False, extra_env={"MEMTRAY_NEW_PASSPHRASE": "a new passphrase"})
    assert changed.returncode == 5
    assert WEAK in changed.stderr
    assert folder_hub.raw.keys("vault/keyfile/") == [keyfile_key(1), keyfile_key(2)]


def test_without_the_test_profile_the_floor_is_what_calibrate_picks_on_the_slowest_laptop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MEMTRAY_KDF_PROFILE")

    def settings(memory_kib: int) -> dict[str, object]:
        salt = base64.b64encode(bytes(16)).decode()
        return {"name": "argon2id", "salt": salt, "memory_kib": memory_kib, "iterations": 1, "lanes": 4}

    assert KdfParams.from_json(settings(64 * 1024)).memory_kib == 64 * 1024
    for weak in (64, 8 * 1024, 64 * 1024 - 1):
        with pytest.raises(HostileKeyFileError) as caught:
            KdfParams.from_json(settings(weak))
        assert WEAK in str(caught.value)


# --- join binds nothing until its first sync succeeded --------------------------------------------------------


def test_a_setup_code_naming_another_vault_than_the_hub_holds_is_refused_and_binds_nothing(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint, tmp_path: Path
) -> None:
    a = make_laptop("Laptop-A", folder_hub)
    a.init()
    other_hub = folder_endpoint(tmp_path / "other-hub")
    d = make_laptop("Laptop-D", other_hub)
    d.init()
    wrong = SetupCode(other_hub.url, vault_id_of(a), None).encode()

    b = make_laptop("Laptop-B", folder_hub)
    done = b.run("join", wrong, check=False)
    assert done.returncode == 5
    assert "different synced memory" in done.stderr
    assert_unbound(b, vault_id_of(a))
    assert_unbound(b, vault_id_of(d))

    b.run("join", setup_code(a))
    assert b.status()["vault_id"] == vault_id_of(a)


def test_a_join_whose_first_sync_fails_binds_nothing_and_can_be_retried_on_the_right_hub(
    make_laptop: MakeLaptop, folder_hub: HubEndpoint, tmp_path: Path
) -> None:
    a = started_with_files(make_laptop, folder_hub, {"notes.md": "hello\n", "more.md": "more\n"})
    damaged = tmp_path / "damaged-hub"
    shutil.copytree(tmp_path / "hub", damaged)
    first_entry = sorted(damaged.glob("log/*/*"))[0]
    data = bytearray(first_entry.read_bytes())
    data[len(data) // 2] ^= 0x01
    first_entry.write_bytes(bytes(data))

    b = make_laptop("Laptop-B", folder_hub)
    failed = b.run("join", SetupCode(damaged.as_uri(), vault_id_of(a), None).encode(), check=False)
    assert failed.returncode == 5, failed.stderr
    assert_unbound(b, vault_id_of(a))

    b.run("join", setup_code(a))
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    assert tree(b.folder()) == tree(a.folder())
    assert b.status()["hub_url"] == folder_hub.url


def test_a_memtray_hub_join_whose_first_sync_fails_keeps_its_redeemed_invite_for_the_retry(
    make_laptop: MakeLaptop, memtray_hub: HubEndpoint
) -> None:
    a = started_with_files(make_laptop, memtray_hub, {"notes.md": "hello\n"})
    code = setup_code(a)
    entry = memtray_hub.raw.keys("log/")[0]
    original = memtray_hub.raw.read(entry)
    memtray_hub.raw.write(entry, original[:-1] + bytes([original[-1] ^ 0x01]))

    b = make_laptop("Laptop-B", memtray_hub)
    failed = b.run("join", code, check=False)
    assert failed.returncode == 5, failed.stderr
    assert_unbound(b, vault_id_of(a))

    memtray_hub.raw.write(entry, original)
    b.run("join", code)
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    assert tree(b.folder()) == {"notes.md": b"hello\n"}
