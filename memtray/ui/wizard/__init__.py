"""The first-run setup wizard: start a new vault or join one from another laptop."""

from memtray.ui.wizard.wizard import SetupWizard

__all__ = ["SetupWizard"]
