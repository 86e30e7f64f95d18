"""General tab: this laptop's name (with Rename), then one control per setting of memtray.service.settings.SETTINGS."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from memtray.autostart import Autostart, get_autostart
from memtray.errors import MemtrayError, UsageError
from memtray.laptop_name import MAX_NAME, clean_laptop_name
from memtray.service.settings import SETTINGS, Setting
from memtray.ui.client import ServiceClient
from memtray.ui.widgets import StatusLine, explanation, fill_with_scrolling, heading

START_AT_LOGIN = "start_at_login"


def with_mnemonic(label: str, taken: set[str]) -> str:
    """``label`` with an ``&`` before its first letter no other control on the page uses yet."""
    for index, char in enumerate(label):
        if char.isalpha() and char.lower() not in taken:
            taken.add(char.lower())
            return label[:index] + "&" + label[index:]
    return label


AGENT_SETTINGS = ("claude_", "codex_", "sessions_", "agents_")


def _section(setting: Setting) -> str:
    if setting.key.startswith("notify_"):
        return "notifications"
    return "agents" if setting.key.startswith(AGENT_SETTINGS) else "syncing"


class GeneralTab(QWidget):
    """Every user setting; a change is saved at once, on the client's worker, then announced with ``setting_changed``.

    This laptop's name is the one field that waits for its button (Rename, or Enter): a name is typed, not toggled.

    ``reserved`` holds mnemonic letters already used around the tab (the window's tab bar).
    """

    setting_changed = Signal(str)

    def __init__(
        self,
        client: ServiceClient,
        parent: QWidget | None = None,
        autostart: Autostart | None = None,
        reserved: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._autostart = autostart or get_autostart()
        self.controls: dict[str, QWidget] = {}
        self.status = StatusLine()
        taken = set(reserved)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(heading(self.tr("General")))
        column.addWidget(explanation(self.tr("Changes are saved as soon as you make them.")))
        column.addWidget(self._name_box(taken))
        sections = (
            (self.tr("Syncing"), [s for s in SETTINGS if _section(s) == "syncing"]),
            (self.tr("Your agents"), [s for s in SETTINGS if _section(s) == "agents"]),
            (self.tr("Notifications"), [s for s in SETTINGS if _section(s) == "notifications"]),
        )
        for title, settings in sections:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
            for setting in settings:
                self._add_row(form, setting, taken)
            column.addWidget(box)
        column.addWidget(self.status)
        column.addStretch(1)
        fill_with_scrolling(self, page)  # however many settings there are
        self._saving = 0
        self.refresh()

    def _name_box(self, taken: set[str]) -> QGroupBox:
        box = QGroupBox(self.tr("This laptop"))
        form = QFormLayout(box)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(MAX_NAME)
        self.rename_button = QPushButton(with_mnemonic(self.tr("Rename"), taken))
        self.rename_button.setEnabled(False)
        label = QLabel(with_mnemonic(self.tr("This laptop's name:"), taken))
        label.setBuddy(self.name_edit)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.rename_button)
        form.addRow(label, row)
        form.addRow(
            "", explanation(self.tr("How your other laptops list this one. They show a new name after its next sync."))
        )
        self.name_edit.textChanged.connect(self._name_edited)
        self.name_edit.returnPressed.connect(self.rename)
        self.rename_button.clicked.connect(self.rename)
        return box

    def _typed_name(self) -> str:
        try:
            return clean_laptop_name(self.name_edit.text())
        except UsageError:
            return ""

    def _name_edited(self, _text: str) -> None:
        typed = self._typed_name()
        self.rename_button.setEnabled(bool(typed) and typed != (self._client.snapshot.status.device_name or ""))

    def rename(self) -> None:
        name = self.name_edit.text()
        if not self.rename_button.isEnabled():
            return
        self.rename_button.setEnabled(False)
        self.status.busy(self.tr("Renaming…"))
        self._client.call(lambda service: service.rename_laptop(name), self._renamed, self._rename_failed, refresh=True)

    def _renamed(self, name: str) -> None:
        self.name_edit.setText(name)
        self.name_edit.setModified(False)
        self.status.success(
            self.tr("This laptop is now called “{name}”. Your other laptops show it after the next sync.").format(
                name=name
            )
        )

    def _rename_failed(self, error: MemtrayError) -> None:
        self.status.error(error)
        self._name_edited(self.name_edit.text())

    def refresh(self) -> None:
        """Show the values of the client's snapshot, which is renewed after every save."""
        snapshot = self._client.snapshot
        if not self.name_edit.isModified():
            self.name_edit.setText(snapshot.status.device_name or "")
        for setting in SETTINGS:
            control = self.controls[setting.key]
            value = snapshot.setting(setting.key)
            control.blockSignals(True)
            if isinstance(control, QCheckBox):
                control.setChecked(bool(value))
            elif isinstance(control, QSpinBox):
                control.setValue(int(value))
            elif isinstance(control, QComboBox):
                control.setCurrentIndex(max(0, control.findData(value)))
            control.blockSignals(False)

    def _add_row(self, form: QFormLayout, setting: Setting, taken: set[str]) -> None:
        label = with_mnemonic(self.tr(setting.label), taken)
        control: QWidget
        if setting.kind is bool:
            box = QCheckBox(label)
            box.toggled.connect(lambda on, key=setting.key: self._save(key, on))
            form.addRow(box)
            control = box
        elif setting.choices is not None:
            combo = QComboBox()
            for value, text in setting.choices.items():
                combo.addItem(self.tr(text), value)
            combo.activated.connect(lambda _i, key=setting.key, c=combo: self._save(key, c.currentData()))
            form.addRow(label, combo)
            control = combo
        else:
            spin = QSpinBox()
            spin.setRange(setting.minimum or 0, setting.maximum or 1_000_000)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda value, key=setting.key: self._save(key, value))
            form.addRow(label, spin)
            control = spin
        if setting.help:
            form.addRow("", explanation(self.tr(setting.help)))
        self.controls[setting.key] = control

    def _save(self, key: str, value: Any) -> None:
        try:
            if key == START_AT_LOGIN:
                self._autostart.set_enabled(bool(value))
        except MemtrayError as error:
            self.status.error(error)
            self.refresh()
            return
        self._saving += 1
        self._client.call(
            lambda service: service.set_setting(key, value),
            lambda _result: self._saved(key),
            self._failed,
            refresh=True,
        )

    def _saved(self, key: str) -> None:
        self.status.clear()
        self._settle()
        self.setting_changed.emit(key)

    def _failed(self, error: MemtrayError) -> None:
        self.status.error(error)
        self._settle()

    def _settle(self) -> None:
        """Once no save waits, the snapshot holds every one of them: show it (it undoes a refused change)."""
        self._saving -= 1
        if not self._saving:
            self.refresh()
