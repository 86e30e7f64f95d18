"""Where this laptop keeps its own key (see memtray/membership/laptop_key.py): in the keychain, as the item
"<vault id>:laptop-key" next to the passphrase. Where no keychain is usable (automation, a computer without
one), in the home's ``laptop-key`` file, readable only by its owner, like an SSH key.

A keychain that is there but locked is an error, never a reason to make a new key: a laptop that is already a
member cannot add itself again with another key.
"""

from __future__ import annotations

from pathlib import Path

from memtray.errors import KeychainMissingError, LocalFileError
from memtray.keychain import SecretStore
from memtray.membership.laptop_key import LaptopKey
from memtray.paths import make_private_folder, write_private_atomic

LAPTOP_KEY = "laptop-key"
DAMAGED_KEY = (
    "This laptop's own key is damaged, so memtray cannot sign its changes. Remove this laptop on another of your "
    "laptops, then set memtray up here again."
)


def load_laptop_key(keychain: SecretStore, vault_id: str, fallback: Path) -> LaptopKey | None:
    """This laptop's key for the vault, or None if it has none yet."""
    text = _from_keychain(keychain, vault_id)
    if text is None:
        try:
            text = fallback.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise LocalFileError(DAMAGED_KEY) from exc
    try:
        return LaptopKey.from_secret_text(text.strip())
    except ValueError as exc:
        raise LocalFileError(DAMAGED_KEY) from exc


def store_laptop_key(keychain: SecretStore, vault_id: str, fallback: Path, key: LaptopKey) -> None:
    """Keep ``key`` in the keychain, or in ``fallback`` (0600) when this computer has no usable keychain."""
    if keychain.available():
        try:
            keychain.set(_item(vault_id), key.to_secret_text())
            return
        except KeychainMissingError:
            pass
    try:
        make_private_folder(fallback.parent)
        write_private_atomic(fallback, key.to_secret_text().encode("utf-8"))
    except OSError as exc:
        raise LocalFileError(f"memtray could not save this laptop's key: {exc.strerror or exc}.") from exc


def _from_keychain(keychain: SecretStore, vault_id: str) -> str | None:
    try:
        return keychain.get(_item(vault_id))
    except KeychainMissingError:
        return None


def _item(vault_id: str) -> str:
    return f"{vault_id}:{LAPTOP_KEY}"
