"""The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager) via ``keyring``.

Secrets are stored per home scope, so several simulated laptops on one machine never share
entries. There is deliberately no plaintext fallback: without a usable keychain the caller is
told so and must ask the person (or read ``MEMTRAY_PASSPHRASE``), or the person opts in to the
sealed store in memtray's own folder (memtray/service/sealed_store.py).

``keyring`` costs about 0.1 s to import and to pick its backend, and opens a new D-Bus connection for each
item, which a command line run should not pay: on Linux, when nothing chose another backend, items are read,
written and deleted straight on the Secret Service (the backend ``keyring`` picks there), over one connection,
stored exactly as ``keyring`` stores them. ``keyring`` is loaded only when the Secret Service is locked or does not
answer: it may ask the person to unlock it.
"""

from __future__ import annotations

import contextlib
import enum
import os
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from memtray.errors import KeychainError, KeychainLockedError, KeychainMissingError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE_PREFIX = "memtray"
# Windows Credential Manager refuses secrets over 2,560 bytes; stay well below in UTF-16.
CHUNK_CHARS = 1000
CHUNK_MARKER = "memtray-chunks:"
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
KEYRING_APPLICATION = "Python keyring library"
"""The ``application`` attribute ``keyring``'s Secret Service backend gives the items it writes."""
T = TypeVar("T")

MISSING_MESSAGE = (
    "memtray could not find a keychain on this computer, so it cannot remember your passphrase. "
    "It will ask for the passphrase each time instead."
)
LOCKED_MESSAGE = "Your keychain is locked. Unlock it (or type your passphrase) so memtray can sync."


class KeychainState(enum.Enum):
    WORKING = "working"
    LOCKED = "locked"
    MISSING = "missing"


class SecretStore(Protocol):
    """Where this laptop keeps named secrets: the keychain, or the sealed store in memtray's folder."""

    def available(self) -> bool: ...

    def get(self, name: str) -> str | None: ...

    def peek(self, name: str) -> str | None:
        """The item if it can be read without asking the person anything, else None."""
        ...

    def is_open(self) -> bool:
        """Items can be read and written without asking the person anything."""
        ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


def _secret_service_locked() -> bool:
    """Is the Secret Service's default collection locked? Asked without raising an unlock prompt."""
    import secretstorage

    with closing(secretstorage.dbus_init()) as bus:
        return bool(secretstorage.get_default_collection(bus).is_locked())


def _is_unusable(backend: KeyringBackend) -> bool:
    name = type(backend).__module__ + "." + type(backend).__name__
    return name.startswith(("keyring.backends.fail.", "keyring.backends.null."))


def _keyring_config_file() -> Path:
    """Where ``keyring`` reads the backend a person chose (its ``platform_.config_root()`` on Linux)."""
    root = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(root) / "python_keyring" / "keyringrc.cfg"


def _secret_service_is_the_choice() -> bool:
    """True where ``keyring`` would read from the Secret Service and nothing chose otherwise."""
    if sys.platform != "linux" or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    if os.environ.get("PYTHON_KEYRING_BACKEND") or "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper():
        return False
    core = sys.modules.get("keyring.core")
    if core is not None and getattr(core, "_keyring_backend", None) is not None:
        return False  # this process set or already picked a backend: keyring decides
    return not _keyring_config_file().exists()


_reader_lock = threading.Lock()
_reader: tuple[str, Any] | None = None
"""The bus address and the Secret Service's default collection, with its connection and session: kept for the
process, so a run that reads or writes three items opens one connection and one encrypted session, not three."""


class _NotReadable(Exception):
    """The Secret Service is locked or did not answer: only ``keyring`` (which may ask the person) can say more."""


def _on_secret_service(act: Callable[[Any], T]) -> T:
    """``act(collection)`` on the Secret Service's default collection, over the connection kept for the process;
    _NotReadable when it is locked or unreachable. Never asks the person to unlock anything."""
    global _reader
    with _reader_lock:
        try:
            import secretstorage
            from secretstorage.util import open_session

            address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
            if _reader is None or _reader[0] != address:
                _drop_reader()
                bus = secretstorage.dbus_init()
                _reader = (address, secretstorage.Collection(bus, session=open_session(bus)))
            collection = _reader[1]
            if collection.is_locked():
                raise _NotReadable
            return act(collection)
        except _NotReadable:
            raise
        except Exception as exc:  # no D-Bus session, no Secret Service answering
            _drop_reader()
            raise _NotReadable from exc


def _open_items(collection: Any, service: str, name: str) -> list[Any]:
    """The items ``keyring``'s Secret Service backend finds for ``name``; _NotReadable if one is locked."""
    items = list(collection.search_items({"username": name, "service": service}))
    if any(item.is_locked() for item in items):
        raise _NotReadable
    return items


def _read_secret_service(service: str, name: str) -> str | None:
    """The item as ``keyring``'s Secret Service backend stores it, None when absent."""

    def read(collection: Any) -> str | None:
        items = _open_items(collection, service, name)
        return bytes(items[0].get_secret()).decode("utf-8") if items else None

    return _on_secret_service(read)


def _write_secret_service(service: str, name: str, value: str) -> None:
    """Store the item as ``keyring``'s Secret Service backend does (its label and attributes), so either reads it."""

    def write(collection: Any) -> None:
        attributes = {"username": name, "service": service, "application": KEYRING_APPLICATION}
        collection.create_item(f"Password for '{name}' on '{service}'", attributes, value.encode("utf-8"), True)

    _on_secret_service(write)


def _delete_secret_service(service: str, name: str) -> None:
    def delete(collection: Any) -> None:
        for item in _open_items(collection, service, name):
            item.delete()

    _on_secret_service(delete)


def _drop_reader() -> None:
    global _reader
    if _reader is not None:
        with contextlib.suppress(Exception):
            _reader[1].connection.close()
    _reader = None


class Keychain:
    """Named secrets for one memtray home."""

    def __init__(self, scope: str, backend: KeyringBackend | None = None) -> None:
        self.service = f"{SERVICE_PREFIX}:{scope}"
        self._chosen = backend
        self._fast_reads = backend is None

    @property
    def _backend(self) -> KeyringBackend:
        if self._chosen is None:
            import keyring

            self._chosen = keyring.get_keyring()
        return self._chosen

    def available(self) -> bool:
        if self._reads_fast():
            with contextlib.suppress(_NotReadable):
                _on_secret_service(lambda _collection: None)
                return True
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
        if self.backend_name() == SECRET_SERVICE_BACKEND:
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
        value = self._read(name)
        if value is None or not value.startswith(CHUNK_MARKER):
            return value
        count = int(value[len(CHUNK_MARKER) :])
        parts = [self._read(f"{name}#{i}") for i in range(count)]
        if any(part is None for part in parts):
            return None
        return "".join(part for part in parts if part is not None)

    def peek(self, name: str) -> str | None:
        """Like ``get``, but None rather than asking the person to unlock the keychain (or when it fails)."""
        if self._reads_fast():
            try:
                fast = _read_secret_service(self.service, name)
            except _NotReadable:
                return None
            if fast is not None and not fast.startswith(CHUNK_MARKER):
                return fast
        if not self.is_open():
            return None
        try:
            return self.get(name)
        except KeychainError:
            return None

    def is_open(self) -> bool:
        """Can items be read and written without asking the person (the keychain is there and unlocked)?"""
        if self._reads_fast() or (self.available() and self.backend_name() == SECRET_SERVICE_BACKEND):
            try:
                return not _secret_service_locked()
            except Exception:
                return False
        return self.available()

    def _reads_fast(self) -> bool:
        return self._fast_reads and self._chosen is None and _secret_service_is_the_choice()

    def _read(self, name: str) -> str | None:
        """The item as stored (for a value kept in parts, its marker)."""
        if self._reads_fast():
            with contextlib.suppress(_NotReadable):
                return _read_secret_service(self.service, name)
        found: str | None = self._call("get_password", self.service, name)
        return found

    def set(self, name: str, value: str) -> None:
        self.delete(name)
        if len(value) <= CHUNK_CHARS:
            self._store(name, value)
            return
        parts = [value[i : i + CHUNK_CHARS] for i in range(0, len(value), CHUNK_CHARS)]
        for i, part in enumerate(parts):
            self._store(f"{name}#{i}", part)
        self._store(name, f"{CHUNK_MARKER}{len(parts)}")

    def delete(self, name: str) -> None:
        current = self._read(name)
        if current is None:
            return
        if current.startswith(CHUNK_MARKER):
            for i in range(int(current[len(CHUNK_MARKER) :])):
                self._forget(f"{name}#{i}")
        self._forget(name)

    def _store(self, name: str, value: str) -> None:
        if self._reads_fast():
            with contextlib.suppress(_NotReadable):
                _write_secret_service(self.service, name, value)
                return
        self._call("set_password", self.service, name, value)

    def _forget(self, name: str) -> None:
        if self._reads_fast():
            with contextlib.suppress(_NotReadable):
                _delete_secret_service(self.service, name)
                return
        import keyring.errors

        try:
            self._call("delete_password", self.service, name)
        except KeychainError:
            raise
        except keyring.errors.PasswordDeleteError:
            pass

    def _call(self, method: str, *args: str) -> Any:
        import keyring.errors

        backend = self._backend
        if _is_unusable(backend):
            raise KeychainMissingError(MISSING_MESSAGE)
        try:
            return getattr(backend, method)(*args)
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
