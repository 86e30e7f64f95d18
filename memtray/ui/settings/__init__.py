"""The settings window: one module per tab."""

from memtray.ui.settings.window import SettingsWindow

__all__ = ["SettingsWindow"]
