"""Adding a laptop with a short setup code (issue 12): a code that names the synced memory, not a path.

Laptop A keeps its hub folder in ``~/Dropbox/memtray``; laptop B's Dropbox lives elsewhere (its ``info.json`` says
where), and a stand-in for the Dropbox app copies new files between the two folders. Real ``memtray`` processes,
one HOME each. Mistyped codes, the QR code (read back with a real decoder) and a memtray hub's codes too.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from memtray.errors import SetupCodeError
from memtray.service.setupcode import (
    CROCKFORD,
    TYPING_MISTAKE,
    SetupCode,
    ShortCode,
    decode_short_code,
    join_target,
)
from tests.servers import HubEndpoint, folder_endpoint
from tests.servers.http_hub import http_hub_endpoint
from tests.support.laptops import Laptop, tree
from tests.support.qr import HALF_BLOCKS, decode_modules, modules_from_text

MakeLaptop = Callable[[str, HubEndpoint], Laptop]
SHORT_CODE_SHAPE = r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$"


def user_home(laptop: Laptop) -> Path:
    return laptop.root / "user"


def on_its_own_desktop(laptop: Laptop) -> Laptop:
    """The laptop's memtray processes see its own home folder, and only the cloud drives in it."""
    home = user_home(laptop)
    home.mkdir(exist_ok=True)
    laptop.env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")})
    return laptop


def copy_like_a_cloud_drive(first: Path, second: Path) -> None:
    """What Dropbox does between two laptops, for memtray's write-once files: each new file reaches the other."""
    for source, target in ((first, second), (second, first)):
        for path in source.rglob("*"):
            copy = target / path.relative_to(source)
            if path.is_file() and not path.name.startswith(".") and not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)


def codes_printed(laptop: Laptop, *extra: str) -> tuple[str | None, str, list[str]]:
    """The short code (if printed), the full code (the last line) and the QR code's lines of ``setup-code``."""
    lines = laptop.run("setup-code", *extra).stdout.splitlines()
    short = next((line.strip() for line in lines if line.startswith("    ") and "-" in line), None)
    qr = [line for line in lines if len(line) > 20 and set(line) <= set(HALF_BLOCKS)]
    return short, lines[-1], qr


@pytest.fixture
def make_laptop(tmp_path: Path) -> MakeLaptop:
    def make(name: str, endpoint: HubEndpoint) -> Laptop:
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        return on_its_own_desktop(Laptop(name, root, endpoint))

    return make


@pytest.fixture
def laptop_a(make_laptop: MakeLaptop, tmp_path: Path) -> Laptop:
    """Laptop A with its hub folder in ~/Dropbox/memtray and one memory file, synced."""
    a = make_laptop("Laptop-A", folder_endpoint(tmp_path / "Laptop-A" / "user" / "Dropbox" / "memtray"))
    a.init()
    a.folder().mkdir()
    (a.folder() / "CLAUDE.md").write_text("# Written on laptop A\n")
    a.run("folder", "add", "memory", str(a.folder()))
    a.sync()
    return a


def laptop_b_with_dropbox_at(make_laptop: MakeLaptop, tmp_path: Path, dropbox: str) -> tuple[Laptop, Path]:
    """Laptop B, whose Dropbox app keeps its folder at ``dropbox`` (under B's root) and says so in info.json."""
    b = make_laptop("Laptop-B", folder_endpoint(tmp_path / "unused-b-hub"))
    folder = b.root / dropbox
    folder.mkdir(parents=True)
    info = user_home(b) / ".dropbox" / "info.json"
    info.parent.mkdir(parents=True)
    info.write_text(json.dumps({"personal": {"path": str(folder), "host": 1, "is_team": False}}))
    return b, folder


def test_a_short_code_is_short_grouped_base32_and_forgiving_to_type() -> None:
    ids = (hashlib.sha256(str(n).encode()).hexdigest()[:32] for n in range(1000))
    vault_id = next(v for v in ids if {"0", "1"} <= set(ShortCode.for_vault(v).encode()))
    code = ShortCode.for_vault(vault_id).encode()
    assert len(code) <= 30
    assert re.match(SHORT_CODE_SHAPE, code), code
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert decode_short_code(sloppy) == ShortCode.for_vault(vault_id)
    assert join_target(f"  {sloppy}\n") == ShortCode.for_vault(vault_id)
    assert ShortCode.for_vault(vault_id).matches(vault_id)
    assert not ShortCode.for_vault(vault_id).matches(secrets.token_hex(16))


@pytest.mark.parametrize("seed", range(12))
def test_every_single_wrong_letter_and_every_swap_of_neighbours_is_refused_with_a_plain_sentence(seed: int) -> None:
    symbols = ShortCode.for_vault(secrets.token_hex(16)).encode().replace("-", "")
    typos = [symbols[:i] + other + symbols[i + 1 :] for i in range(len(symbols)) for other in CROCKFORD]
    typos += [symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2 :] for i in range(len(symbols) - 1)]
    for typo in {typo for typo in typos if typo != symbols}:
        with pytest.raises(SetupCodeError) as refused:
            decode_short_code(typo)
        assert str(refused.value) == TYPING_MISTAKE


def test_a_code_missing_a_letter_says_how_long_a_code_is() -> None:
    code = ShortCode.for_vault(secrets.token_hex(16)).encode()
    with pytest.raises(SetupCodeError, match="has 15 letters and digits, and a setup code has 16"):
        join_target(code[:-1])


def test_old_long_codes_and_folder_paths_still_mean_what_they_meant(tmp_path: Path) -> None:
    old = SetupCode(tmp_path.as_uri(), "ab" * 16, None).encode()
    assert join_target(old) == SetupCode(tmp_path.as_uri(), "ab" * 16, None)
    named_like_a_code = tmp_path / "ABCDEFGHJK"
    named_like_a_code.mkdir()
    assert join_target(str(named_like_a_code)) == SetupCode(str(named_like_a_code), "", None)


def test_two_laptops_with_dropbox_in_different_places_join_with_the_short_code_and_sync(
    make_laptop: MakeLaptop, tmp_path: Path, laptop_a: Laptop
) -> None:
    b, b_dropbox = laptop_b_with_dropbox_at(make_laptop, tmp_path, "elsewhere/Dropbox")
    a_dropbox = user_home(laptop_a) / "Dropbox"
    copy_like_a_cloud_drive(a_dropbox, b_dropbox)
    short, full, _ = codes_printed(laptop_a)
    assert short is not None and len(short) <= 30
    assert str(a_dropbox) not in short and full.startswith("MT1-")

    b.run("join", short.lower(), "--device-name", "Laptop B")
    config = json.loads((b.home / "config" / "config.json").read_text())
    assert config["hub_url"] == (b_dropbox / "memtray").as_uri()
    copy_like_a_cloud_drive(a_dropbox, b_dropbox)
    b.run("folder", "map", "memory", str(b.folder()))
    b.sync()
    assert tree(b.folder()) == {"CLAUDE.md": b"# Written on laptop A\n"}

    (b.folder() / "AGENTS.md").write_text("Written on laptop B.\n")
    b.sync()
    copy_like_a_cloud_drive(a_dropbox, b_dropbox)
    laptop_a.sync()
    assert tree(laptop_a.folder()) == tree(b.folder())


def test_an_old_long_code_naming_a_folder_this_laptop_lacks_finds_the_vault_in_its_cloud_drive(
    make_laptop: MakeLaptop, tmp_path: Path, laptop_a: Laptop
) -> None:
    b, b_dropbox = laptop_b_with_dropbox_at(make_laptop, tmp_path, "CloudStorage/Dropbox")
    copy_like_a_cloud_drive(user_home(laptop_a) / "Dropbox", b_dropbox)
    _, full, _ = codes_printed(laptop_a)
    shutil.move(user_home(laptop_a) / "Dropbox", tmp_path / "A's Dropbox is not on laptop B")
    b.run("join", full, "--device-name", "Laptop B")
    config = json.loads((b.home / "config" / "config.json").read_text())
    assert config["hub_url"] == (b_dropbox / "memtray").as_uri()


def test_another_vault_in_the_cloud_drive_is_passed_over(
    make_laptop: MakeLaptop, tmp_path: Path, laptop_a: Laptop
) -> None:
    b, b_dropbox = laptop_b_with_dropbox_at(make_laptop, tmp_path, "elsewhere/Dropbox")
    stranger = make_laptop("Stranger", folder_endpoint(b_dropbox / "memtray"))
    stranger.init()
    shutil.copytree(user_home(laptop_a) / "Dropbox" / "memtray", b_dropbox / "memtray-hub")
    short, _, _ = codes_printed(laptop_a)
    assert short is not None
    b.run("join", short, "--device-name", "Laptop B")
    config = json.loads((b.home / "config" / "config.json").read_text())
    assert config["hub_url"] == (b_dropbox / "memtray-hub").as_uri()
    assert config["vault_id"] != json.loads((stranger.home / "config" / "config.json").read_text())["vault_id"]


def test_when_the_cloud_drive_has_not_copied_the_storage_yet_the_join_says_so_and_binds_nothing(
    make_laptop: MakeLaptop, tmp_path: Path, laptop_a: Laptop
) -> None:
    b, _ = laptop_b_with_dropbox_at(make_laptop, tmp_path, "elsewhere/Dropbox")
    short, _, _ = codes_printed(laptop_a)
    assert short is not None
    refused = b.run("join", short, check=False)
    assert refused.returncode == 2
    assert "looked in this laptop's Dropbox folder" in refused.stderr
    assert "still copying" in refused.stderr and "--hub-folder FOLDER" in refused.stderr
    assert not (b.home / "config" / "config.json").exists()

    elsewhere = tmp_path / "usb-stick"
    copy_like_a_cloud_drive(user_home(laptop_a) / "Dropbox", elsewhere)
    b.run("join", short, "--hub-folder", str(elsewhere), "--device-name", "Laptop B")
    config = json.loads((b.home / "config" / "config.json").read_text())
    assert config["hub_url"] == (elsewhere / "memtray").as_uri()


def test_a_mistyped_short_code_is_refused_and_binds_nothing(
    make_laptop: MakeLaptop, tmp_path: Path, laptop_a: Laptop
) -> None:
    b, b_dropbox = laptop_b_with_dropbox_at(make_laptop, tmp_path, "elsewhere/Dropbox")
    copy_like_a_cloud_drive(user_home(laptop_a) / "Dropbox", b_dropbox)
    short, _, _ = codes_printed(laptop_a)
    assert short is not None
    swapped = short[:5] + short[6] + short[5] + short[7:]
    if swapped == short:
        swapped = short[:-1] + ("0" if short[-1] != "0" else "1")
    refused = b.run("join", swapped, check=False)
    assert refused.returncode == 2
    assert TYPING_MISTAKE in refused.stderr
    assert not (b.home / "config" / "config.json").exists()


def test_the_terminal_qr_code_reads_back_as_the_full_code(laptop_a: Laptop) -> None:
    _, full, qr = codes_printed(laptop_a, "--qr")
    assert qr, "setup-code --qr printed no QR code"
    assert "\x1b[" not in "".join(qr), "colours only in a terminal"
    assert decode_modules(modules_from_text(qr)) == [full]


def test_a_memtray_hub_gets_no_short_code_and_its_qr_code_holds_the_one_time_invite(
    make_laptop: MakeLaptop, tmp_path: Path
) -> None:
    with http_hub_endpoint(tmp_path / "server") as hub:
        a = make_laptop("Laptop-A", hub)
        a.init()
        short, full, qr = codes_printed(a, "--qr")
        assert short is None
        assert decode_modules(modules_from_text(qr)) == [full]
        b = make_laptop("Laptop-B", hub)
        b.run("join", full, "--device-name", "Laptop B")
        c = make_laptop("Laptop-C", hub)
        used = c.run("join", full, check=False)
        assert used.returncode != 0, "an invite must work once"
