"""Test mode: catch a service call made on the UI thread.

The window must never wait on the service: a call can block on the hub, the keychain or the
SQLite index while a sync runs. With ``MEMTRAY_UI_THREAD_GUARD=1`` in the environment (the UI
tests set it), ``ServiceClient`` wraps its ``Service`` in ``UiThreadGuard``. Every call of a
public method or property of the service is then checked: on a worker thread it is counted in
``LOG.worker_calls``; on the Qt main thread it is noted in ``LOG.ui_thread_calls`` and raises
``UiThreadCallError``. Plain attributes (``home``) are data and pass unchecked.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, QThread

if TYPE_CHECKING:
    from memtray.service import Service

GUARD_ENV = "MEMTRAY_UI_THREAD_GUARD"


class UiThreadCallError(AssertionError):
    """A service method was called on the UI thread (a programming error, raised only in test mode)."""


@dataclass
class GuardLog:
    ui_thread_calls: list[str] = field(default_factory=list)
    worker_calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def clear(self) -> None:
        with self._lock:
            self.ui_thread_calls.clear()
            self.worker_calls = 0

    def check(self, name: str) -> None:
        with self._lock:
            if not on_ui_thread():
                self.worker_calls += 1
                return
            self.ui_thread_calls.append(name)
        raise UiThreadCallError(f"Service.{name} was called on the UI thread; go through ServiceClient.call.")


LOG = GuardLog()


def guard_enabled() -> bool:
    return os.environ.get(GUARD_ENV) == "1"


def on_ui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


class UiThreadGuard:
    """Stands in for a ``Service``: the same attributes, each public method and property checked (module rules)."""

    def __init__(self, service: Service) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        service = self.__dict__["_service"]
        declared = inspect.getattr_static(type(service), name, None)
        if name.startswith("_") or declared is None:
            return getattr(service, name)
        if isinstance(declared, property):
            LOG.check(name)
            return getattr(service, name)
        method = getattr(service, name)
        if not callable(method):
            return method
        return _checked(name, method)


def _checked(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        LOG.check(name)
        return method(*args, **kwargs)

    return call


def guarded(service: Service) -> Service:
    """``service`` itself, or in test mode the same service behind a ``UiThreadGuard``."""
    return cast("Service", UiThreadGuard(service)) if guard_enabled() else service
