"""A computer with no keychain (no D-Bus session, so no Secret Service: a server over SSH, a container) still syncs
through a memtray hub, WebDAV and S3 once the person opts in with ``--no-keychain``: the hub's password or token
and the laptop's own key are kept in a sealed file in memtray's folder, opened with the passphrase. Laptops are real
processes against the real test servers."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memtray.paths import resolve_home
from memtray.service import Service
from memtray.service.sealed_store import store_file
from tests.servers import HubEndpoint
from tests.servers.kinds import HUB_KINDS
from tests.support.laptops import PASSPHRASE, Laptop

KINDS = ["memtray-hub", "webdav-wsgidav", "s3-moto"]
NO_HUB_SECRET = {"MEMTRAY_HUB_SECRET": ""}
NO_PASSPHRASE = {"MEMTRAY_PASSPHRASE": ""}
NEW_PASSPHRASE = "the passphrase chosen at a removal"


@pytest.fixture(params=KINDS)
def server_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubEndpoint]:
    with HUB_KINDS[request.param](tmp_path / "server") as endpoint:
        yield endpoint


def without_keychain(laptop: Laptop) -> Laptop:
    """No D-Bus session reachable from the laptop's processes: ``keyring`` finds no keychain at all."""
    nowhere = laptop.root / "no-runtime"
    nowhere.mkdir(mode=0o700)
    laptop.env.update({"DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": str(nowhere)})
    return laptop


def hub_secret(laptop: Laptop) -> str:
    """The credential the laptop keeps for its hub, read as memtray reads it (the sealed store, opened here)."""
    service = Service(resolve_home(laptop.home), ask_passphrase=lambda _reason: laptop.passphrase)
    try:
        assert service.uses_sealed_store()
        secret = service.secret()
    finally:
        service.close()
    assert secret
    return secret


def init_args(laptop: Laptop, hub: HubEndpoint) -> list[str]:
    invite = hub.new_invite()
    return ["init", hub.url, "--device-name", laptop.name, *(["--invite", invite] if invite else [])]


def test_a_laptop_without_a_keychain_syncs_through_its_sealed_store(
    make_laptop: Callable[[str, HubEndpoint], Laptop], server_hub: HubEndpoint
) -> None:
    a = without_keychain(make_laptop("Laptop-A", server_hub))
    if server_hub.kind == "memtray":
        refused = a.run(*init_args(a, server_hub), check=False)
        assert refused.returncode != 0
        assert "--no-keychain" in refused.stderr, refused.stderr
    a.run(*init_args(a, server_hub), "--no-keychain")

    sealed = store_file(resolve_home(a.home).data_dir)
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    secret = hub_secret(a)
    contents = sealed.read_bytes()
    forms = {"clear": secret, "base64": base64.b64encode(secret.encode()).decode(), "hex": secret.encode().hex()}
    assert [how for how, form in forms.items() if form.encode() in contents] == []  # the credential is not shown
    assert not (resolve_home(a.home).laptop_key_file).exists(), "the laptop's own key is sealed too"

    a.folder().mkdir()
    (a.folder() / "CLAUDE.md").write_text("from a laptop with no keychain\n")
    a.run("folder", "add", "memory", str(a.folder()))
    a.run("sync", extra_env=NO_HUB_SECRET)  # the hub's credential comes from the sealed store

    locked = a.run("sync", check=False, extra_env={**NO_HUB_SECRET, **NO_PASSPHRASE})
    assert locked.returncode != 0 and "passphrase" in locked.stderr
    wrong = a.run("sync", check=False, extra_env={**NO_HUB_SECRET, "MEMTRAY_PASSPHRASE": "not the passphrase"})
    assert wrong.returncode != 0 and "passphrase" in wrong.stderr.lower()
    assert [said for said in (locked, wrong) if secret in said.stdout + said.stderr] == []

    b = without_keychain(make_laptop("Laptop-B", server_hub))
    code = a.run("setup-code", extra_env=NO_HUB_SECRET).stdout.strip().splitlines()[-1]
    b.run("join", code, "--device-name", b.name, "--no-keychain")
    b.run("folder", "map", "memory", str(b.folder()), extra_env=NO_HUB_SECRET)
    b.run("sync", extra_env=NO_HUB_SECRET)
    assert (b.folder() / "CLAUDE.md").read_text() == "from a laptop with no keychain\n"
    leaked = secret.encode() in store_file(resolve_home(b.home).data_dir).read_bytes()
    assert not leaked


def test_without_a_keychain_the_command_says_how_to_go_on(
    make_laptop: Callable[[str, HubEndpoint], Laptop], tmp_path: Path
) -> None:
    with HUB_KINDS["memtray-hub"](tmp_path / "server") as hub:
        laptop = without_keychain(make_laptop("Laptop-A", hub))
        refused = laptop.run(*init_args(laptop, hub), check=False)
        assert refused.returncode != 0
        assert "--no-keychain" in refused.stderr and "MEMTRAY_PASSPHRASE" in refused.stderr
        assert not laptop.home.joinpath("config", "config.json").exists(), "nothing was set up"
        assert not os.path.exists(store_file(resolve_home(laptop.home).data_dir))


def test_after_a_removal_the_new_passphrase_opens_the_sealed_store(
    make_laptop: Callable[[str, HubEndpoint], Laptop], folder_hub: HubEndpoint
) -> None:
    a = make_laptop("Laptop-A", folder_hub)
    a.init()
    a.folder().mkdir()
    (a.folder() / "CLAUDE.md").write_text("shared\n")
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    laptops = {}
    for name in ("Laptop-B", "Laptop-C"):
        laptop = without_keychain(make_laptop(name, folder_hub))
        code = a.run("setup-code").stdout.strip().splitlines()[-1]
        laptop.run("join", code, "--device-name", name, "--no-keychain")
        laptop.run("folder", "map", "memory", str(laptop.folder()))
        laptop.sync()
        laptops[name] = laptop
    b = laptops["Laptop-B"]
    a.sync()

    a.run("devices", "remove", "Laptop-C", extra_env={"MEMTRAY_NEW_PASSPHRASE": NEW_PASSPHRASE})
    b.sync()  # B's grant opens the new key; the new key file is pinned, and the sealed store opens under it too
    b.passphrase = NEW_PASSPHRASE
    (b.folder() / "CLAUDE.md").write_text("after the removal\n")
    b.sync()
    a.sync()
    assert (a.folder() / "CLAUDE.md").read_text() == "after the removal\n"
    old = b.run("sync", check=False, extra_env={"MEMTRAY_PASSPHRASE": PASSPHRASE})
    assert old.returncode != 0 and "passphrase" in old.stderr.lower()
