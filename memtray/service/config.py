"""This laptop's non-secret configuration: which vault, which hub, where each folder lives, settings.

Stored as JSON in the home's config folder and replaced atomically. Secrets live in the keychain.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memtray.errors import LocalFileError
from memtray.paths import write_json_atomic
from memtray.service.settings import SETTINGS_BY_KEY, coerce


@dataclass
class Config:
    vault_id: str
    device_id: str
    device_name: str
    hub_url: str
    allow_insecure_http: bool = False
    # "sha256:<hex>" of a memtray hub's own certificate; None: verify it against the system's authorities.
    tls_fingerprint: str | None = None
    folder_paths: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    # Project identity key -> the folder the person chose for it on this laptop (``memtray projects link``).
    project_links: dict[str, str] = field(default_factory=dict)
    # The folders (ids) whose secret guard is off on this laptop: their files are sent unchecked.
    secret_guard_off: list[str] = field(default_factory=list)

    def setting(self, key: str) -> Any:
        return self.settings.get(key, SETTINGS_BY_KEY[key].default)

    def set_setting(self, key: str, value: Any) -> None:
        self.settings[key] = coerce(key, value)


def load_config(path: Path) -> Config | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LocalFileError(
            f"memtray's settings file {path} could not be read. Move it away and set up again."
        ) from exc
    known = {key: data[key] for key in Config.__dataclass_fields__ if key in data}
    config = Config(**known)
    config.settings = {key: value for key, value in config.settings.items() if key in SETTINGS_BY_KEY}
    return config


def save_config(path: Path, config: Config) -> None:
    write_json_atomic(path, asdict(config))
