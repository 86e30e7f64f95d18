"""A name for this laptop that a person recognises in the list of laptops: "Alice's MacBook Air", "Bob's PC".

What the OS says, in order:
- macOS: the computer's name as the person set it (``scutil --get ComputerName``, "Alice's MacBook Pro" by default),
  else the first name from the account's full name with the model (``sysctl -n hw.model``: ``MacBookAir10,1`` is a
  "MacBook Air").
- Windows: the first name from the account's display name, with "laptop" when the computer has a battery, else "PC".
- Linux: the first name from the account's full name (GECOS), with the model from ``/sys/class/dmi/id`` (a virtual
  machine's or a placeholder "System Product Name" does not count), else "laptop" or "PC" from its chassis type.
Without a full name the login name stands in ("alice's laptop"); the host name only when there is nothing else.
The words around the names ("'s", "laptop", "PC") are ``NameWords``: English here, the person's language in the UI.

``clean_laptop_name`` checks a name a person typed. The facts are read through a ``Probe``, so tests give each OS's
answers from files in a temp folder.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from memtray.errors import UsageError

MAX_NAME = 60
COMMAND_SECONDS = 3
DMI = "sys/class/dmi/id"
# SMBIOS chassis types (DMTF DSP0134, 7.4.1).
LAPTOP_CHASSIS = frozenset({8, 9, 10, 14, 31, 32})
DESKTOP_CHASSIS = frozenset({3, 4, 5, 6, 7, 13, 15, 16, 24, 35, 36})
PLACEHOLDER_MODELS = re.compile(
    r"^(|to be filled by o\.?e\.?m\.?|system product name|system version|default string|not applicable|none|"
    r"not specified|type1productconfigid|all series|invalid|standard pc .*|virtualbox|kvm|bochs|qemu.*|"
    r"vmware.*|virtual machine|openstack nova|hvm domu|google compute engine|cloud hypervisor)$",
    re.IGNORECASE,
)
# ``hw.model`` prefixes, longest first: "MacBookPro18,3" is a MacBook Pro. Newer models are all "Mac15,3".
MAC_MODELS = (
    ("MacBookPro", "MacBook Pro"),
    ("MacBookAir", "MacBook Air"),
    ("MacBook", "MacBook"),
    ("iMacPro", "iMac Pro"),
    ("iMac", "iMac"),
    ("Macmini", "Mac mini"),
    ("MacPro", "Mac Pro"),
    ("Mac", "Mac"),
)
NAME_DISPLAY = 3  # EXTENDED_NAME_FORMAT's NameDisplay, for GetUserNameExW
NO_SYSTEM_BATTERY = 128


class Probe:
    """Where the facts come from: files under ``root``, commands, the account database and Windows' own calls."""

    def __init__(self, root: Path = Path("/")) -> None:
        self.root = root

    def read(self, relative: str) -> str:
        try:
            return (self.root / relative).read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""

    def run(self, command: Sequence[str]) -> str:
        try:
            done = subprocess.run(list(command), capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    def full_name(self, user: str) -> str:
        """The account's full name: GECOS on Linux and macOS, the display name on Windows."""
        if sys.platform == "win32":
            return _windows_display_name()
        try:
            import pwd

            return pwd.getpwnam(user).pw_gecos.split(",")[0].strip()
        except (ImportError, KeyError):
            return ""

    def has_battery(self) -> bool | None:
        """Windows: whether the computer has a battery; None when it cannot say."""
        if sys.platform != "win32":
            return None
        return _windows_has_battery()

    def host(self) -> str:
        return socket.gethostname().split(".")[0]


def _windows_display_name() -> str:
    import ctypes

    size = ctypes.c_ulong(256)
    buffer = ctypes.create_unicode_buffer(size.value)
    secur32 = ctypes.windll.secur32  # type: ignore[attr-defined,unused-ignore]
    if not secur32.GetUserNameExW(NAME_DISPLAY, buffer, ctypes.byref(size)):
        return ""
    return str(buffer.value).strip()


def _windows_has_battery() -> bool | None:
    import ctypes

    class PowerStatus(ctypes.Structure):
        _fields_ = [
            ("ACLineStatus", ctypes.c_ubyte),
            ("BatteryFlag", ctypes.c_ubyte),
            ("BatteryLifePercent", ctypes.c_ubyte),
            ("SystemStatusFlag", ctypes.c_ubyte),
            ("BatteryLifeTime", ctypes.c_ulong),
            ("BatteryFullLifeTime", ctypes.c_ulong),
        ]

    status = PowerStatus()
    if not ctypes.windll.kernel32.GetSystemPowerStatus(ctypes.byref(status)):  # type: ignore[attr-defined,unused-ignore]
        return None
    if status.BatteryFlag == 255:
        return None
    return not status.BatteryFlag & NO_SYSTEM_BATTERY


@dataclass(frozen=True)
class Facts:
    """What the OS says about the person and the computer; "" where it says nothing."""

    user: str
    full_name: str = ""
    model: str = ""
    kind: str = ""
    computer_name: str = ""
    host: str = ""


@dataclass(frozen=True)
class NameWords:
    """How a default name is put together: ``owned`` with ``{who}`` and ``{thing}``, and the words for the kinds."""

    owned: str = "{who}'s {thing}"
    laptop: str = "laptop"
    pc: str = "PC"

    def name(self, who: str, model: str, kind: str) -> str:
        thing = model or {"laptop": self.laptop, "PC": self.pc}.get(kind, kind) or self.laptop
        return self.owned.replace("{who}", who).replace("{thing}", thing)


ENGLISH = NameWords()


def first_name(full_name: str) -> str:
    """The first word of a full name ("Alice" of "Alice Smith"); "" when there is none."""
    words = full_name.split()
    return words[0] if words else ""


def name_from(facts: Facts, words: NameWords = ENGLISH) -> str:
    """The name: the computer's own name, "<first name>'s <model or kind>", "<user>'s laptop", else the host name."""
    if facts.computer_name and facts.computer_name.lower() != facts.host.lower():
        return facts.computer_name
    who = first_name(facts.full_name) or facts.user
    if not who:
        return facts.host or words.laptop
    return words.name(who, facts.model, facts.kind)


def _linux_model(probe: Probe) -> str:
    vendor = probe.read(f"{DMI}/sys_vendor")
    name, version = probe.read(f"{DMI}/product_name"), probe.read(f"{DMI}/product_version")
    # Lenovo puts the machine type ("20XW0055GE") in product_name and the model ("ThinkPad X1 Carbon Gen 9") here.
    if vendor.upper().startswith("LENOVO") and not PLACEHOLDER_MODELS.match(version):
        return version
    return "" if PLACEHOLDER_MODELS.match(name) else name


def _linux_kind(probe: Probe) -> str:
    chassis = probe.read(f"{DMI}/chassis_type")
    number = int(chassis) if chassis.isdigit() else 0
    if number in LAPTOP_CHASSIS:
        return "laptop"
    return "PC" if number in DESKTOP_CHASSIS else ""


def mac_model(hw_model: str) -> str:
    """The model's name for ``sysctl hw.model`` ("MacBook Air" for ``MacBookAir10,1``); "" when unknown."""
    family = re.sub(r"[\d,]+$", "", hw_model.strip())
    return next((name for prefix, name in MAC_MODELS if family == prefix), "")


def gather(system: str, env: Mapping[str, str], probe: Probe) -> Facts:
    """What ``probe`` says on ``system`` ("linux", "darwin", "win32")."""
    user = env.get("USER") or env.get("USERNAME") or env.get("LOGNAME") or _login_name()
    full_name = probe.full_name(user) if user else ""
    host = probe.host()
    if system == "darwin":
        model = mac_model(probe.run(["sysctl", "-n", "hw.model"]))
        computer = probe.run(["scutil", "--get", "ComputerName"])
        return Facts(user, full_name or probe.run(["id", "-F"]), model, "Mac", computer, host)
    if system == "win32":
        battery = probe.has_battery()
        kind = "" if battery is None else "laptop" if battery else "PC"
        return Facts(user, full_name, "", kind, "", host)
    return Facts(user, full_name, _linux_model(probe), _linux_kind(probe), "", host)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def default_laptop_name(
    system: str | None = None,
    env: Mapping[str, str] | None = None,
    probe: Probe | None = None,
    words: NameWords = ENGLISH,
) -> str:
    """This laptop's name until the person picks another (see the module's docstring)."""
    facts = gather(system or sys.platform, os.environ if env is None else env, probe or Probe())
    return clean_laptop_name(name_from(facts, words), fallback=facts.host or words.laptop)


def clean_laptop_name(name: str, fallback: str | None = None) -> str:
    """``name`` with its spaces tidied; a name with nothing to read, or too long, is refused (or ``fallback``)."""
    tidy = " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())
    if not any(ch.isalnum() for ch in tidy):
        if fallback is not None:
            return fallback
        raise UsageError("A laptop's name needs at least one letter or digit.")
    if len(tidy) > MAX_NAME:
        if fallback is not None:
            return tidy[:MAX_NAME].rstrip()
        raise UsageError(f"A laptop's name can be at most {MAX_NAME} characters long.")
    return tidy
