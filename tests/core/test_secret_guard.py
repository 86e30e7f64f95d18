"""The secret guard: a key pasted into memory stays on its laptop until the person decides, and credentials files
never sync. Real laptops (the CLI in real processes), a real hub; every hub object is opened with the vault key to
look for the key. No key-shaped text is written in this file: each fake key is put together at run time."""

from __future__ import annotations

import base64
import json
import os
import secrets
import string
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memtray.hubs.keys import parse_log_key
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.sync.entry import open_blob, open_entry
from memtray.sync.globs import GlobFilter, is_credentials_file
from memtray.sync.secret_guard import DETECTOR_MAX, GROUP_BYTES, Finding, could_hold_a_key, first_finding
from memtray.vault.keys import VaultKeys
from tests.servers import HubEndpoint
from tests.servers.kinds import HUB_KINDS
from tests.support.imports import loaded_after
from tests.support.laptops import REPO, Laptop, paired, tree

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
MEMORY = "# Memory\n\n- run tests with uv run pytest\n"
ALNUM = string.ascii_letters + string.digits


def random_text(length: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def anthropic_key() -> str:
    return "sk-" + "ant-" + "api03-" + secrets.token_urlsafe(70)


def vault_keys(laptop: Laptop) -> VaultKeys:
    service = Service(resolve_home(laptop.home), ask_passphrase=lambda _reason: laptop.passphrase)
    try:
        return service.vault_keys()
    finally:
        service.close()


def hub_plaintexts(hub: HubEndpoint, keys: VaultKeys) -> Iterator[bytes]:
    """Every hub object as stored, and the content and path of every file change in it, opened with the vault key."""
    blob_shas = {}
    for key in hub.raw.keys(""):
        yield hub.raw.read(key)
    for key in hub.raw.keys("log/"):
        device, seq = parse_log_key(key) or ("", 0)
        for change in open_entry(keys, hub.raw.read(key), device, seq).changes:
            yield change.version.path.encode()
            if change.data is not None:
                yield change.data
            if change.version.blob:
                blob_shas[change.version.blob] = change.version.sha
    for key in hub.raw.keys("blob/"):
        blob_id = key.split("/", 1)[1]
        yield open_blob(keys, blob_id, hub.raw.read(key), blob_shas[blob_id])


def on_hub(hub: HubEndpoint, keys: VaultKeys, secret: str) -> bool:
    return any(secret.encode() in text for text in hub_plaintexts(hub, keys))


def hub_paths(hub: HubEndpoint, keys: VaultKeys) -> set[str]:
    """The path of every file change in the hub's log entries."""
    paths = set()
    for key in hub.raw.keys("log/"):
        device, seq = parse_log_key(key) or ("", 0)
        paths |= {change.version.path for change in open_entry(keys, hub.raw.read(key), device, seq).changes}
    return paths


class Outputs:
    """Every command's stdout and stderr, to show that no secret is ever printed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def run(self, laptop: Laptop, *args: str) -> subprocess.CompletedProcess[str]:
        done = laptop.run(*args)
        self.seen += [done.stdout, done.stderr]
        return done

    def assert_never_shown(self, secret: str, laptops: list[Laptop]) -> None:
        assert not any(secret in text for text in self.seen)
        for laptop in laptops:
            for path in (laptop.home / "logs").rglob("*"):
                if path.is_file():
                    assert secret.encode() not in path.read_bytes(), f"{path} holds the secret"


def held(laptop: Laptop) -> list[tuple[str, str, int, str]]:
    return [(h["folder"], h["path"], h["line"], h["finding"]) for h in laptop.status()["held"]]


def log_count(hub: HubEndpoint) -> int:
    return len(hub.raw.keys("log/"))


@pytest.fixture(params=["folder", "memtray-hub"])
def guard_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubEndpoint]:
    with HUB_KINDS[request.param](tmp_path / "server") as endpoint:
        yield endpoint


def test_a_planted_key_stays_on_its_laptop_until_sent_anyway(guard_hub: HubEndpoint, make_laptop: MakeLaptop):
    hub = guard_hub
    a, b = paired(make_laptop, hub, {"CLAUDE.md": MEMORY, "notes.md": "notes\n"})
    keys = vault_keys(a)
    out = Outputs()
    key = anthropic_key()
    (a.folder() / "CLAUDE.md").write_text(f"{MEMORY}- the eval token is {key}\n")
    (a.folder() / "notes.md").write_text("notes, edited\n")

    synced = out.run(a, "sync")
    assert "held back: memory/CLAUDE.md, line 4: an Anthropic API key." in synced.stderr
    assert held(a) == [("memory", "CLAUDE.md", 4, "an Anthropic API key")]
    status = out.run(a, "status")
    assert "memory/CLAUDE.md, line 4: an Anthropic API key." in status.stdout
    assert "Remove it from the file" in status.stdout and "memtray send-anyway memory CLAUDE.md" in status.stdout
    assert a.status()["pending_changes"] == 1
    assert not on_hub(hub, keys, key)
    out.run(b, "sync")
    assert tree(b.folder()) == {"CLAUDE.md": MEMORY.encode(), "notes.md": b"notes, edited\n"}

    entries = log_count(hub)
    out.run(a, "sync")
    assert held(a) == [("memory", "CLAUDE.md", 4, "an Anthropic API key")]
    assert log_count(hub) == entries, "a sync with only a held file to send wrote a log entry"

    (a.folder() / "CLAUDE.md").write_text(f"{MEMORY}- one more note\n- the eval token is {key}\n")
    out.run(a, "sync")
    assert held(a) == [("memory", "CLAUDE.md", 5, "an Anthropic API key")]

    (a.folder() / "CLAUDE.md").write_text(f"{MEMORY}- one more note\n")
    out.run(a, "sync")
    assert held(a) == []
    out.run(b, "sync")
    assert (b.folder() / "CLAUDE.md").read_text() == f"{MEMORY}- one more note\n"

    planted = f"{MEMORY}- one more note\n- the eval token is {key}\n"
    (a.folder() / "CLAUDE.md").write_text(planted)
    out.run(a, "sync")
    assert held(a) == [("memory", "CLAUDE.md", 5, "an Anthropic API key")]
    assert "memory/CLAUDE.md is sent as it is" in out.run(a, "send-anyway", "memory", "CLAUDE.md").stdout
    assert held(a) == []
    assert not on_hub(hub, keys, key), "send anyway sends at the next sync, not before"
    out.run(a, "sync")
    assert on_hub(hub, keys, key)
    out.run(b, "sync")
    assert (b.folder() / "CLAUDE.md").read_text() == planted
    assert held(a) == [] and held(b) == []

    # What the hub already has is not held again: not on A for another line, not on B, which got it from A.
    (a.folder() / "CLAUDE.md").write_text(f"{planted}- a line from A\n")
    out.run(a, "sync")
    assert held(a) == []
    out.run(b, "sync")
    (b.folder() / "CLAUDE.md").write_text(f"{planted}- a line from A\n- a line from B\n")
    out.run(b, "sync")
    assert held(b) == []
    out.run(a, "sync")
    assert (a.folder() / "CLAUDE.md").read_text() == f"{planted}- a line from A\n- a line from B\n"
    out.assert_never_shown(key, [a, b])


def test_send_anyway_names_only_a_held_file(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    a, _ = paired(make_laptop, folder_hub, {"CLAUDE.md": MEMORY})
    refused = a.run("send-anyway", "memory", "CLAUDE.md", check=False)
    assert refused.returncode != 0
    assert "CLAUDE.md is not held back" in refused.stderr and "Traceback" not in refused.stderr
    unknown = a.run("send-anyway", "nope", "CLAUDE.md", check=False)
    assert unknown.returncode != 0 and "There is no folder called 'nope'" in unknown.stderr


def test_with_the_guard_off_a_folder_sends_keys(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": MEMORY})
    keys = vault_keys(a)
    key = "gh" + "p_" + random_text(36)
    assert "without checking" in a.run("folder", "guard", "memory", "off").stdout
    (a.folder() / "CLAUDE.md").write_text(f"{MEMORY}- deploy with {key}\n")
    a.sync()
    assert held(a) == [] and on_hub(folder_hub, keys, key)
    b.sync()
    assert key in (b.folder() / "CLAUDE.md").read_text()
    assert held(b) == []

    a.run("folder", "guard", "memory", "on")
    other = "gh" + "p_" + random_text(36)
    (a.folder() / "CLAUDE.md").write_text(f"{MEMORY}- deploy with {key}\n- or with {other}\n")
    a.sync()
    assert held(a) == [("memory", "CLAUDE.md", 5, "a GitHub token")]
    assert not on_hub(folder_hub, keys, other)
    guard_off = json.loads((a.home / "config" / "config.json").read_text())["secret_guard_off"]
    assert guard_off == []


def test_a_merge_with_another_laptops_key_already_on_the_hub_is_not_held(
    folder_hub: HubEndpoint, make_laptop: MakeLaptop
):
    lines = [f"- note {number}" for number in range(1, 11)]
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "\n".join(lines) + "\n"})
    b.run("folder", "guard", "memory", "off")
    key = "xo" + "xb-" + random_text(12, string.digits) + "-" + random_text(24)
    (b.folder() / "CLAUDE.md").write_text("\n".join([*lines, f"- bot token {key}"]) + "\n")
    b.sync()
    (a.folder() / "CLAUDE.md").write_text("\n".join(["- a first line from A", *lines]) + "\n")
    a.sync()
    merged = "\n".join(["- a first line from A", *lines, f"- bot token {key}"]) + "\n"
    assert (a.folder() / "CLAUDE.md").read_text() == merged
    assert held(a) == []
    b.sync()
    assert (b.folder() / "CLAUDE.md").read_text() == merged


def test_a_held_text_that_loses_a_conflict_is_not_sent_along(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    a, b = paired(make_laptop, folder_hub, {"CLAUDE.md": "- one\n- two\n- three\n"})
    keys = vault_keys(a)
    key = anthropic_key()
    (a.folder() / "CLAUDE.md").write_text(f"- one\n- two, token {key}\n- three\n")
    a.sync()
    assert held(a) == [("memory", "CLAUDE.md", 2, "an Anthropic API key")]
    (b.folder() / "CLAUDE.md").write_text("- one\n- two, edited on B\n- three\n")
    b.sync()
    a.sync()
    assert (a.folder() / "CLAUDE.md").read_text() == "- one\n- two, edited on B\n- three\n"
    assert a.status()["open_conflicts"] == 1
    assert not on_hub(folder_hub, keys, key)
    assert held(a) == []


CREDENTIALS = {
    ".credentials.json": '{"claudeAiOauth": "credentials-marker-1"}',
    "codex/auth.json": '{"OPENAI_API_KEY": "credentials-marker-2"}',
    "certs/server.pem": "credentials-marker-3",
    ".ssh/id_ed25519": "credentials-marker-4",
    ".ssh/id_rsa": "credentials-marker-5",
}
NOT_CREDENTIALS = {
    ".ssh/id_ed25519.pub": "ssh-ed25519 public part",
    "id_notes.md": "notes about ids\n",
    "CLAUDE.md": MEMORY,
}


def run_as_older_memtray(laptop: Laptop, *args: str) -> None:
    """``memtray ARGS`` on a laptop whose memtray predates the credentials rule (it tracks every file)."""
    code = (
        "import sys; import memtray.sync.globs as globs, memtray.sync.held as held;"
        "globs.is_credentials_file = held.is_credentials_file = lambda path: False;"
        "from memtray.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMTRAY_PASSPHRASE": laptop.passphrase}
    done = subprocess.run(
        [sys.executable, "-c", code, "--home", str(laptop.home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr


def test_credentials_files_never_sync_whatever_the_globs_say(folder_hub: HubEndpoint, make_laptop: MakeLaptop):
    a, b = make_laptop("Laptop-A", folder_hub), make_laptop("Laptop-B", folder_hub)
    a.init()
    for name, text in {**CREDENTIALS, **NOT_CREDENTIALS}.items():
        (a.folder() / name).parent.mkdir(parents=True, exist_ok=True)
        (a.folder() / name).write_text(text)
    a.run("folder", "add", "memory", str(a.folder()), "--include", "**")
    a.sync()
    b.join_from(a)
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    keys = vault_keys(a)
    assert tree(b.folder()) == {name: text.encode() for name, text in NOT_CREDENTIALS.items()}
    assert hub_paths(folder_hub, keys) == set(NOT_CREDENTIALS)
    for text in CREDENTIALS.values():
        assert not on_hub(folder_hub, keys, text)
    assert a.status()["pending_changes"] == 0 and a.status()["problems"] == []

    # A laptop with an older memtray sends one: this laptop does not write it.
    run_as_older_memtray(a, "sync")
    assert on_hub(folder_hub, keys, CREDENTIALS[".credentials.json"])
    b.sync()
    assert not (b.folder() / ".credentials.json").exists() and not (b.folder() / ".ssh" / "id_rsa").exists()
    assert tree(b.folder()) == {name: text.encode() for name, text in NOT_CREDENTIALS.items()}


def test_credentials_file_names():
    for path in (".credentials.json", "a/b/auth.json", "key.pem", "x/SERVER.PEM", "id_rsa", ".ssh/id_ed25519"):
        assert is_credentials_file(path) and not GlobFilter(["**"], []).tracks(path), path
    for path in ("id_rsa.pub", "id_notes.md", "auth.json.md", "notes/credentials.md", "pem.md", "my_id_rsa"):
        assert not is_credentials_file(path) and GlobFilter(["**"], []).tracks(path), path


def planted(line: str) -> bytes:
    return f"# Notes\n\n- first\n{line}\n- last\n".encode()


KINDS = {
    "an Anthropic API key": lambda: "use token " + anthropic_key() + " for evals",
    "an OpenAI API key": lambda: "OPENAI_API_KEY=" + "sk-" + "proj-" + secrets.token_urlsafe(90),
    "a GitHub token": lambda: "github" + "_pat_" + random_text(22) + "_" + random_text(59),
    "an AWS access key": lambda: "key id " + "AK" + "IA" + random_text(16, string.ascii_uppercase + string.digits),
    "an AWS secret key": lambda: "aws_secret_access_key = " + random_text(40, ALNUM + "/+"),
    "a Slack token": lambda: "bot: " + "xo" + "xp-" + random_text(12, string.digits) + "-" + random_text(24),
    "a Slack webhook address": lambda: "https://hooks.slack.com/services/T" + random_text(10) + "/B" + random_text(24),
    "a private key": lambda: "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + random_text(64) + "\n-----END",
    "a Stripe key": lambda: "stripe " + "sk" + "_live_" + random_text(24),
    "a GitLab token": lambda: "gitlab " + "gl" + "pat-" + random_text(20),
    "a Twilio key": lambda: "sid " + "A" + "C" + random_text(32, string.ascii_lowercase + string.digits),
    "a SendGrid key": lambda: "mail " + "SG" + "." + random_text(22) + "." + random_text(43),
    "an npm token": lambda: "//registry.npmjs.org/:_auth" + "Token=" + "npm_" + random_text(36),
    "a PyPI token": lambda: "upload " + "pypi-" + "AgEIcHlwaS5vcmc" + random_text(70),
    "a sign-in token (JWT)": lambda: "bearer " + jwt(),
    "an Azure storage key": lambda: "AccountName=x;Account" + "Key=" + random_text(86, ALNUM + "+/") + "==",
    "a Square secret": lambda: "square " + "sq0" + "csp-" + random_text(43),
    "a Mailchimp key": lambda: "mailchimp " + random_text(32, string.ascii_lowercase + string.digits) + "-us" + "12",
}


def jwt() -> str:
    def part(value: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return ".".join([part({"alg": "HS256", "typ": "JWT"}), part({"sub": random_text(12)}), random_text(43)])


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_key_is_found_on_its_line(kind: str):
    assert first_finding(planted(KINDS[kind]())) == Finding(4, kind)


def ordinary_notes(count: int) -> list[bytes]:
    return [f"# Note {number}\n\n- run the tests with uv run pytest\n- keep modules small\n".encode() for number in
            range(count)]  # fmt: skip


@pytest.mark.parametrize("kind", list(KINDS))
def test_notes_looked_at_together_single_out_the_one_with_a_key(kind: str):
    assert not any(could_hold_a_key(ordinary_notes(300))), "clean notes looked at together are clean"
    texts = ordinary_notes(300)
    texts[137] = planted(KINDS[kind]())
    verdicts = could_hold_a_key(texts)
    assert verdicts[137] and first_finding(texts[137]) == Finding(4, kind)


# Every way a GitLab token or a Twilio key starts (detect-secrets' own patterns): memtray looks for what they all hold
# before it runs those detectors, so each must still be found.
GITLAB_AND_TWILIO = {
    **{f"gitlab {prefix}": prefix + random_text(length) for prefix, length in (
        ("glpat-", 20), ("gldt-", 30), ("glft-", 50), ("glsoat-", 24), ("glrt-", 20), ("GR1348941", 20),
        ("glcbt-", 22), ("glcbt-1f_", 20), ("glimt-", 25), ("glptt-", 40), ("glagent-", 50), ("gloas-", 64),
    )},
    "twilio AC": "AC" + random_text(32, string.ascii_lowercase + string.digits),
    "twilio SK": "SK" + random_text(32, string.ascii_lowercase + string.digits),
}  # fmt: skip


@pytest.mark.parametrize("name", list(GITLAB_AND_TWILIO))
def test_every_form_of_a_gitlab_or_twilio_key_is_found(name: str):
    kind = "a GitLab token" if name.startswith("gitlab") else "a Twilio key"
    texts = ordinary_notes(50)
    texts[7] = planted("key " + GITLAB_AND_TWILIO[name] + " here")
    assert could_hold_a_key(texts)[7]
    assert first_finding(texts[7]) == Finding(4, kind)


def test_clean_notes_are_cleared_without_loading_detect_secrets():
    program = (
        "from memtray.sync.secret_guard import could_hold_a_key\n"
        "note = '- run the tests; keep modules small; glob patterns; ACK'\n"
        "notes = [f'# Note {n}\\n{note}\\n'.encode() for n in range(500)]\n"
        "assert not any(could_hold_a_key(notes))\n"
    )
    assert loaded_after(program, ("detect_secrets", "requests")) == []


def test_notes_are_looked_at_in_groups_and_an_undecodable_one_leaves_its_group_to_be_looked_at_one_by_one():
    many = ordinary_notes(2 * GROUP_BYTES // len(ordinary_notes(1)[0]))
    many[-1] = planted(KINDS["a Stripe key"]())
    verdicts = could_hold_a_key(many)
    assert verdicts[-1] and not verdicts[0], "a key in the last group does not send the first to be looked at"
    texts = [b"caf\xe9 au lait\n", planted(KINDS["a Stripe key"]())]
    assert could_hold_a_key(texts) == [True, True]


def test_ordinary_memory_notes_are_not_findings():
    notes = "\n".join(
        [
            "# Project memory",
            "- Last green commit: 4f9a2c1e8b7d6f5a4c3b2e1d0f9a8b7c6d5e4f3a; image digest sha256:" + "3b" * 32,
            '- "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
            "- integrity sha512-3yHl9UlwdnPmnT2ivf5tunUpMbkVvOOWLiV4HeNcyIy4c2l9zvl+7QaX5gDs4JpNSO3xLW6aXnsvWaw==",
            "- Feature flag 7d3f2b1a-9c8e-4d6f-a5b4-3c2d1e0f9a8b; colours #1E88E5 and #FF7043",
            "- DB for local dev: postgres://postgres:postgres@localhost:5432/app_dev",
            '- config/dev.yaml has password: "changeme"; SECRET_KEY = "django-insecure-dev-only"',
            "- export OPENAI_API_KEY=... in your shell; the code reads os.environ['ANTHROPIC_API_KEY']",
            "- SSH keys start with -----BEGIN OPENSSH PRIVATE KEY----- and live in ~/.ssh",
            "- the build box is 34.120.55.12; Storybook on http://localhost:6006",
            "- npm reads //registry.npmjs.org/:_authToken=${NPM_TOKEN}; run the task-runner with make",
            "- the CI job that failed is task-3f9a2c1e8b7d6f5a4c3b2e1d0f9a8b7c (flaky, rerun it)",
        ]
    )
    assert first_finding(notes.encode()) is None


def test_binary_and_large_files_get_the_patterns_only():
    key = anthropic_key()
    binary = b"\x00\x01SQLite format\n" + os.urandom(2000).replace(b"\n", b" ") + b"\n" + key.encode() + b"\x00"
    assert first_finding(binary) == Finding(3, "an Anthropic API key")
    stripe = "sk" + "_live_" + random_text(24)
    assert first_finding(b"\x00" + planted("stripe " + stripe)) is None
    filler = ("- an ordinary line of notes\n" * (DETECTOR_MAX // 28 + 1)).encode()
    assert first_finding(filler + planted("stripe " + stripe)) is None
    assert first_finding(filler + planted("use " + key)) is not None


def test_lines_the_hub_already_has_are_not_findings():
    key_line = "- token " + anthropic_key()
    text = planted(key_line)
    assert first_finding(text, frozenset({key_line.encode()})) is None
    assert first_finding(text, frozenset({b"- first"})) == Finding(4, "an Anthropic API key")
