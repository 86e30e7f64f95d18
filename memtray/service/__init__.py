"""The one API both the CLI and the tray app use: ``Service`` (see facade.py).

Modules: ``base`` (this laptop's home, config, index, keychain, passphrase, vault keys, and the one place a
hub is opened), ``setup`` (init, join, setup code), ``folders``, ``syncing`` (sync and repair), ``devices``,
``security`` (passphrase, recovery key), ``hub_settings``, ``history`` (activity, conflicts, versions), and
what they keep: ``config`` and ``settings`` (this laptop's config file and the settings declared once),
``keyfile`` (the vault's key file and its pinned copy), ``setupcode`` and ``lock`` (one sync per home).
"""

from memtray.service.base import PASSPHRASE
from memtray.service.facade import Service

__all__ = ["PASSPHRASE", "Service"]
