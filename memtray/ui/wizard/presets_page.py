"""New vault, step 2: which AI tools' memory to sync (everything found is pre-checked)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWizardPage

from memtray.presets import Preset, detect_presets, project_preset
from memtray.ui.widgets import PathPicker, explanation, home_relative
from memtray.ui.wizard.base import PAGE_PASSPHRASE, WizardState


class PresetsPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(self.tr("What should memtray keep in sync?"))
        self.setSubTitle(self.tr("memtray found these AI tools on this laptop. Untick any you want to leave out."))
        self.list = QListWidget()
        self.list.setSpacing(3)
        self.empty_note = explanation(
            self.tr("memtray did not find memory files of Claude Code, Codex, Gemini CLI, Windsurf or Copilot here.")
        )
        self.project_picker = PathPicker("", self.tr("Choose a project folder"))
        self.add_project_button = QPushButton(self.tr("&Add project"))
        self.add_project_button.setEnabled(False)
        project_row = QHBoxLayout()
        project_row.addWidget(self.project_picker, 1)
        project_row.addWidget(self.add_project_button)
        column = QVBoxLayout(self)
        column.addWidget(self.list, 1)
        column.addWidget(self.empty_note)
        project_label = QLabel(self.tr("Also sync a &project's CLAUDE.md, AGENTS.md, GEMINI.md and Cursor rules:"))
        project_label.setBuddy(self.project_picker.line)
        project_label.setWordWrap(True)
        column.addWidget(project_label)
        column.addLayout(project_row)
        column.addWidget(explanation(self.tr("You can add or remove folders any time in Settings.")))
        self.project_picker.changed.connect(lambda text: self.add_project_button.setEnabled(bool(text.strip())))
        self.add_project_button.clicked.connect(self.add_project)
        self._filled = False

    def initializePage(self) -> None:
        if self._filled:
            return
        self._filled = True
        for preset in detect_presets(self.state.user_home):
            self._add(preset)
        self.empty_note.setVisible(self.list.count() == 0)

    def add_project(self) -> None:
        preset = project_preset(Path(self.project_picker.path()))
        if all(chosen.folder_name != preset.folder_name for chosen in self._all()):
            self._add(preset)
        self.project_picker.set_path("")
        self.empty_note.hide()

    def _add(self, preset: Preset) -> None:
        item = QListWidgetItem(f"{preset.label}\n{home_relative(preset.path)}")
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        item.setData(Qt.ItemDataRole.UserRole, preset)
        self.list.addItem(item)

    def _all(self) -> list[Preset]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def chosen(self) -> list[Preset]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item.checkState() == Qt.CheckState.Checked]

    def validatePage(self) -> bool:
        self.state.presets = self.chosen()
        return True

    def nextId(self) -> int:
        return PAGE_PASSPHRASE
