"""The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager) via ``keyring``.

Secrets are stored per home scope, so several simulated laptops on one machine never share
entries. There is deliberately no plaintext fallback: without a usable keychain the caller is
told so and must ask the person (or read ``MEMTRAY_PASSPHRASE``).
"""

from __future__ import annotations

import enum
from contextlib import closing

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from memtray.errors import KeychainError, KeychainLockedError, KeychainMissingError

SERVICE_PREFIX = "memtray"
# Windows Credential Manager refuses secrets over 2,560 bytes; stay well below in UTF-16.
CHUNK_CHARS = 1000
CHUNK_MARKER = "memtray-chunks:"

MISSING_MESSAGE = (
    "memtray could not find a keychain on this computer, so it cannot remember your passphrase. "
    "It will ask for the passphrase each time instead."
)
LOCKED_MESSAGE = "Your keychain is locked. Unlock it (or type your passphrase) so memtray can sync."


class KeychainState(enum.Enum):
    WORKING = "working"
    LOCKED = "locked"
    MISSING = "missing"


def _secret_service_locked() -> bool:
    """Is the Secret Service's default collection locked? Asked without raising an unlock prompt."""
    import secretstorage

    with closing(secretstorage.dbus_init()) as bus:
        return bool(secretstorage.get_default_collection(bus).is_locked())


def _is_unusable(backend: KeyringBackend) -> bool:
    name = type(backend).__module__ + "." + type(backend).__name__
    return name.startswith(("keyring.backends.fail.", "keyring.backends.null."))


class Keychain:
    """Named secrets for one memtray home."""

    def __init__(self, scope: str, backend: KeyringBackend | None = None) -> None:
        self.service = f"{SERVICE_PREFIX}:{scope}"
        self._backend = backend or keyring.get_keyring()

    def available(self) -> bool:
        return not _is_unusable(self._backend)

    def backend_name(self) -> str:
        return type(self._backend).__module__ + "." + type(self._backend).__name__

    def state(self, probe_item: str) -> KeychainState:
        """Working, locked or missing. Blocking (D-Bus), so call it off the UI thread.

        Reading an item from a locked Secret Service raises the desktop's unlock prompt, which the
        person may just have dismissed; its lock state is asked directly instead.
        """
        if not self.available():
            return KeychainState.MISSING
        if self.backend_name() == "keyring.backends.SecretService.Keyring":
            try:
                return KeychainState.LOCKED if _secret_service_locked() else KeychainState.WORKING
            except Exception:  # no D-Bus session, or no Secret Service answering on it
                return KeychainState.MISSING
        try:
            self.get(probe_item)
        except KeychainLockedError:
            return KeychainState.LOCKED
        except KeychainMissingError:
            return KeychainState.MISSING
        except KeychainError:
            return KeychainState.WORKING
        return KeychainState.WORKING

    def get(self, name: str) -> str | None:
        value = self._call(self._backend.get_password, self.service, name)
        if value is None or not value.startswith(CHUNK_MARKER):
            return value
        count = int(value[len(CHUNK_MARKER) :])
        parts = [self._call(self._backend.get_password, self.service, f"{name}#{i}") for i in range(count)]
        if any(part is None for part in parts):
            return None
        return "".join(part for part in parts if part is not None)

    def set(self, name: str, value: str) -> None:
        self.delete(name)
        if len(value) <= CHUNK_CHARS:
            self._call(self._backend.set_password, self.service, name, value)
            return
        parts = [value[i : i + CHUNK_CHARS] for i in range(0, len(value), CHUNK_CHARS)]
        for i, part in enumerate(parts):
            self._call(self._backend.set_password, self.service, f"{name}#{i}", part)
        self._call(self._backend.set_password, self.service, name, f"{CHUNK_MARKER}{len(parts)}")

    def delete(self, name: str) -> None:
        current = self._call(self._backend.get_password, self.service, name)
        if current is None:
            return
        if current.startswith(CHUNK_MARKER):
            for i in range(int(current[len(CHUNK_MARKER) :])):
                self._forget(f"{name}#{i}")
        self._forget(name)

    def _forget(self, name: str) -> None:
        try:
            self._call(self._backend.delete_password, self.service, name)
        except KeychainError:
            raise
        except keyring.errors.PasswordDeleteError:
            pass

    def _call(self, method, *args):  # type: ignore[no-untyped-def]
        if _is_unusable(self._backend):
            raise KeychainMissingError(MISSING_MESSAGE)
        try:
            return method(*args)
        except keyring.errors.PasswordDeleteError:
            raise
        except keyring.errors.KeyringLocked as exc:
            raise KeychainLockedError(LOCKED_MESSAGE) from exc
        except keyring.errors.NoKeyringError as exc:
            raise KeychainMissingError(MISSING_MESSAGE) from exc
        except keyring.errors.KeyringError as exc:
            raise KeychainError(f"The keychain refused the request ({type(exc).__name__}).") from exc
        except Exception as exc:  # D-Bus and platform errors carry no secrets, but keep their text out
            raise KeychainError(f"The keychain did not answer ({type(exc).__name__}).") from exc
