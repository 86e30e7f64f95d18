"""Vault key, subkeys and the key file: unlock, tamper refusal, passphrase and recovery changes."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import types
from dataclasses import replace
from pathlib import Path

import pytest

from memtray.errors import HostileKeyFileError, PassphraseError
from memtray.vault.kdf import KdfParams
from memtray.vault.keys import (
    SUBKEY_LABELS,
    KeyFile,
    NewVault,
    VaultKeys,
    create_vault,
    new_vault_id,
    replace_recovery,
    rewrap,
    rotate,
    unlock,
    unlock_with_recovery,
    verify_keyfile,
)
from memtray.vault.recovery import format_recovery_key, new_recovery_key

PASSPHRASE = "correct horse battery staple"
VAULT_ID = "00112233445566778899aabbccddeeff"


@pytest.fixture(scope="module")
def vault() -> NewVault:
    return create_vault(PASSPHRASE, VAULT_ID)


def edited(keyfile: KeyFile, **changes: object) -> bytes:
    document = json.loads(keyfile.to_bytes())
    document.update(changes)
    return json.dumps(document).encode()


def secret_spellings(secret: bytes) -> list[str]:
    return [secret.hex(), secret.hex().upper(), base64.b64encode(secret).decode(), repr(secret)[2:-1]]


def test_create_and_unlock_round_trip(vault: NewVault) -> None:
    assert len(vault.vault_key) == 32
    assert vault.keyfile.format == 1
    assert vault.keyfile.generation == 1
    assert vault.keyfile.vault_id == VAULT_ID
    assert unlock(vault.keyfile, PASSPHRASE) == vault.vault_key
    assert unlock(vault.keyfile, PASSPHRASE, expected_vault_id=VAULT_ID) == vault.vault_key
    assert unlock_with_recovery(vault.keyfile, vault.recovery_key, VAULT_ID) == vault.vault_key


def test_new_vaults_get_random_ids_and_keys() -> None:
    first, second = create_vault(PASSPHRASE), create_vault(PASSPHRASE)
    assert first.keyfile.vault_id != second.keyfile.vault_id
    assert len(first.keyfile.vault_id) == 32
    assert first.vault_key != second.vault_key
    assert first.recovery_key != second.recovery_key


def test_bytes_round_trip_is_exact(vault: NewVault) -> None:
    data = vault.keyfile.to_bytes()
    assert KeyFile.from_bytes(data) == vault.keyfile
    assert KeyFile.from_bytes(data).to_bytes() == data
    assert list(json.loads(data)) == sorted(json.loads(data))


def test_subkeys_are_distinct_and_deterministic(vault: NewVault) -> None:
    keys = VaultKeys.derive(VAULT_ID, vault.vault_key)
    assert VaultKeys.derive(VAULT_ID, vault.vault_key) == keys
    assert len({keys.log_key, keys.blob_key, keys.mac_key, keys.roster_key, keys.proof_key, vault.vault_key}) == 6
    assert VaultKeys.derive(new_vault_id(), vault.vault_key).log_key != keys.log_key
    assert set(SUBKEY_LABELS.values()) == {
        b"memtray/v1/log",
        b"memtray/v1/blob",
        b"memtray/v1/keyfile-mac",
        b"memtray/v1/roster",
        b"memtray/v1/roster-proof",
    }


def test_repr_and_str_show_no_secrets(vault: NewVault) -> None:
    keys = VaultKeys.derive(VAULT_ID, vault.vault_key)
    shown = repr(vault) + str(vault) + repr(keys) + str(keys)
    assert VAULT_ID in shown
    for secret in (vault.vault_key, keys.log_key, keys.blob_key, keys.mac_key, keys.roster_key, keys.proof_key):
        for spelling in secret_spellings(secret):
            assert spelling not in shown
    assert vault.recovery_key not in shown
    assert vault.recovery_key.replace("-", "") not in shown


def test_wrong_passphrase_is_refused_without_echoing_it(vault: NewVault) -> None:
    wrong = "correct horse battery stapler"
    with pytest.raises(PassphraseError) as caught:
        unlock(vault.keyfile, wrong)
    text = str(caught.value) + repr(caught.value)
    assert str(caught.value).startswith("The passphrase is wrong, or the key file in your storage was changed.")
    assert wrong not in text
    assert PASSPHRASE not in text


def test_wrong_recovery_key_is_refused(vault: NewVault) -> None:
    other = format_recovery_key(new_recovery_key())
    with pytest.raises(PassphraseError) as caught:
        unlock_with_recovery(vault.keyfile, other)
    assert other not in str(caught.value)
    with pytest.raises(PassphraseError):
        unlock_with_recovery(vault.keyfile, "not a key")


def test_recovery_key_typos_are_forgiven(vault: NewVault) -> None:
    sloppy = vault.recovery_key.lower().replace("-", " ").replace("o", "0")
    assert unlock_with_recovery(vault.keyfile, sloppy) == vault.vault_key


def test_nfc_and_nfd_passphrases_unlock_the_same_vault() -> None:
    created = create_vault("caf\u00e9")
    assert unlock(created.keyfile, "cafe\u0301") == created.vault_key


def test_empty_passphrase_is_refused(vault: NewVault) -> None:
    with pytest.raises(PassphraseError):
        create_vault("")
    with pytest.raises(PassphraseError):
        rewrap(vault.keyfile, vault.vault_key, "")


def test_key_file_of_another_vault_is_refused_before_deriving(vault: NewVault) -> None:
    # The right passphrase and a genuine key file, but not the vault this laptop pinned.
    with pytest.raises(HostileKeyFileError) as caught:
        unlock(vault.keyfile, PASSPHRASE, expected_vault_id=new_vault_id())
    assert "different synced memory" in str(caught.value)
    with pytest.raises(HostileKeyFileError):
        unlock_with_recovery(vault.keyfile, "not even a recovery key", expected_vault_id=new_vault_id())


def test_swapped_vault_id_never_unlocks(vault: NewVault) -> None:
    swapped = KeyFile.from_bytes(edited(vault.keyfile, vault_id=new_vault_id()))
    with pytest.raises((PassphraseError, HostileKeyFileError)):
        unlock(swapped, PASSPHRASE)
    with pytest.raises((PassphraseError, HostileKeyFileError)):
        unlock_with_recovery(swapped, vault.recovery_key)
    with pytest.raises(HostileKeyFileError):
        verify_keyfile(swapped, vault.vault_key)


def test_wrapped_key_from_another_vault_never_unlocks(vault: NewVault) -> None:
    other = create_vault(PASSPHRASE)
    spliced = replace(vault.keyfile, wrapped_key=other.keyfile.wrapped_key, kdf=other.keyfile.kdf)
    with pytest.raises((PassphraseError, HostileKeyFileError)):
        unlock(spliced, PASSPHRASE)
    spliced = replace(vault.keyfile, recovery_wrapped_key=other.keyfile.recovery_wrapped_key)
    with pytest.raises((PassphraseError, HostileKeyFileError)):
        unlock_with_recovery(spliced, other.recovery_key)


def test_wrap_from_a_later_generation_spliced_into_an_old_file_is_refused(vault: NewVault) -> None:
    newer = rewrap(vault.keyfile, vault.vault_key, "new passphrase")
    spliced = replace(vault.keyfile, wrapped_key=newer.wrapped_key, kdf=newer.kdf)
    with pytest.raises(HostileKeyFileError):
        unlock(spliced, "new passphrase")


@pytest.mark.parametrize(
    "changes",
    [
        {"generation": 2},
        {"recovery_wrapped_key": bytes(60)},
        {"wrapped_key": bytes(60)},
        {"kdf": KdfParams(salt=bytes(16), memory_kib=64, iterations=1, lanes=1)},
        {"mac": bytes(32)},
    ],
)
def test_mac_covers_every_field(vault: NewVault, changes: dict[str, object]) -> None:
    with pytest.raises(HostileKeyFileError):
        verify_keyfile(replace(vault.keyfile, **changes), vault.vault_key)  # type: ignore[arg-type]


@pytest.mark.parametrize("changes", [{"generation": 2}, {"recovery_wrapped_key": bytes(60)}, {"mac": bytes(32)}])
def test_unlock_refuses_a_tampered_file_even_with_the_right_passphrase(
    vault: NewVault, changes: dict[str, object]
) -> None:
    tampered = KeyFile.from_bytes(replace(vault.keyfile, **changes).to_bytes())  # type: ignore[arg-type]
    with pytest.raises(HostileKeyFileError) as caught:
        unlock(tampered, PASSPHRASE)
    assert str(caught.value) == ("The key file in your storage is damaged or was tampered with, so memtray refused it.")


def test_verify_refuses_a_vault_key_it_was_not_made_with(vault: NewVault) -> None:
    verify_keyfile(vault.keyfile, vault.vault_key)
    with pytest.raises(HostileKeyFileError):
        verify_keyfile(vault.keyfile, bytes(32))
    with pytest.raises(HostileKeyFileError):
        rewrap(vault.keyfile, bytes(32), "anything")
    with pytest.raises(HostileKeyFileError):
        replace_recovery(vault.keyfile, bytes(32))


def test_rewrap_keeps_the_vault_key_and_retires_the_old_passphrase(vault: NewVault) -> None:
    newer = rewrap(vault.keyfile, vault.vault_key, "a brand new passphrase")
    assert newer.generation == vault.keyfile.generation + 1
    assert newer.vault_id == vault.keyfile.vault_id
    assert newer.kdf.salt != vault.keyfile.kdf.salt
    assert unlock(newer, "a brand new passphrase") == vault.vault_key
    with pytest.raises(PassphraseError):
        unlock(newer, PASSPHRASE)
    assert unlock_with_recovery(newer, vault.recovery_key) == vault.vault_key
    verify_keyfile(newer, vault.vault_key)


def test_replace_recovery_retires_the_old_recovery_key(vault: NewVault) -> None:
    newer, recovery_key = replace_recovery(vault.keyfile, vault.vault_key)
    assert newer.generation == vault.keyfile.generation + 1
    assert recovery_key != vault.recovery_key
    assert unlock_with_recovery(newer, recovery_key) == vault.vault_key
    with pytest.raises(PassphraseError):
        unlock_with_recovery(newer, vault.recovery_key)
    assert unlock(newer, PASSPHRASE) == vault.vault_key


# Each of these is refused by from_bytes, which takes no passphrase: the refusal happens
# before unlock could run, so no Argon2id derivation is ever attempted with these settings.
@pytest.mark.parametrize(
    "kdf_changes",
    [
        {"memory_kib": 64 * 1024 * 1024},
        {"iterations": 1000},
        {"lanes": 0},
        {"salt": None},
        {"memory_kib": "1024"},
        {"iterations": 2.0},
        {"name": "pbkdf2"},
    ],
)
def test_absurd_kdf_settings_are_refused_on_parse(vault: NewVault, kdf_changes: dict[str, object]) -> None:
    kdf = {**vault.keyfile.kdf.to_json(), **kdf_changes}
    with pytest.raises(HostileKeyFileError) as caught:
        KeyFile.from_bytes(edited(vault.keyfile, kdf=kdf))
    assert str(caught.value) == (
        "The key file of your synced memory asks for unsafe settings, so memtray refused it. Your storage may have "
        "been tampered with."
    )


def test_missing_salt_is_refused_on_parse(vault: NewVault) -> None:
    kdf = vault.keyfile.kdf.to_json()
    del kdf["salt"]
    with pytest.raises(HostileKeyFileError):
        KeyFile.from_bytes(edited(vault.keyfile, kdf=kdf))


@pytest.mark.parametrize(
    "changes",
    [
        {"format": True},
        {"format": "1"},
        {"format": 0},
        {"vault_id": VAULT_ID.upper()},
        {"vault_id": VAULT_ID[:-1]},
        {"vault_id": 5},
        {"generation": 0},
        {"generation": -1},
        {"generation": 2**64},
        {"generation": "1"},
        {"generation": 1.5},
        {"wrapped_key": base64.b64encode(bytes(59)).decode()},
        {"wrapped_key": "!!!"},
        {"recovery_wrapped_key": None},
        {"mac": base64.b64encode(bytes(31)).decode()},
        {"kdf": "argon2id"},
        {"extra": "field"},
    ],
)
def test_malformed_key_files_are_refused(vault: NewVault, changes: dict[str, object]) -> None:
    with pytest.raises(HostileKeyFileError) as caught:
        KeyFile.from_bytes(edited(vault.keyfile, **changes))
    assert "refused" in str(caught.value)


def test_newer_format_asks_for_an_update(vault: NewVault) -> None:
    with pytest.raises(HostileKeyFileError) as caught:
        KeyFile.from_bytes(edited(vault.keyfile, format=3))
    assert "newer version of memtray" in str(caught.value)
    with pytest.raises(HostileKeyFileError) as caught:
        KeyFile.from_bytes(b'{"format": 3, "kdf": {"name": "argon3"}, "future": true}')
    assert "newer version of memtray" in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b"null",
        b"{" * 5000,
        b"[" * 8000 + b"]" * 8000,
        b'{"format": 1, "format": 1}',
        b" " * (16 * 1024 + 1),
    ],
)
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(HostileKeyFileError):
        KeyFile.from_bytes(data)


def test_missing_field_is_refused(vault: NewVault) -> None:
    document = json.loads(vault.keyfile.to_bytes())
    del document["mac"]
    with pytest.raises(HostileKeyFileError):
        KeyFile.from_bytes(json.dumps(document).encode())


def test_duplicate_keys_are_refused(vault: NewVault) -> None:
    data = vault.keyfile.to_bytes()
    doubled = data[:-1] + b',"generation":9}'
    with pytest.raises(HostileKeyFileError):
        KeyFile.from_bytes(doubled)


# Key epochs: a removal starts a new vault key, and the key file moves to format 2 with an "epoch" field.

RELEASED = "7657b69194862eddd32256523570616f2addf741"
"""The last commit before key epochs: what laptops on today's release run."""


@pytest.fixture(scope="module")
def released_keys() -> types.ModuleType:
    """memtray/vault/keys.py exactly as today's release has it, taken from git history."""
    root = Path(__file__).resolve().parents[2]
    source = subprocess.run(
        ["git", "show", f"{RELEASED}:memtray/vault/keys.py"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("released_vault_keys")
    sys.modules[module.__name__] = module
    exec(compile(source, "released memtray/vault/keys.py", "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def rotated(vault: NewVault) -> tuple[KeyFile, str, bytes]:
    new_key = os.urandom(32)
    keyfile, recovery_key = rotate(vault.keyfile, new_key, 2, "the new passphrase")
    return keyfile, recovery_key, new_key


def test_epoch_one_key_file_is_format_one_byte_for_byte_as_today(
    vault: NewVault, released_keys: types.ModuleType
) -> None:
    data = vault.keyfile.to_bytes()
    assert vault.keyfile.epoch == 1
    assert "epoch" not in json.loads(data)
    assert json.loads(data)["format"] == 1
    old = released_keys.KeyFile.from_bytes(data)
    assert old.to_bytes() == data
    assert released_keys.unlock(old, PASSPHRASE, VAULT_ID) == vault.vault_key
    assert released_keys.unlock_with_recovery(old, vault.recovery_key, VAULT_ID) == vault.vault_key
    for changed in (
        rewrap(vault.keyfile, vault.vault_key, "later"),
        replace_recovery(vault.keyfile, vault.vault_key)[0],
    ):
        assert changed.format == 1
        released_keys.verify_keyfile(released_keys.KeyFile.from_bytes(changed.to_bytes()), vault.vault_key)


def test_key_files_of_todays_release_still_unlock(released_keys: types.ModuleType) -> None:
    made = released_keys.create_vault(PASSPHRASE, VAULT_ID)
    keyfile = KeyFile.from_bytes(made.keyfile.to_bytes())
    assert keyfile.epoch == 1
    assert keyfile.to_bytes() == made.keyfile.to_bytes()
    assert unlock(keyfile, PASSPHRASE, VAULT_ID) == made.vault_key
    assert unlock_with_recovery(keyfile, made.recovery_key, VAULT_ID) == made.vault_key


def test_todays_release_refuses_format_two_asking_for_an_update(
    rotated: tuple[KeyFile, str, bytes], released_keys: types.ModuleType
) -> None:
    keyfile, _, _ = rotated
    with pytest.raises(HostileKeyFileError) as caught:
        released_keys.KeyFile.from_bytes(keyfile.to_bytes())
    assert "made by a newer version of memtray. Update memtray on this laptop" in str(caught.value)


def test_format_two_round_trip_is_exact(rotated: tuple[KeyFile, str, bytes]) -> None:
    keyfile, _, new_key = rotated
    data = keyfile.to_bytes()
    document = json.loads(data)
    assert (document["format"], document["epoch"], keyfile.epoch) == (2, 2, 2)
    assert KeyFile.from_bytes(data) == keyfile
    assert KeyFile.from_bytes(data).to_bytes() == data
    assert unlock(KeyFile.from_bytes(data), "the new passphrase", VAULT_ID) == new_key
    verify_keyfile(KeyFile.from_bytes(data), new_key)


def test_rotate_retires_the_old_passphrase_and_the_old_recovery_key(
    vault: NewVault, rotated: tuple[KeyFile, str, bytes]
) -> None:
    keyfile, recovery_key, new_key = rotated
    assert new_key != vault.vault_key
    assert keyfile.generation == vault.keyfile.generation + 1
    assert keyfile.kdf.salt != vault.keyfile.kdf.salt
    assert recovery_key != vault.recovery_key
    assert unlock(keyfile, "the new passphrase") == new_key
    assert unlock_with_recovery(keyfile, recovery_key) == new_key
    with pytest.raises(PassphraseError):
        unlock(keyfile, PASSPHRASE)
    with pytest.raises(PassphraseError):
        unlock_with_recovery(keyfile, vault.recovery_key)
    with pytest.raises(HostileKeyFileError):
        verify_keyfile(keyfile, vault.vault_key)


def test_rotate_needs_a_passphrase_and_a_later_epoch(vault: NewVault, rotated: tuple[KeyFile, str, bytes]) -> None:
    with pytest.raises(PassphraseError):
        rotate(vault.keyfile, os.urandom(32), 2, "")
    for epoch in (0, 1):
        with pytest.raises(ValueError):
            rotate(vault.keyfile, os.urandom(32), epoch, "fine")
    with pytest.raises(ValueError):
        rotate(rotated[0], os.urandom(32), 1, "fine")
    third, _ = rotate(rotated[0], os.urandom(32), 3, "fine")
    assert (third.format, third.epoch, third.generation) == (2, 3, rotated[0].generation + 1)


def test_changes_to_a_format_two_key_file_keep_its_epoch(rotated: tuple[KeyFile, str, bytes]) -> None:
    keyfile, recovery_key, new_key = rotated
    rewrapped = rewrap(keyfile, new_key, "yet another passphrase")
    assert (rewrapped.format, rewrapped.epoch) == (2, 2)
    assert unlock(KeyFile.from_bytes(rewrapped.to_bytes()), "yet another passphrase") == new_key
    assert unlock_with_recovery(rewrapped, recovery_key) == new_key
    recovered, new_recovery_key_text = replace_recovery(keyfile, new_key)
    assert (recovered.format, recovered.epoch) == (2, 2)
    assert unlock_with_recovery(KeyFile.from_bytes(recovered.to_bytes()), new_recovery_key_text) == new_key


def test_epoch_is_covered_by_the_mac_and_the_wraps(rotated: tuple[KeyFile, str, bytes]) -> None:
    keyfile, recovery_key, new_key = rotated
    moved = KeyFile.from_bytes(edited(keyfile, epoch=3))
    with pytest.raises(HostileKeyFileError):
        verify_keyfile(moved, new_key)
    with pytest.raises((PassphraseError, HostileKeyFileError)):
        unlock(moved, "the new passphrase")
    with pytest.raises((PassphraseError, HostileKeyFileError)):
        unlock_with_recovery(moved, recovery_key)


@pytest.mark.parametrize(
    "changes",
    [{"epoch": 1}, {"epoch": 0}, {"epoch": True}, {"epoch": "2"}, {"epoch": 2**32}, {"format": 1}],
)
def test_malformed_format_two_key_files_are_refused(
    rotated: tuple[KeyFile, str, bytes], changes: dict[str, object]
) -> None:
    with pytest.raises(HostileKeyFileError) as caught:
        KeyFile.from_bytes(edited(rotated[0], **changes))
    assert "refused" in str(caught.value)


def test_format_one_with_an_epoch_and_format_two_without_are_refused(
    vault: NewVault, rotated: tuple[KeyFile, str, bytes]
) -> None:
    with pytest.raises(HostileKeyFileError):
        KeyFile.from_bytes(edited(vault.keyfile, epoch=1))
    document = json.loads(rotated[0].to_bytes())
    del document["epoch"]
    with pytest.raises(HostileKeyFileError):
        KeyFile.from_bytes(json.dumps(document).encode())
