"""Where memtray keeps its config, state and logs, and how it keeps them private.

``--home DIR`` or ``MEMTRAY_HOME`` puts everything under one folder, so several
simulated laptops can live on one machine; otherwise the platform's usual folders are used.

The index holds plaintext copies of synced files and the pinned key file invites offline
passphrase guessing, so on POSIX memtray's folders are 0700 and its files 0600, set explicitly
whatever the umask, and homes left with looser modes are tightened when memtray opens them.
On Windows the folders live under the user's profile (platformdirs), whose ACL already keeps
other users out, so no modes are set there.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memtray.errors import LocalFileError

APP_NAME = "memtray"
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SETS_MODES = os.name == "posix"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Home:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    keychain_scope: str

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.json"

    @property
    def keyfile_pin(self) -> Path:
        return self.data_dir / "keyfile.json"

    @property
    def laptop_key_file(self) -> Path:
        """This laptop's own key when no keychain is usable (see memtray/service/laptop_keys.py)."""
        return self.data_dir / "laptop-key"

    @property
    def index_file(self) -> Path:
        return self.data_dir / "index.sqlite3"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "sync.lock"

    def ensure(self) -> None:
        """Create the home's folders, private, and tighten anything in them left readable by others."""
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            make_private_folder(folder)
            tighten_contents(folder)


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Home:
    """The home named by ``--home``, else ``MEMTRAY_HOME``, else the per-user default."""
    chosen = explicit or os.environ.get("MEMTRAY_HOME")
    if chosen:
        root = Path(chosen).expanduser().resolve()
        scope = "home-" + hashlib.sha256(str(root).encode()).hexdigest()[:16]
        return Home(root / "config", root / "data", root / "logs", scope)
    import platformdirs  # about 4 ms to load: only for the per-user default

    return Home(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        "default",
    )


def make_private_folder(folder: Path) -> None:
    """``folder`` (and missing parents) exists, and only its owner may enter it."""
    folder.mkdir(parents=True, exist_ok=True)
    if SETS_MODES:
        os.chmod(folder, PRIVATE_FOLDER_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if it is missing (a umask can only take permissions away); a file that is
    already there keeps its mode, which ``Home.ensure`` tightens."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE))


def write_private_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` through a private (0600), fsynced temp file; OSError on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".tmp-{os.urandom(16).hex()}"
    # A new file (O_EXCL) created 0600: a umask can only take permissions away.
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON; the file is private to its owner (0600 on POSIX)."""
    try:
        write_private_atomic(path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8"))
    except OSError as exc:
        raise LocalFileError(f"memtray could not save {path.name}: {exc.strerror or exc}.") from exc


def tighten_contents(folder: Path) -> None:
    """Files directly in ``folder`` become 0600 and sub-folders 0700 (symlinks are left alone)."""
    if not SETS_MODES:
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                os.chmod(entry.path, PRIVATE_FOLDER_MODE)
            elif entry.is_file(follow_symlinks=False):
                os.chmod(entry.path, PRIVATE_FILE_MODE)
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("could not make %s private: %s", entry.path, exc.strerror or exc)
