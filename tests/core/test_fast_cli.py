"""A command-line sync that finds nothing to do is quick: it unlocks with this laptop's kept unlock key (no
passphrase, no Argon2 derivation) and loads only what a sync needs. The kept key never outranks the pinned key
file: a changed passphrase, a removed laptop and a key that does not fit the pin are each honoured.

Laptops are real processes on a folder hub, with the test session's real gnome-keyring."""

from __future__ import annotations

import argparse
import base64
import gc
import importlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from memtray.cli import COLLECT_AFTER, GROUPS, build_parser, main
from memtray.keychain import Keychain
from memtray.paths import resolve_home
from memtray.service import keyfile
from memtray.service.unlock_cache import UNLOCK_KEY
from tests.servers import HubEndpoint
from tests.support.laptops import REPO, Laptop, device_id, paired

NO_PASSPHRASE = {"MEMTRAY_PASSPHRASE": ""}
NEW_PASSPHRASE = "a brand new passphrase for the fast cli"
NEEDS_PASSPHRASE = "memtray needs your passphrase to unlock your synced memory"
# Modules a sync that finds nothing to do must not load: the keychain library (about 0.1 s with its backend
# detection), HTTP and cloud clients, the hub server and its database, the merge and secret scanning libraries, the
# passphrase strength meter, the MCP server, git, Qt; the service's
# parts a sync does not use (facade.py makes each on first use), agent sessions on a laptop that did not opt in,
# subprocess (about 5 ms) and cryptography's key serialization (about 9 ms; raw key bytes need none of it); the
# command line's other groups of commands, the model's dataclasses no sync uses (memtray/model_other.py),
# and platformdirs with --home given.
HEAVY = (
    "keyring",
    "platformdirs",
    "memtray.model_other",
    "memtray.cli.setup",
    "memtray.cli.folders",
    "memtray.cli.projects",
    "memtray.cli.security",
    "memtray.cli.settings",
    "memtray.cli.mcp",
    "requests",
    "urllib3",
    "boto3",
    "botocore",
    "fastapi",
    "starlette",
    "uvicorn",
    "PySide6",
    "merge3",
    "detect_secrets",
    "zxcvbn",
    "mcp",
    "psycopg",
    "dulwich",
    "memtray.hubserver",
    "memtray.ui",
    "memtray.service.setup",
    "memtray.service.setupcode",
    "memtray.service.cancel_join",
    "memtray.service.conflicts",
    "memtray.service.history",
    "memtray.service.devices",
    "memtray.service.removal",
    "memtray.service.security",
    "memtray.service.hub_settings",
    "memtray.service.guard",
    "memtray.clouddrives",
    "memtray.hubs.git",
    "memtray.sessions",
    "subprocess",
    "cryptography.hazmat.primitives.serialization",
)


def keychain_of(laptop: Laptop) -> tuple[Keychain, str]:
    """The laptop's keychain and its vault id (the prefix of its items)."""
    service_vault = keyfile.load_pin(resolve_home(laptop.home).keyfile_pin).vault_id
    return Keychain(resolve_home(laptop.home).keychain_scope), service_vault


def forget_passphrase(laptop: Laptop) -> None:
    chain, vault = keychain_of(laptop)
    chain.delete(f"{vault}:passphrase")


def kept_key(laptop: Laptop) -> str | None:
    chain, vault = keychain_of(laptop)
    return chain.get(f"{vault}:{UNLOCK_KEY}")


def started(make_laptop: Callable[[str, HubEndpoint], Laptop], hub: HubEndpoint) -> Laptop:
    laptop = make_laptop("Laptop-A", hub)
    laptop.init()
    laptop.folder().mkdir()
    (laptop.folder() / "CLAUDE.md").write_text("remember this\n")
    laptop.run("folder", "add", "memory", str(laptop.folder()))
    laptop.sync()
    return laptop


def test_a_sync_after_setup_needs_no_passphrase(make_laptop, folder_hub: HubEndpoint) -> None:
    laptop = started(make_laptop, folder_hub)
    forget_passphrase(laptop)  # neither the keychain nor the environment has it now
    assert "up to date" in laptop.run("sync", extra_env=NO_PASSPHRASE).stdout
    (laptop.folder() / "CLAUDE.md").write_text("remember this too\n")
    laptop.run("sync", extra_env=NO_PASSPHRASE)
    assert laptop.status()["pending_changes"] == 0


def loaded_by(laptop: Laptop, *args: str, passphrase: str) -> tuple[str, set[str]]:
    """What ``memtray ARGS`` prints in ``laptop``'s home (it must succeed), and the modules it loads."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": passphrase}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "memtray", "--home", str(laptop.home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    return done.stdout, set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", done.stderr, re.MULTILINE))


def test_a_no_change_sync_loads_only_what_it_needs(make_laptop, folder_hub: HubEndpoint) -> None:
    laptop = started(make_laptop, folder_hub)
    shown, loaded = loaded_by(laptop, "sync", passphrase="")
    assert "up to date" in shown
    assert "memtray.sync.engine" in loaded, "the import list was read"
    heavy = sorted(name for name in loaded if name in HEAVY or name.startswith(tuple(f"{top}." for top in HEAVY)))
    assert heavy == []


def test_a_sync_that_sends_clean_notes_loads_no_secret_scanner(make_laptop, folder_hub: HubEndpoint) -> None:
    """detect-secrets (0.2 s: it loads requests) runs only on a text that holds what one of its keys holds."""
    laptop = started(make_laptop, folder_hub)
    for number in range(20):
        (laptop.folder() / f"note-{number}.md").write_text(f"# Note {number}\n- keep modules small; ACK\n")
    shown, loaded = loaded_by(laptop, "sync", passphrase="")
    assert "20 sent" in shown, shown
    assert "memtray.sync.secret_guard" in loaded, "the guard looked at the notes"
    assert sorted(name for name in loaded if name.partition(".")[0] in ("detect_secrets", "requests")) == []


def test_a_kept_key_that_does_not_fit_the_pin_is_forgotten(make_laptop, folder_hub: HubEndpoint) -> None:
    laptop = started(make_laptop, folder_hub)
    forget_passphrase(laptop)
    chain, vault = keychain_of(laptop)
    chain.set(f"{vault}:{UNLOCK_KEY}", "1:" + base64.b64encode(os.urandom(32)).decode("ascii"))

    refused = laptop.run("sync", check=False, extra_env=NO_PASSPHRASE)
    assert refused.returncode != 0 and NEEDS_PASSPHRASE in refused.stderr, refused.stderr
    assert kept_key(laptop) is None, "a key the pinned key file does not accept is dropped"

    laptop.sync()  # the passphrase from the environment unlocks, and its key is kept again
    assert laptop.run("sync", extra_env=NO_PASSPHRASE).returncode == 0


def test_a_passphrase_changed_elsewhere_keeps_the_kept_key_and_the_new_one_unlocks(
    make_laptop, folder_hub: HubEndpoint
) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    a.run("passphrase", "change", extra_env={"MEMTRAY_NEW_PASSPHRASE": NEW_PASSPHRASE})
    forget_passphrase(b)
    b.run("sync", extra_env=NO_PASSPHRASE)  # the vault key did not change: the kept key still opens it
    pinned = keyfile.load_pin(resolve_home(b.home).keyfile_pin)
    assert pinned.generation > 1, "the newer key file was pinned"

    chain, vault = keychain_of(b)
    chain.delete(f"{vault}:{UNLOCK_KEY}")
    # A sync with nothing to do unlocks nothing (memtray/sync/quiet.py): B has an edit to send.
    (b.folder() / "CLAUDE.md").write_text("shared\nedited on B\n")
    old = b.run("sync", check=False)
    assert old.returncode != 0 and "passphrase" in old.stderr.lower(), "the old passphrase no longer unlocks"
    b.run("sync", extra_env={"MEMTRAY_PASSPHRASE": NEW_PASSPHRASE})
    assert b.run("sync", extra_env=NO_PASSPHRASE).returncode == 0


def test_a_removed_laptop_is_told_even_with_its_kept_key(make_laptop, folder_hub: HubEndpoint) -> None:
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "shared\n"})
    assert kept_key(b) is not None
    a.sync()  # A hears of B
    a.run("devices", "remove", "Laptop-B", extra_env={"MEMTRAY_NEW_PASSPHRASE": NEW_PASSPHRASE})
    refused = b.run("sync", check=False, extra_env=NO_PASSPHRASE)
    assert refused.returncode != 0
    assert "This laptop was removed from your synced memory" in refused.stderr
    assert device_id(b)  # b's own files are left alone
    assert (b.folder() / "CLAUDE.md").read_text() == "shared\n"


def test_joining_a_folder_hub_loads_no_http_client_and_no_keyring(make_laptop, folder_hub: HubEndpoint) -> None:
    """The certificate pin of a memtray hub is looked at only when a fingerprint was given (requests: about 0.1 s);
    the keychain items a join writes go straight to the Secret Service (keyring: about 0.1 s to pick its backend)."""
    started(make_laptop, folder_hub)
    joining = make_laptop("Laptop-B", folder_hub)
    place = f"memory={joining.folder()}"
    shown, loaded = loaded_by(joining, "join", folder_hub.url, "--folder", place, passphrase=joining.passphrase)
    assert "Synced: 1 received" in shown, "the join placed the folder and synced"
    assert "memtray.service.setup" in loaded, "the import list was read"
    assert sorted(name for name in loaded if name.partition(".")[0] in ("requests", "urllib3", "keyring")) == []
    chain, vault = keychain_of(joining)
    assert chain.get(f"{vault}:{UNLOCK_KEY}"), "the unlock key is kept for the next run"


def test_the_hub_server_is_loaded_only_for_its_commands(tmp_path: Path) -> None:
    probe = (
        "import sys; from memtray.cli import main; main(['--home', sys.argv[1], 'status']); print(sorted(sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    shown = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, env=env, check=True, timeout=120
    ).stdout
    assert "memtray.hubserver" not in shown
    hub_help = subprocess.run(
        [sys.executable, "-m", "memtray", "hub", "--help"], capture_output=True, text=True, env=env, timeout=120
    )
    assert hub_help.returncode == 0 and "serve" in hub_help.stdout


def commands_of(parser: argparse.ArgumentParser) -> list[str]:
    return next(list(action.choices) for action in parser._actions if isinstance(action, argparse._SubParsersAction))


def test_a_command_line_builds_only_the_parsers_of_its_group() -> None:
    everything = commands_of(build_parser())
    assert [word for _group, words in GROUPS for word in words] + ["hub"] == everything
    for group, words in GROUPS:
        alone = argparse.ArgumentParser()
        importlib.import_module(group).register(alone.add_subparsers())
        assert commands_of(alone) == list(words), f"{group} registers what GROUPS says"
        for word in words:
            assert commands_of(build_parser(["--home", "H", word])) == [*words, "hub"]
    assert commands_of(build_parser(["--help"])) == everything, "the help lists them all"
    assert commands_of(build_parser(["--home", "H", "no-such-command"])) == everything, "the error lists them all"


def test_only_a_process_of_its_own_collects_cycles_less_often(tmp_path: Path) -> None:
    threshold = gc.get_threshold()
    main(["--home", str(tmp_path), "status"])
    assert gc.get_threshold() == threshold, "a caller in the same process keeps its own"
    probe = (
        "import gc, sys; from memtray.cli import main; "
        "sys.argv = ['memtray', '--home', sys.argv[1], 'status']; main(); print(gc.get_threshold()[0])"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    shown = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, env=env, check=True, timeout=120
    ).stdout
    assert shown.splitlines()[-1] == str(COLLECT_AFTER)
