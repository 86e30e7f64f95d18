"""Finding the folder that holds a vault on the joining laptop, for a setup code that names the vault, not a path.

Each laptop's cloud drive lives at a place of its own (``~/Dropbox`` here, ``~/Library/CloudStorage/Dropbox``
there), so the joining laptop looks in its own cloud-drive folders: in each, the ``memtray`` sub-folder, the
``memtray-hub`` one of earlier versions, then the drive's top. A folder the person points at is searched the same
way, so choosing the Dropbox folder itself finds the storage inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from memtray.clouddrives import EARLIER_STORAGE_FOLDER, STORAGE_FOLDER, CloudDrive, detect_cloud_drives, holds_storage
from memtray.errors import MemtrayError, StorageNotFoundError
from memtray.hubs import hub_kind, normalise_hub_url
from memtray.hubs.folder import FolderHub
from memtray.service.keyfile import latest_on_hub
from memtray.service.setupcode import SetupCode, ShortCode

VaultWanted = Callable[[str], bool]
STILL_COPYING = "If the cloud drive on this laptop is still copying, wait until it has finished, then try again."


def places_in(folder: Path) -> list[Path]:
    """Where a storage may sit in ``folder``: its memtray sub-folder, the earlier memtray-hub one, or itself."""
    return [folder / STORAGE_FOLDER, folder / EARLIER_STORAGE_FOLDER, folder]


def vault_in(folder: Path) -> str | None:
    """The id of the vault whose storage is ``folder``, or None when it holds none (or none memtray can read)."""
    if not holds_storage(folder):
        return None
    try:
        keyfile = latest_on_hub(FolderHub(folder.as_uri()))
    except (MemtrayError, OSError):
        return None
    return keyfile.vault_id if keyfile is not None else None


def locate(code: SetupCode | ShortCode, chosen: str | None = None) -> SetupCode:
    """Where this laptop reaches the vault ``code`` names: for a short code, or a full one whose storage folder is
    not on this laptop, the vault's storage folder in ``chosen`` (the folder the person picked) or else in this
    laptop's cloud drives. Any other code, or a hub's address, is used as it is."""
    if isinstance(code, ShortCode):
        wanted: VaultWanted = code.matches
    elif code.vault_id and hub_kind(code.hub_url) == "folder" and (chosen or not _is_folder_here(code.hub_url)):
        wanted = code.vault_id.__eq__
    else:
        return code
    folder, vault_id = find_in_chosen(Path(chosen).expanduser(), wanted) if chosen else find_in_cloud_drives(wanted)
    return SetupCode(folder.as_uri(), vault_id, None)


def _is_folder_here(hub_url: str) -> bool:
    return FolderHub(normalise_hub_url(hub_url)).root.is_dir()


def find_in(folders: Sequence[Path], wanted: VaultWanted) -> tuple[Path, str] | None:
    """The first storage folder in or at ``folders`` that holds the wanted vault, and that vault's id."""
    for folder in folders:
        for place in places_in(folder):
            vault_id = vault_in(place)
            if vault_id is not None and wanted(vault_id):
                return place, vault_id
    return None


def find_in_cloud_drives(wanted: VaultWanted, drives: Sequence[CloudDrive] | None = None) -> tuple[Path, str]:
    """The wanted vault's storage folder in this laptop's cloud drives; if it is in none, say where memtray looked."""
    searched = detect_cloud_drives() if drives is None else drives
    found = find_in([drive.path for drive in searched], wanted)
    if found is not None:
        return found
    if not searched:
        raise StorageNotFoundError(
            "memtray found no cloud-drive folder on this laptop (Dropbox, iCloud Drive, OneDrive, Google Drive, "
            "Nextcloud) to look for your storage in. Say where your other laptop keeps it."
        )
    labels = list(dict.fromkeys(drive.label for drive in searched))
    names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    folders = "folder" if len(searched) == 1 else "folders"
    raise StorageNotFoundError(
        f"memtray looked in this laptop's {names} {folders} and did not find the storage your other laptop uses. "
        f"{STILL_COPYING} Otherwise say where that folder is."
    )


def find_in_chosen(folder: Path, wanted: VaultWanted) -> tuple[Path, str]:
    """The wanted vault's storage folder in or at the folder the person chose."""
    found = find_in([folder], wanted)
    if found is not None:
        return found
    if any(vault_in(place) is not None for place in places_in(folder)):
        raise StorageNotFoundError(
            f"The folder {folder} holds the storage of other synced memory, not the one this setup code names. "
            "Choose the folder your other laptop uses."
        )
    raise StorageNotFoundError(
        f"There is no memtray storage in {folder}. Choose the folder your other laptop uses. {STILL_COPYING}"
    )
