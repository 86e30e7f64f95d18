"""The vault's keys by epoch. Epoch 1 is the vault key a vault starts with; removing a laptop starts the next
epoch with a new random key (see memtray/membership/epochs.py). New objects are sealed under the current epoch
(the envelope's key generation field names it); objects of every earlier epoch stay readable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from memtray.errors import IntegrityError
from memtray.vault.keys import VaultKeys

FIRST_EPOCH = 1


class UnknownEpochError(IntegrityError):
    """An object sealed under an epoch this laptop does not hold (yet): the service looks for its key and tries
    once more, or the laptop was removed."""


@dataclass(frozen=True, repr=False)
class EpochKeys:
    vault_id: str
    current: int
    by_epoch: Mapping[int, VaultKeys]

    def __post_init__(self) -> None:
        if self.current not in self.by_epoch:
            raise ValueError("the current epoch's keys are missing")

    @classmethod
    def single(cls, keys: VaultKeys) -> EpochKeys:
        """A vault that never changed its key (epoch 1 only)."""
        return cls(keys.vault_id, FIRST_EPOCH, {FIRST_EPOCH: keys})

    def sealing(self) -> tuple[int, VaultKeys]:
        """The epoch new objects are sealed under, and its keys."""
        return self.current, self.by_epoch[self.current]

    def opening(self, epoch: int) -> VaultKeys:
        keys = self.by_epoch.get(epoch)
        if keys is None:
            raise UnknownEpochError(
                f"An item in your storage is sealed with key number {epoch}, which this laptop does not have."
            )
        return keys

    def __repr__(self) -> str:
        return f"EpochKeys(vault_id={self.vault_id!r}, current={self.current}, epochs={sorted(self.by_epoch)})"
