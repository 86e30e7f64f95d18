"""Where memtray keeps its config, state and logs.

``--home DIR`` or ``MEMTRAY_HOME`` puts everything under one folder, so several
simulated laptops can live on one machine; otherwise the platform's usual folders are used.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "memtray"


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
    def index_file(self) -> Path:
        return self.data_dir / "index.sqlite3"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "sync.lock"

    def ensure(self) -> None:
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Home:
    """The home named by ``--home``, else ``MEMTRAY_HOME``, else the per-user default."""
    chosen = explicit or os.environ.get("MEMTRAY_HOME")
    if chosen:
        root = Path(chosen).expanduser().resolve()
        scope = "home-" + hashlib.sha256(str(root).encode()).hexdigest()[:16]
        return Home(root / "config", root / "data", root / "logs", scope)
    return Home(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        "default",
    )
