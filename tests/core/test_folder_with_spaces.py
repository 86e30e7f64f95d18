"""A storage folder whose path has a space (Google Drive's "My Drive", "OneDrive - Contoso"): every laptop uses that
very folder, and a sentence that names it shows the path as the person sees it, never URL-encoded ("My%20Drive")."""

from __future__ import annotations

from pathlib import Path

import pytest

from memtray.errors import HubUnreachableError, NotSetUpError
from memtray.hubs import normalise_hub_url
from memtray.hubs.folder import FolderHub
from memtray.paths import resolve_home
from memtray.service import Service

PASSPHRASE = "correct horse battery staple"


def test_a_folder_address_normalised_twice_stays_the_same_folder(tmp_path: Path) -> None:
    folder = tmp_path / "My Drive" / "100% memtray"
    once = normalise_hub_url(str(folder))
    assert normalise_hub_url(once) == once
    assert FolderHub(normalise_hub_url(once)).root == folder.resolve()


def test_two_laptops_share_a_storage_folder_whose_path_has_a_space(tmp_path: Path) -> None:
    storage = tmp_path / "My Drive" / "memtray"
    first = Service(resolve_home(tmp_path / "a"))
    second = Service(resolve_home(tmp_path / "b"))
    try:
        first.init(str(storage), PASSPHRASE, device_name="Alice's laptop")
        first.sync()
        assert (storage / "vault" / "keyfile").is_dir()
        assert not (tmp_path / "My%20Drive").exists(), "the storage went to a folder of its own making"
        second.join(str(storage), PASSPHRASE, device_name="Alice's PC")
        second.sync()
        assert sorted(device.name for device in second.devices()) == ["Alice's PC", "Alice's laptop"]
    finally:
        first.close()
        second.close()


def test_joining_a_folder_whose_path_has_a_space_names_it_as_the_person_sees_it(tmp_path: Path) -> None:
    laptop = Service(resolve_home(tmp_path / "laptop"))
    empty = tmp_path / "My Drive" / "memtray"
    empty.mkdir(parents=True)
    missing = tmp_path / "My Drive" / "elsewhere"
    try:
        with pytest.raises(NotSetUpError, match="There is no synced memory in that storage yet"):
            laptop.join(str(empty), PASSPHRASE)
        with pytest.raises(HubUnreachableError) as caught:
            laptop.join(str(missing), PASSPHRASE)
        assert caught.value.message.startswith(f"The storage folder {missing} is not there.")
        assert "%20" not in caught.value.message
    finally:
        laptop.close()
