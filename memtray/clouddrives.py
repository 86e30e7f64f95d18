"""The folders cloud-drive apps copy between laptops, found where each app really keeps them, and where in such a
folder memtray keeps its storage.

- **Dropbox** writes its accounts to ``info.json`` (``~/.dropbox/`` on Linux and macOS; ``%APPDATA%\\Dropbox\\``,
  ``%LOCALAPPDATA%\\Dropbox\\`` or, for the Microsoft Store app, ``%LOCALAPPDATA%\\Packages\\DropboxInc.Dropbox_*\\
  LocalCache\\Local\\Dropbox\\`` on Windows): ``{"personal": {"path": …, "is_team": false}, "business": {…}}``,
  whose keys may be translated. Without it: ``~/Dropbox``, ``~/Dropbox (Personal)``, and on macOS's File Provider
  ``~/Library/CloudStorage/Dropbox*``.
- **iCloud Drive**: ``~/Library/Mobile Documents/com~apple~CloudDocs`` on macOS, ``%USERPROFILE%\\iCloudDrive`` with
  iCloud for Windows.
- **OneDrive**: the ``OneDrive``, ``OneDriveConsumer`` and ``OneDriveCommercial`` variables on Windows, else
  ``~/OneDrive`` and ``~/OneDrive - <organisation>``; on macOS ``~/Library/CloudStorage/OneDrive-Personal`` and
  ``OneDrive-<organisation>``; on Linux the OneDrive client's ``sync_dir`` (``~/.config/onedrive/config``).
- **Google Drive** (Drive for desktop): streamed, ``My Drive`` on its own drive letter (``G:\\My Drive``) on
  Windows and ``~/Library/CloudStorage/GoogleDrive-<account>/My Drive`` on macOS; mirrored, ``~/My Drive``; the
  older Backup and Sync, ``~/Google Drive``.
- **Nextcloud**: every ``localPath`` in its client's ``nextcloud.cfg`` (``~/.config/Nextcloud``,
  ``%APPDATA%\\Nextcloud``, ``~/Library/Preferences/Nextcloud``), else ``~/Nextcloud``.

memtray never puts its files at the top of such a folder, beside the person's own: its storage is the sub-folder
``memtray`` (``memtray-hub`` from earlier versions is still used where it holds a storage). The home folder,
platform, environment and drive letters are parameters, so tests build each layout in a temp folder.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from memtray.hubs.keys import KEYFILE_PREFIX

STORAGE_FOLDER = "memtray"
EARLIER_STORAGE_FOLDER = "memtray-hub"
GOOGLE_DRIVE_FOLDER = "My Drive"
SMALL_FILE = 1024 * 1024
# What a sync client leaves at the top of the folder it syncs: Dropbox, and Nextcloud's or ownCloud's journal.
ROOT_MARKERS = (".dropbox", ".dropbox.cache", ".sync_*.db", "._sync_*.db", ".owncloudsync.log")
NEXTCLOUD_LOCAL_PATH = re.compile(r"^\d+\\[A-Za-z]+\\\d+\\localPath=(.+)$")
ONEDRIVE_SYNC_DIR = re.compile(r"""^\s*sync_dir\s*=\s*"([^"]+)"\s*$""")


@dataclass(frozen=True)
class CloudDrive:
    """A folder a cloud-drive app copies between laptops, a good home for memtray's storage."""

    label: str
    path: Path


@dataclass(frozen=True)
class Laptop:
    """What detection looks at: the home folder, the platform, the environment and the drive roots."""

    home: Path
    system: str
    env: Mapping[str, str]
    volumes: Sequence[Path]

    def env_path(self, name: str) -> Path | None:
        value = self.env.get(name)
        return Path(value) if value else None

    def config_home(self) -> Path:
        return self.env_path("XDG_CONFIG_HOME") or self.home / ".config"

    def cloud_storage(self, prefix: str) -> list[Path]:
        """macOS's File Provider folders whose name starts with ``prefix``."""
        if self.system != "darwin":
            return []
        return sorted((self.home / "Library" / "CloudStorage").glob(prefix + "*"))


def _default_volumes(system: str) -> list[Path]:
    if system == "win32":
        return [Path(f"{letter}:\\") for letter in "DEFGHIJKLMNOPQRSTUVWXYZ"]
    if system == "darwin":
        return sorted(Path("/Volumes").glob("GoogleDrive*"))
    return []


def _read_small(path: Path) -> str | None:
    try:
        if path.stat().st_size > SMALL_FILE:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _dropbox(laptop: Laptop) -> Iterator[CloudDrive]:
    infos = [laptop.home / ".dropbox" / "info.json"]
    if laptop.system == "win32":
        for variable in ("APPDATA", "LOCALAPPDATA"):
            base = laptop.env_path(variable)
            if base is not None:
                infos.append(base / "Dropbox" / "info.json")
        local = laptop.env_path("LOCALAPPDATA")
        if local is not None:
            store = (local / "Packages").glob("DropboxInc.Dropbox_*/LocalCache/Local/Dropbox/info.json")
            infos += sorted(store)
    for info in infos:
        text = _read_small(info)
        try:
            accounts = json.loads(text) if text else None
        except ValueError:
            continue
        if not isinstance(accounts, dict):
            continue
        for account in accounts.values():
            if isinstance(account, dict) and isinstance(account.get("path"), str):
                yield CloudDrive("Dropbox (work)" if account.get("is_team") else "Dropbox", Path(account["path"]))
    home = laptop.home
    for path in [home / "Dropbox", *sorted(home.glob("Dropbox (*)")), *laptop.cloud_storage("Dropbox")]:
        yield CloudDrive("Dropbox", path)


def _icloud(laptop: Laptop) -> Iterator[CloudDrive]:
    if laptop.system == "darwin":
        yield CloudDrive("iCloud Drive", laptop.home / "Library" / "Mobile Documents" / "com~apple~CloudDocs")
    elif laptop.system == "win32":
        yield CloudDrive("iCloud Drive", laptop.home / "iCloudDrive")


def _onedrive_label(path: Path) -> str:
    """The label of a OneDrive folder: "OneDrive" when personal, "OneDrive (Contoso)" for an organisation's."""
    organisation = re.sub(r"^OneDrive\s*-\s*", "", path.name)
    if organisation in (path.name, "Personal", ""):
        return "OneDrive"
    return f"OneDrive ({organisation})"


def _onedrive(laptop: Laptop) -> Iterator[CloudDrive]:
    home = laptop.home
    found: list[Path] = []
    if laptop.system == "win32":
        found += [p for v in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial") if (p := laptop.env_path(v))]
    if laptop.system == "linux":
        config = _read_small(laptop.config_home() / "onedrive" / "config") or ""
        for line in config.splitlines():
            match = ONEDRIVE_SYNC_DIR.match(line)
            if match:
                value = match.group(1)
                found.append(home / value[1:].lstrip("/") if value.startswith("~") else Path(value))
    found += [path for path in laptop.cloud_storage("OneDrive") if "SharedLibraries" not in path.name]
    found += [home / "OneDrive", *sorted(home.glob("OneDrive - *"))]
    for path in found:
        yield CloudDrive(_onedrive_label(path), path)


def _google_drive(laptop: Laptop) -> Iterator[CloudDrive]:
    home = laptop.home
    for account in laptop.cloud_storage("GoogleDrive"):
        yield CloudDrive("Google Drive", account / GOOGLE_DRIVE_FOLDER)
    for volume in laptop.volumes:
        yield CloudDrive("Google Drive", volume / GOOGLE_DRIVE_FOLDER)
    for path in (home / GOOGLE_DRIVE_FOLDER, home / "Google Drive" / GOOGLE_DRIVE_FOLDER, home / "Google Drive"):
        yield CloudDrive("Google Drive", path)
    if laptop.system == "linux":
        yield from (CloudDrive("Google Drive", home / name) for name in ("GoogleDrive", "google-drive"))


def _nextcloud_config(laptop: Laptop) -> Path:
    if laptop.system == "win32":
        appdata = laptop.env_path("APPDATA") or laptop.home / "AppData" / "Roaming"
        return appdata / "Nextcloud" / "nextcloud.cfg"
    if laptop.system == "darwin":
        return laptop.home / "Library" / "Preferences" / "Nextcloud" / "nextcloud.cfg"
    return laptop.config_home() / "Nextcloud" / "nextcloud.cfg"


def _nextcloud(laptop: Laptop) -> Iterator[CloudDrive]:
    config = _read_small(_nextcloud_config(laptop)) or ""
    for line in config.splitlines():
        match = NEXTCLOUD_LOCAL_PATH.match(line.strip())
        if match:
            yield CloudDrive("Nextcloud", Path(match.group(1).strip().rstrip("/\\") or "/"))
    yield CloudDrive("Nextcloud", laptop.home / "Nextcloud")


def _present(candidates: Iterable[CloudDrive]) -> list[CloudDrive]:
    """The candidates whose folder exists, each folder once, in the order given."""
    seen: set[str] = set()
    present = []
    for drive in candidates:
        try:
            if not drive.path.is_dir():
                continue
            key = os.path.normcase(str(drive.path.resolve()))
        except OSError:
            continue
        if key not in seen:
            seen.add(key)
            present.append(drive)
    return present


def detect_cloud_drives(
    home: Path | None = None,
    system: str | None = None,
    env: Mapping[str, str] | None = None,
    volumes: Sequence[Path] | None = None,
) -> list[CloudDrive]:
    """Cloud-drive folders present on this laptop: Dropbox, iCloud Drive, OneDrive, Google Drive, then Nextcloud.

    ``volumes`` are the roots where Google Drive may mount its own drive (Windows' drive letters by default)."""
    platform = system or sys.platform
    laptop = Laptop(
        home if home is not None else Path.home(),
        platform,
        os.environ if env is None else env,
        _default_volumes(platform) if volumes is None else volumes,
    )
    drives: list[CloudDrive] = []
    for service in (_dropbox, _icloud, _onedrive, _google_drive, _nextcloud):
        drives += _present(service(laptop))
    return _present(drives)


def holds_storage(folder: Path) -> bool:
    """Whether ``folder`` already is a memtray storage (it has the key file of some laptops' synced memory)."""
    return (folder / KEYFILE_PREFIX).is_dir()


def looks_like_cloud_drive(folder: Path, drives: Sequence[CloudDrive] = ()) -> bool:
    """Whether ``folder`` is the top of a cloud drive: one detected, or one whose sync client marks its folder."""
    try:
        target = folder.resolve()
        if any(drive.path.resolve() == target for drive in drives):
            return True
        return any(next(iter(folder.glob(marker)), None) is not None for marker in ROOT_MARKERS)
    except OSError:
        return False


def storage_folder_in(drive_folder: Path) -> Path:
    """Where memtray keeps its storage in a cloud drive: its ``memtray`` folder (or an earlier one in use)."""
    for name in (STORAGE_FOLDER, EARLIER_STORAGE_FOLDER):
        if holds_storage(drive_folder / name):
            return drive_folder / name
    return drive_folder / STORAGE_FOLDER


def storage_folder_for(chosen: Path, drives: Sequence[CloudDrive] = ()) -> Path:
    """The storage folder for a folder the person picked: the folder itself if it already holds a storage, its
    ``memtray`` sub-folder if it is the top of a cloud drive, else the folder itself."""
    if holds_storage(chosen):
        return chosen
    if looks_like_cloud_drive(chosen, drives):
        return storage_folder_in(chosen)
    return chosen
