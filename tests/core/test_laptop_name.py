"""This laptop's default name from what each OS says, and renaming it: the new name reaches the other laptop with
this laptop's next log entry (service, command line)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from memtray.errors import UsageError
from memtray.laptop_name import (
    Facts,
    NameWords,
    Probe,
    clean_laptop_name,
    default_laptop_name,
    mac_model,
    name_from,
)
from memtray.paths import resolve_home
from memtray.service import Service
from tests.servers.http_hub import memtray_command, memtray_env

PASSPHRASE = "correct horse battery staple"


class Computer(Probe):
    """One computer's answers: files under a temp root (``/sys/class/dmi/id``), commands' output, the account."""

    def __init__(
        self,
        root: Path,
        *,
        dmi: dict[str, str] | None = None,
        commands: dict[str, str] | None = None,
        full_name: str = "",
        battery: bool | None = None,
        host: str = "vm",
    ) -> None:
        super().__init__(root)
        for name, value in (dmi or {}).items():
            path = root / "sys" / "class" / "dmi" / "id" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(value + "\n", encoding="utf-8")
        self.commands = commands or {}
        self._full_name = full_name
        self._battery = battery
        self._host = host

    def run(self, command: Sequence[str]) -> str:
        return self.commands.get(" ".join(command), "")

    def full_name(self, user: str) -> str:
        return self._full_name if user == "alice" else ""

    def has_battery(self) -> bool | None:
        return self._battery

    def host(self) -> str:
        return self._host


ALICE = {"USER": "alice"}


@pytest.mark.parametrize(
    ("dmi", "expected"),
    [
        ({"sys_vendor": "Dell Inc.", "product_name": "XPS 13 9310", "chassis_type": "10"}, "Alice's XPS 13 9310"),
        (
            {"sys_vendor": "LENOVO", "product_name": "20XW0055GE", "product_version": "ThinkPad X1 Carbon Gen 9"},
            "Alice's ThinkPad X1 Carbon Gen 9",
        ),
        ({"product_name": "To Be Filled By O.E.M.", "chassis_type": "3"}, "Alice's PC"),
        ({"product_name": "System Product Name", "chassis_type": "9"}, "Alice's laptop"),
        (
            {"sys_vendor": "QEMU", "product_name": "Standard PC (Q35 + ICH9, 2009)", "chassis_type": "1"},
            "Alice's laptop",
        ),
        ({"sys_vendor": "innotek GmbH", "product_name": "VirtualBox", "chassis_type": "1"}, "Alice's laptop"),
        ({}, "Alice's laptop"),
    ],
)
def test_linux_uses_the_full_name_and_the_model_or_chassis(tmp_path: Path, dmi: dict[str, str], expected: str) -> None:
    computer = Computer(tmp_path, dmi=dmi, full_name="Alice Liddell,Room 4,,")
    assert default_laptop_name("linux", ALICE, computer) == expected


def test_without_a_full_name_the_login_name_stands_in_never_the_host_name(tmp_path: Path) -> None:
    assert default_laptop_name("linux", {"USER": "bob"}, Computer(tmp_path, host="vm")) == "bob's laptop"
    assert name_from(Facts(user="", host="vm")) == "vm"


def test_macos_uses_the_computer_name_else_the_first_name_and_the_model(tmp_path: Path) -> None:
    named = Computer(
        tmp_path,
        commands={"scutil --get ComputerName": "Alice’s MacBook Pro", "sysctl -n hw.model": "MacBookPro18,3"},
        full_name="Alice Liddell",
        host="Alices-MacBook-Pro",
    )
    assert default_laptop_name("darwin", ALICE, named) == "Alice’s MacBook Pro"
    plain = Computer(
        tmp_path,
        commands={"scutil --get ComputerName": "vm", "sysctl -n hw.model": "MacBookAir10,1"},
        full_name="Alice Liddell",
        host="vm",
    )
    assert default_laptop_name("darwin", ALICE, plain) == "Alice's MacBook Air"
    from_id = Computer(tmp_path, commands={"sysctl -n hw.model": "Mac14,2", "id -F": "Alice Liddell"})
    assert default_laptop_name("darwin", ALICE, from_id) == "Alice's Mac"
    assert [mac_model(m) for m in ("iMac21,1", "Macmini9,1", "MacPro7,1", "MacBook10,1", "Mystery1,1")] == [
        "iMac",
        "Mac mini",
        "Mac Pro",
        "MacBook",
        "",
    ]


def test_windows_uses_the_display_name_and_the_battery(tmp_path: Path) -> None:
    env = {"USERNAME": "alice"}
    assert default_laptop_name("win32", env, Computer(tmp_path, full_name="Alice Liddell", battery=True)) == (
        "Alice's laptop"
    )
    assert default_laptop_name("win32", env, Computer(tmp_path, full_name="Alice Liddell", battery=False)) == (
        "Alice's PC"
    )


def test_the_words_around_the_names_are_given_in_the_person_s_language(tmp_path: Path) -> None:
    german = NameWords(owned="{thing} von {who}", laptop="Laptop", pc="PC")
    dell = Computer(tmp_path / "dell", dmi={"product_name": "XPS 13 9310", "chassis_type": "10"}, full_name="Alice L")
    assert default_laptop_name("linux", ALICE, dell, german) == "XPS 13 9310 von Alice"
    notebook = Computer(tmp_path / "notebook", dmi={"chassis_type": "9"}, full_name="Alice Liddell")
    assert default_laptop_name("linux", ALICE, notebook, german) == "Laptop von Alice"
    assert default_laptop_name("linux", {"USER": "bob"}, Computer(tmp_path, host="vm"), german) == "Laptop von bob"
    tower = Computer(tmp_path, full_name="Alice Liddell", battery=False)
    desktop = NameWords(pc="Desktop-PC")
    assert default_laptop_name("win32", {"USERNAME": "alice"}, tower, desktop) == "Alice's Desktop-PC"
    mac = Computer(tmp_path, commands={"sysctl -n hw.model": "Mac14,2", "id -F": "Alice Liddell"})
    assert default_laptop_name("darwin", ALICE, mac, german) == "Mac von Alice"
    assert name_from(Facts(user="", host=""), german) == "Laptop"


def test_this_computer_gets_a_name_that_is_not_just_its_host_name() -> None:
    name = default_laptop_name()
    assert name.strip() and len(name) <= 60


def test_a_typed_name_is_tidied_and_checked() -> None:
    assert clean_laptop_name("  Work\tlaptop \n") == "Work laptop"
    with pytest.raises(UsageError, match="at least one letter"):
        clean_laptop_name(" - ")
    with pytest.raises(UsageError, match="at most 60"):
        clean_laptop_name("x" * 61)


def test_a_renamed_laptop_shows_its_new_name_on_the_other_laptop(tmp_path: Path) -> None:
    first = Service(resolve_home(tmp_path / "a"))
    second = Service(resolve_home(tmp_path / "b"))
    try:
        first.init(str(tmp_path / "storage"), PASSPHRASE, device_name="vm")
        first.sync()
        second.join(first.setup_code(), PASSPHRASE, device_name="vm")
        second.sync()
        assert sorted(device.name for device in second.devices()) == ["vm", "vm"]

        first.rename_laptop("  Alice's   MacBook Air ")
        assert [d.name for d in first.devices() if d.this_device] == ["Alice's MacBook Air"]
        assert first.status().device_name == "Alice's MacBook Air"
        first.sync()
        second.sync()
        names = {device.name: device.this_device for device in second.devices()}
        assert names == {"Alice's MacBook Air": False, "vm": True}
        entries = sorted((tmp_path / "storage" / "log" / first.config.device_id).iterdir())
        first.sync()
        assert sorted((tmp_path / "storage" / "log" / first.config.device_id).iterdir()) == entries, (
            "a name that has travelled is not sent again"
        )
        with pytest.raises(UsageError):
            first.rename_laptop("   ")
        assert Service(first.home).config.device_name == "Alice's MacBook Air"
    finally:
        first.close()
        second.close()


def test_devices_rename_on_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "laptop"
    service = Service(resolve_home(home))
    try:
        service.init(str(tmp_path / "storage"), PASSPHRASE, device_name="vm")
    finally:
        service.close()
    done = subprocess.run(
        memtray_command("--home", str(home), "devices", "rename", "Home PC"),
        capture_output=True,
        text=True,
        env=memtray_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Home PC" in done.stdout
    listed = subprocess.run(
        memtray_command("--home", str(home), "devices"),
        capture_output=True,
        text=True,
        env=memtray_env(),
        timeout=120,
        check=False,
    )
    assert listed.stdout.startswith("Home PC (this laptop)"), listed.stdout
    refused = subprocess.run(
        memtray_command("--home", str(home), "devices", "rename", "   "),
        capture_output=True,
        text=True,
        env=memtray_env(),
        timeout=120,
        check=False,
    )
    assert refused.returncode != 0 and "at least one letter" in refused.stderr


def test_a_laptop_set_up_without_a_name_gets_the_recognisable_default(tmp_path: Path) -> None:
    service = Service(resolve_home(tmp_path / "a"))
    try:
        service.init(str(tmp_path / "storage"), PASSPHRASE)
        assert service.status().device_name == default_laptop_name()
    finally:
        service.close()
