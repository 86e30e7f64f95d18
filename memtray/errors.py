"""Every failure a person can see, each with a short title and a plain sentence.

The CLI prints ``message`` (with ``memtray`` named once, at its start; after a ``NotSetUpError``, the commands
that set a laptop up) and exits with ``exit_code``; the tray app shows
``title`` and ``message`` in a notification or dialog. Messages never contain secrets.
"""

from __future__ import annotations


class MemtrayError(Exception):
    """Base class: a failure with a user-facing title, message and CLI exit code."""

    title = "memtray could not finish"
    exit_code = 1

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class UsageError(MemtrayError):
    title = "That command is not quite right"
    exit_code = 2


class NotSetUpError(MemtrayError):
    title = "memtray is not set up yet"
    exit_code = 2


class NoDesktopError(MemtrayError):
    title = "There is no desktop to show memtray on"
    exit_code = 2


class AlreadySetUpError(MemtrayError):
    title = "memtray is already set up"
    exit_code = 2


class PassphraseError(MemtrayError):
    title = "Wrong passphrase"
    exit_code = 3


class KeychainError(MemtrayError):
    title = "The keychain is not available"
    exit_code = 3


class KeychainLockedError(KeychainError):
    title = "The keychain is locked"


class KeychainMissingError(KeychainError):
    title = "There is no keychain on this computer"


class HubError(MemtrayError):
    """The hub failed in a way the person may be able to fix (or wait out)."""

    title = "Your storage did not answer as expected"
    exit_code = 4


class HubUnreachableError(HubError):
    title = "Can't reach your storage"


class HubAuthError(HubError):
    title = "Your storage refused this laptop"


class HubRevokedError(HubAuthError):
    title = "This laptop was removed from your synced memory"


class HubPayloadTooLargeError(HubError):
    title = "A file is too large for your storage"


class HubRateLimitedError(HubError):
    title = "Your storage asked memtray to slow down"

    def __init__(self, message: str, *, retry_after: float | None = None, title: str | None = None) -> None:
        super().__init__(message, title=title)
        self.retry_after = retry_after


class HubFullError(HubError):
    title = "Your storage is full"


class ObjectExistsError(HubError):
    """A create-only write found the key already taken."""

    title = "Your storage already has that item"


class ObjectMissingError(HubError):
    title = "Your storage is missing an item"


class ObjectTooLargeError(HubError):
    """An object on the hub is larger than memtray reads for its kind (or expands past that when unpacked)."""

    title = "An item in your storage is too large"


class IntegrityError(MemtrayError):
    """Data from the hub failed authentication: it was altered, moved or damaged."""

    title = "Data in your storage failed its integrity check"
    exit_code = 5


class RollbackError(IntegrityError):
    """The hub lost or withheld data that this laptop already saw."""

    title = "Your storage lost or altered data"


class HostileKeyFileError(IntegrityError):
    title = "The key file of your synced memory was refused"


class MembershipError(IntegrityError):
    """Something on the hub claims a membership it does not have: an entry in another laptop's name, a roster
    entry by a laptop that is not a member, a roster rolled back or rewritten. Nothing local is changed."""

    title = "memtray refused a change to your laptops"


class RemovedFromVaultError(MemtrayError):
    """This laptop was removed from the synced memory by another laptop; it can no longer read what is new."""

    title = "This laptop was removed"
    exit_code = 3


class MassDeleteError(MemtrayError):
    """Never raised by a sync, which returns a ``MassDeleteQuestion`` instead (memtray/model.py): this is how the
    command line exits with code 6 on one, and how the tray shows one while it waits for the person's answer."""

    title = "Many files would be deleted"
    exit_code = 6


class LocalFileError(MemtrayError):
    """The local disk refused a read or write (permission, disk full, missing folder)."""

    title = "A local file could not be written"
    exit_code = 7


class SetupCodeError(MemtrayError):
    title = "That setup code is not valid"
    exit_code = 2


class StorageNotFoundError(MemtrayError):
    """A setup code names the synced memory, and this laptop has no folder holding its storage that memtray found."""

    title = "memtray did not find your storage"
    exit_code = 2


class BusyError(MemtrayError):
    title = "memtray is already syncing"
    exit_code = 8


EXIT_CODES_HELP = """exit codes:
  0  success
  1  unexpected failure
  2  usage error, memtray not set up / already set up, or no desktop for the tray app
  3  wrong passphrase or keychain problem
  4  hub unreachable, refused access, full or rate limited, or an object on it too large to read
  5  hub data failed an integrity check or the hub lost data (nothing local was changed)
  6  a sync would delete more than half of a folder; re-run with --allow-mass-delete
  7  a local file or folder could not be read or written
  8  another memtray sync is already running for this home"""
