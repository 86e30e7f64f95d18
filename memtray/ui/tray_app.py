"""``TrayApp``: everything the running app is made of, wired together with typed signals.

It builds the service and hands it to a ``ServiceClient``, which from then on is the only way to
it; then the sync controller, the scheduler, the notifier and the tray icon. The app never asks
the service for anything on the UI thread: every new snapshot of the client brings the status to
the tray and the folders, interval, pause and notice settings to the scheduler and the notifier.
"A file needs a look" (the tray menu) and a notice's click open what waits for the person: the conflict
in Settings, or the dialog of a file the secret guard held back, whose "Send anyway" is followed by a sync.
Before set-up the setup wizard opens; without a tray host the settings window stands in for the icon.
After the wizard, the first sync's outcome decides the notice: "memtray is set up" only when nothing waits for
the person; a file that needs a look or was held back is announced as that. An action that fails (a folder that
cannot be opened) says so in a notice that names the path.

The sync stack (keyring, cryptography, SQLite, watchdog) is imported inside ``TrayApp.__init__``,
so that the tray icon can appear before it is loaded.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon, QWidget

from memtray.errors import MemtrayError
from memtray.paths import Home
from memtray.ui.client import ServiceClient, Snapshot
from memtray.ui.command_line_door import CommandLineDoor
from memtray.ui.held_dialog import HeldFileDialog
from memtray.ui.icons import app_icon
from memtray.ui.mass_delete import mass_delete_error
from memtray.ui.notify import Announcer, Notice, NoticeKind, Notifier, NotifyPrefs, make_notifier
from memtray.ui.sync_controller import SyncController
from memtray.ui.tray import Tray, files_to_look_at

if TYPE_CHECKING:
    from memtray.hubs.base import ChangeFeed
    from memtray.model import HeldFile, MassDeleteQuestion, SyncResult
    from memtray.service import Service
    from memtray.ui.add_laptop import AddLaptopDialog
    from memtray.ui.network import NetworkStatus
    from memtray.ui.settings.window import SettingsWindow

QUIT_WAIT_MSECS = 5000


def _tr(text: str) -> str:
    return QCoreApplication.translate("TrayApp", text)


def _nothing(_result: object) -> None:
    """The answer of a call whose effect arrives with the client's next snapshot."""


def _change_feed(service: Service) -> ChangeFeed | None:
    return service.change_feed()


class TrayApp(QObject):
    """Everything the running app is made of, wired together; no other object reaches into it."""

    def __init__(
        self,
        home: Home,
        *,
        use_tray: bool | None = None,
        tray: Tray | None = None,
        network: NetworkStatus | None = None,
        parent: QObject | None = None,
    ) -> None:
        from memtray.keychain import Keychain
        from memtray.service import PASSPHRASE, Service
        from memtray.ui.network import network_status
        from memtray.ui.passphrase_prompter import PassphrasePrompter
        from memtray.ui.scheduler import Scheduler

        super().__init__(parent)
        self.home = home
        self.use_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray

        def passphrase_item() -> str:
            """The keychain entry ``Service.passphrase`` reads; asked for on the worker, inside that very call."""
            return f"{service.config.vault_id}:{PASSPHRASE}"

        self.prompter = PassphrasePrompter(
            Keychain(home.keychain_scope), passphrase_item, self, recover=lambda key, new: service.recover(key, new)
        )
        service = Service(home, ask_passphrase=self.prompter.ask)
        self.client = ServiceClient(service, self)
        self.controller = SyncController(self.client, self)
        self.network = network or network_status(self)
        self.scheduler = Scheduler(self.controller, self.network, self)
        self.door = CommandLineDoor(home, self.controller, self)
        self.tray = tray or Tray()
        self.tray.setParent(self)
        self.notifier: Notifier = make_notifier(self.tray.icon if self.use_tray else None, self)
        self.announcer = Announcer(self.notifier)
        self._settings_window: SettingsWindow | None = None
        self._wizard: QWidget | None = None
        self._syncing_started = False
        self._announce_set_up = False
        self._mass_delete_box: QMessageBox | None = None
        self.held_dialog: HeldFileDialog | None = None
        self.add_laptop_dialog: AddLaptopDialog | None = None
        self._wire()

    def _wire(self) -> None:
        self.client.snapshot_changed.connect(self._on_snapshot)
        self.controller.running_changed.connect(self.tray.set_syncing)
        self.controller.progress.connect(self.tray.set_progress)
        self.controller.finished.connect(self._on_synced)
        self.controller.failed.connect(self._on_failed)
        self.network.online_changed.connect(lambda online: self.tray.set_offline(not online))
        self.scheduler.heartbeat.connect(self.tray.refresh_times)
        self.tray.sync_requested.connect(self.scheduler.sync_now)
        self.tray.pause_requested.connect(self.set_paused)
        self.tray.settings_requested.connect(self.show_settings)
        self.tray.add_laptop_requested.connect(self.show_add_laptop)
        self.tray.look_requested.connect(self.show_what_needs_a_look)
        self.tray.quit_requested.connect(self.quit)
        self.tray.folder_not_opened.connect(self._on_folder_not_opened)
        self.notifier.clicked.connect(self._on_notice_clicked)
        self.tray.set_offline(not self.network.is_online())

    def _on_folder_not_opened(self, path: str) -> None:
        self.notifier.show_notice(
            Notice(
                NoticeKind.ERROR,
                _tr("The folder could not be opened"),
                _tr(
                    "memtray could not show {path}: no file manager opened it, or the folder is not there. "
                    "Open it yourself in your file manager."
                ).replace("{path}", path),
            )
        )

    def _on_notice_clicked(self, notice: Notice) -> None:
        if notice.held is not None:
            self.show_held_file(notice.held)
        elif notice.tab:
            self.show_settings(notice.tab)

    def show_what_needs_a_look(self) -> None:
        """The first open conflict (Settings, Conflicts), else the first file the secret guard held back."""
        status = self.client.snapshot.status
        if status.open_conflicts or not status.held:
            self.show_settings("conflicts")
        else:
            self.show_held_file(status.held[0])

    def show_held_file(self, held: HeldFile) -> None:
        if self.held_dialog is not None:
            self.held_dialog.close()
        folder = next((f for f in self.client.snapshot.folders if f.folder_id == held.folder_id), None)
        dialog = HeldFileDialog(self.client, held, folder.path if folder is not None else None)
        dialog.setWindowIcon(app_icon())
        dialog.sent.connect(lambda _held: self.controller.request())
        dialog.finished.connect(lambda _result: self._forget_held_dialog(dialog))
        self.held_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _forget_held_dialog(self, dialog: HeldFileDialog) -> None:
        if self.held_dialog is dialog:
            self.held_dialog = None
        dialog.deleteLater()

    def start(self) -> None:
        if self.use_tray:
            self.tray.show()
        # Only a set-up laptop can fail to give its status, so a failed first read means: go and sync.
        self.client.refresh(self._on_first_snapshot, lambda _error: self.start_syncing())

    def _on_first_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.set_up:
            self.start_syncing()
        else:
            self.show_wizard()

    def start_syncing(self) -> None:
        if self._syncing_started:
            return
        self._syncing_started = True
        if not self.use_tray:
            self.show_settings("general")
        self.client.call(_change_feed, self._on_loaded, self._on_load_failed, refresh=True)

    def _on_loaded(self, feed: ChangeFeed | None) -> None:
        self.scheduler.set_change_feed(feed)
        self.scheduler.start()
        self.door.start()

    def _on_load_failed(self, error: MemtrayError) -> None:
        """The hub's change feed could not be opened: say so, and sync on the interval and file changes."""
        self._on_failed(error)
        self.scheduler.start()
        self.door.start()

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        """Scheduler first: resuming starts a sync, so the tray goes from paused straight to syncing."""
        if not snapshot.set_up:
            return
        self.announcer.prefs = NotifyPrefs(
            conflicts=bool(snapshot.setting("notify_conflicts")),
            errors=bool(snapshot.setting("notify_errors")),
            new_device=bool(snapshot.setting("notify_new_device")),
            success=bool(snapshot.setting("notify_success")),
        )
        self.scheduler.set_interval_minutes(int(snapshot.setting("interval_minutes")))
        self.scheduler.set_paused(bool(snapshot.setting("paused")))
        self.tray.set_status(snapshot.status)
        self.scheduler.set_folders(snapshot.folders)

    def _on_synced(self, result: SyncResult) -> None:
        if result.mass_delete is not None:
            self._ask_mass_delete(result.mass_delete)
            return
        self.tray.set_error(None)
        self.announcer.sync_succeeded(result)
        self._tell_set_up(max(len(result.conflicts) + len(result.held), files_to_look_at(self.client.snapshot.status)))

    def _on_failed(self, error: MemtrayError) -> None:
        self.tray.set_error(error)
        self.announcer.sync_failed(error)
        self._announce_set_up = False

    def _tell_set_up(self, waiting: int) -> None:
        """After the wizard: "memtray is set up" only when no file waits for the person."""
        if not self._announce_set_up:
            return
        self._announce_set_up = False
        status = self.client.snapshot.status
        if waiting:
            held = None if status.open_conflicts else next(iter(status.held), None)
            notice = Notice(
                NoticeKind.CONFLICT,
                _tr("A file needs a look"),
                _tr("memtray is syncing, but a file waits for you to choose what to keep. Click to show."),
                "conflicts" if held is None else None,
                held,
            )
        else:
            notice = Notice(
                NoticeKind.INFO,
                _tr("memtray is set up"),
                _tr("memtray keeps your files in sync from here in the tray. Click its icon to sync now."),
            )
        self.notifier.show_notice(notice)

    def _ask_mass_delete(self, question: MassDeleteQuestion) -> None:
        """A large delete waits for a yes: deleted on purpose, or lost by accident (then keep them). Until the
        answer the tray shows it, and automatic syncs wait for the person (see the watch policy)."""
        waiting = mass_delete_error(question)
        self.tray.set_error(waiting)
        if self._mass_delete_box is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, waiting.title, "")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<p><b>{html.escape(waiting.title)}</b></p><p>{html.escape(waiting.message)}</p>")
        delete = box.addButton(_tr("&Sync anyway"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(_tr("&Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(_result: int) -> None:
            self._mass_delete_box = None
            if box.clickedButton() is delete:
                self.controller.request(allowed_delete=question)
            box.deleteLater()

        box.finished.connect(answered)
        self._mass_delete_box = box
        box.open()
        box.raise_()
        box.activateWindow()

    def set_paused(self, paused: bool) -> None:
        self.client.call(lambda service: service.set_setting("paused", paused), _nothing, self._on_failed, refresh=True)

    def reload_settings(self, area: str) -> None:
        """The settings window changed ``area`` (a setting key, "folders", "hub" or "conflicts").

        The change came with a new snapshot, already applied; a new hub needs its own change feed,
        and changed folders or a resolved conflict are synced at once.
        """
        if area == "hub":
            self.client.call(_change_feed, self.scheduler.set_change_feed, self._on_failed)
        elif area in ("folders", "conflicts"):
            self.scheduler.sync_now()

    def settings_window(self) -> SettingsWindow:
        if self._settings_window is None:
            from memtray.ui.settings.window import SettingsWindow

            window = SettingsWindow(self.client)
            window.setWindowIcon(app_icon())
            window.settings_changed.connect(self.reload_settings)
            if not self.use_tray:
                window.finished.connect(lambda _result: self.quit())
            self._settings_window = window
        return self._settings_window

    def show_add_laptop(self) -> None:
        """The "Add a laptop" window with a new setup code (while setting up: the setup wizard instead)."""
        if self._wizard is not None:
            self.show_window()
            return
        from memtray.ui.add_laptop import AddLaptopDialog

        if self.add_laptop_dialog is not None:
            self.add_laptop_dialog.close()
        dialog = AddLaptopDialog(self.client)
        dialog.setWindowIcon(app_icon())
        dialog.finished.connect(lambda _result: self._forget_add_laptop_dialog(dialog))
        self.add_laptop_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _forget_add_laptop_dialog(self, dialog: AddLaptopDialog) -> None:
        if self.add_laptop_dialog is dialog:
            self.add_laptop_dialog = None
        dialog.deleteLater()

    def show_settings(self, tab: str) -> None:
        if self._wizard is not None:
            self.show_window()
            return
        self.settings_window().show_tab(tab)

    def show_window(self) -> None:
        """What a second launch asks for: the wizard while setting up, else the settings window."""
        if self._wizard is not None:
            self._wizard.show()
            self._wizard.raise_()
            self._wizard.activateWindow()
            return
        self.show_settings("general")

    def show_wizard(self) -> None:
        try:
            from memtray.ui.wizard import SetupWizard
        except ImportError:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                _tr("memtray is not set up yet"),
                _tr("Set memtray up from a terminal with `memtray init` or `memtray join`, then start it again."),
            )
            box.finished.connect(lambda _result: self.quit())
            box.open()
            self._wizard = box
            return
        wizard = SetupWizard(self.client)
        wizard.setWindowIcon(app_icon())
        wizard.completed.connect(self._on_wizard_completed)
        wizard.rejected.connect(self.quit)
        self._wizard = wizard
        wizard.show()
        wizard.raise_()
        wizard.activateWindow()

    def _on_wizard_completed(self) -> None:
        wizard, self._wizard = self._wizard, None
        if wizard is not None:
            wizard.hide()
            wizard.deleteLater()
        self._announce_set_up = self.use_tray
        self.start_syncing()

    def quit(self) -> None:
        QCoreApplication.quit()

    def shutdown(self) -> bool:
        """Stop triggers, finish the calls asked so far and close the service; False when one is stuck (a hung hub)."""
        self.scheduler.stop()
        self.door.stop()
        self.prompter.close()
        self.tray.hide()
        return self.client.shutdown(QUIT_WAIT_MSECS)
