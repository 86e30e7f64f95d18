"""Is this laptop online? One small abstract class, a Qt-backed implementation and a factory.

``QNetworkInformation`` (QtNetwork, in PySide6-Essentials) asks the OS (NetworkManager, glib,
Network List Manager, SCNetworkReachability) and pushes changes, so watching costs no polling.
Where no backend loads, ``AssumeOnline`` keeps memtray syncing and lets hub errors speak instead.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QNetworkInformation


class NetworkStatus(QObject):
    """``online`` now, and ``online_changed(bool)`` when it flips."""

    online_changed = Signal(bool)

    def is_online(self) -> bool:
        raise NotImplementedError


class AssumeOnline(NetworkStatus):
    def is_online(self) -> bool:
        return True


class QtNetworkStatus(NetworkStatus):
    def __init__(self, info: QNetworkInformation, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._info = info
        self._online = self._reachable(info.reachability())
        info.reachabilityChanged.connect(self._on_reachability)

    @staticmethod
    def _reachable(reachability: QNetworkInformation.Reachability) -> bool:
        return reachability not in (
            QNetworkInformation.Reachability.Disconnected,
            QNetworkInformation.Reachability.Local,
        )

    def is_online(self) -> bool:
        return self._online

    def _on_reachability(self, reachability: QNetworkInformation.Reachability) -> None:
        online = self._reachable(reachability)
        if online != self._online:
            self._online = online
            self.online_changed.emit(online)


def network_status(parent: QObject | None = None) -> NetworkStatus:
    """The best network status this platform offers."""
    if QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
        info = QNetworkInformation.instance()
        if info is not None:
            return QtNetworkStatus(info, parent)
    return AssumeOnline(parent)
