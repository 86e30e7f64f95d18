"""Cloud-drive folders found as each app lays them out on Linux, macOS and Windows, built in a temp home; and
where memtray keeps its storage in one (never at its top)."""

from __future__ import annotations

import json
from pathlib import Path

from memtray.clouddrives import (
    CloudDrive,
    detect_cloud_drives,
    holds_storage,
    looks_like_cloud_drive,
    storage_folder_for,
    storage_folder_in,
)
from memtray.paths import resolve_home
from memtray.service import Service

PASSPHRASE = "correct horse battery staple"


def folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def found(drives: list[CloudDrive]) -> list[tuple[str, Path]]:
    return [(drive.label, drive.path) for drive in drives]


def nextcloud_cfg(*folders: tuple[str, Path]) -> str:
    """A nextcloud.cfg as the desktop client writes it (Qt INI, one numbered entry per synced folder)."""
    lines = ["[General]", "clientVersion=3.14.1", "", "[Accounts]"]
    for number, (kind, local) in enumerate(folders, start=1):
        lines += [
            f"0\\{kind}\\{number}\\ignoreHiddenFiles=false",
            f"0\\{kind}\\{number}\\localPath={local}/",
            f"0\\{kind}\\{number}\\paused=false",
            f"0\\{kind}\\{number}\\targetPath=/",
        ]
    lines += ["0\\authType=webflow", "0\\url=https://cloud.example.org", "version=2", ""]
    return "\n".join(lines)


def test_linux_dropbox_info_json_onedrive_client_and_nextcloud_config(tmp_path: Path) -> None:
    home = folder(tmp_path / "home")
    personal = folder(tmp_path / "disk" / "Dropbox (Personal)")
    work = folder(tmp_path / "disk" / "Dropbox (Acme)")
    accounts = {
        "personal": {"path": str(personal), "host": 1, "is_team": False, "subscription_type": "Basic"},
        "geschäftlich": {"path": str(work), "host": 2, "is_team": True, "subscription_type": "Business"},
    }
    write(home / ".dropbox" / "info.json", json.dumps(accounts))
    onedrive = folder(home / "Cloud" / "OneDrive")
    write(home / ".config" / "onedrive" / "config", '# sync_dir = "~/OneDrive"\nsync_dir = "~/Cloud/OneDrive"\n')
    books = folder(tmp_path / "data" / "Books")
    nextcloud = folder(home / "Nextcloud")
    write(
        home / ".config" / "Nextcloud" / "nextcloud.cfg",
        nextcloud_cfg(("Folders", books), ("FoldersWithPlaceholders", nextcloud)),
    )
    folder(home / "Library" / "Mobile Documents" / "com~apple~CloudDocs")

    assert found(detect_cloud_drives(home, "linux", {}, [])) == [
        ("Dropbox", personal),
        ("Dropbox (work)", work),
        ("OneDrive", onedrive),
        ("Nextcloud", books),
        ("Nextcloud", nextcloud),
    ]


def test_linux_defaults_without_any_client_configuration(tmp_path: Path) -> None:
    home = tmp_path
    for name in ("Dropbox", "OneDrive", "GoogleDrive", "Nextcloud"):
        folder(home / name)
    config_home = folder(tmp_path / "xdg")
    write(config_home / "Nextcloud" / "nextcloud.cfg", nextcloud_cfg(("Folders", home / "Nextcloud")))
    drives = detect_cloud_drives(home, "linux", {"XDG_CONFIG_HOME": str(config_home)}, [])
    assert found(drives) == [
        ("Dropbox", home / "Dropbox"),
        ("OneDrive", home / "OneDrive"),
        ("Google Drive", home / "GoogleDrive"),
        ("Nextcloud", home / "Nextcloud"),
    ]


def test_macos_file_provider_folders_icloud_and_nextcloud(tmp_path: Path) -> None:
    home = tmp_path
    storage = home / "Library" / "CloudStorage"
    dropbox = folder(storage / "Dropbox")
    icloud = folder(home / "Library" / "Mobile Documents" / "com~apple~CloudDocs")
    personal = folder(storage / "OneDrive-Personal")
    business = folder(storage / "OneDrive-Contoso")
    folder(storage / "OneDrive-SharedLibraries-Contoso")
    google = folder(storage / "GoogleDrive-alice@example.com" / "My Drive")
    mirrored = folder(home / "My Drive")
    nextcloud = folder(home / "Documents" / "Nextcloud")
    write(
        home / "Library" / "Preferences" / "Nextcloud" / "nextcloud.cfg",
        nextcloud_cfg(("Folders", nextcloud)),
    )
    assert found(detect_cloud_drives(home, "darwin", {}, [])) == [
        ("Dropbox", dropbox),
        ("iCloud Drive", icloud),
        ("OneDrive (Contoso)", business),
        ("OneDrive", personal),
        ("Google Drive", google),
        ("Google Drive", mirrored),
        ("Nextcloud", nextcloud),
    ]


def test_windows_variables_appdata_and_google_drives_own_drive_letter(tmp_path: Path) -> None:
    home = folder(tmp_path / "Users" / "alice")
    roaming = folder(home / "AppData" / "Roaming")
    local = folder(home / "AppData" / "Local")
    store = local / "Packages" / "DropboxInc.Dropbox_wkt1" / "LocalCache" / "Local" / "Dropbox" / "info.json"
    dropbox = folder(tmp_path / "D" / "Dropbox")
    write(store, json.dumps({"personal": {"path": str(dropbox), "is_team": False}}))
    icloud = folder(home / "iCloudDrive")
    personal = folder(home / "OneDrive")
    business = folder(home / "OneDrive - Contoso Ltd")
    g_drive = folder(tmp_path / "G")
    streamed = folder(g_drive / "My Drive")
    nextcloud = folder(tmp_path / "C" / "Nextcloud")
    write(roaming / "Nextcloud" / "nextcloud.cfg", nextcloud_cfg(("Folders", nextcloud)))
    env = {
        "APPDATA": str(roaming),
        "LOCALAPPDATA": str(local),
        "OneDrive": str(personal),
        "OneDriveConsumer": str(personal),
        "OneDriveCommercial": str(business),
    }
    volumes = [tmp_path / "E", g_drive]
    assert found(detect_cloud_drives(home, "win32", env, volumes)) == [
        ("Dropbox", dropbox),
        ("iCloud Drive", icloud),
        ("OneDrive", personal),
        ("OneDrive (Contoso Ltd)", business),
        ("Google Drive", streamed),
        ("Nextcloud", nextcloud),
    ]
    assert detect_cloud_drives(home, "linux", {}, []) == [
        CloudDrive("OneDrive", personal),
        CloudDrive("OneDrive (Contoso Ltd)", business),
    ]


def test_a_broken_or_foreign_configuration_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / ".dropbox" / "info.json", "{not json")
    write(tmp_path / ".config" / "Nextcloud" / "nextcloud.cfg", "[Accounts]\n0\\url=https://x\n")
    assert detect_cloud_drives(tmp_path, "linux", {}, []) == []


def test_the_storage_is_a_memtray_folder_in_the_drive_never_its_top(tmp_path: Path) -> None:
    dropbox = folder(tmp_path / "Dropbox")
    drives = [CloudDrive("Dropbox", dropbox)]
    assert storage_folder_in(dropbox) == dropbox / "memtray"
    assert storage_folder_for(dropbox, drives) == dropbox / "memtray"

    unknown_client = folder(tmp_path / "Sync" / "Work cloud")
    assert not looks_like_cloud_drive(unknown_client, drives)
    write(unknown_client / ".dropbox", "{}")
    assert storage_folder_for(unknown_client) == unknown_client / "memtray"
    nextcloud = folder(tmp_path / "Nextcloud")
    write(nextcloud / ".sync_4f2a9c0e1b7d.db", "")
    assert storage_folder_for(nextcloud) == nextcloud / "memtray"

    plain = folder(tmp_path / "usb-stick" / "memtray storage")
    assert storage_folder_for(plain, drives) == plain


def test_a_folder_that_already_holds_a_storage_is_used_as_it_is(tmp_path: Path) -> None:
    dropbox = folder(tmp_path / "Dropbox")
    earlier = dropbox / "memtray-hub"
    service = Service(resolve_home(tmp_path / "laptop"))
    try:
        service.init(str(earlier), PASSPHRASE, device_name="Laptop A")
    finally:
        service.close()
    assert holds_storage(earlier)
    assert not holds_storage(dropbox)
    assert storage_folder_in(dropbox) == earlier
    assert storage_folder_for(dropbox, [CloudDrive("Dropbox", dropbox)]) == earlier
    assert storage_folder_for(earlier, [CloudDrive("Dropbox", dropbox)]) == earlier
