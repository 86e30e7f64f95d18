"""The question the tray asks when a sync stopped before deleting most of a folder, in the person's language.

``memtray.model.MassDeleteQuestion.message`` words it for the command line; here the same sentences are
translated, with "Sync anyway" (the dialog's button) as the way to agree.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from memtray.errors import MassDeleteError
from memtray.model import DeletedBy, MassDeleteQuestion


def _tr(text: str) -> str:
    return QCoreApplication.translate("MassDelete", text)


def mass_delete_error(question: MassDeleteQuestion) -> MassDeleteError:
    """The question as a notice's title and message, shown until the person answers it."""
    if question.deleted_by is DeletedBy.THIS_LAPTOP:
        text = _tr(
            "{deleted} of {files} files in '{folder}' are missing on this laptop. If you deleted them on purpose, "
            "choose Sync anyway; otherwise put them back. Nothing was sent."
        )
    else:
        text = _tr(
            "Another laptop deleted {deleted} of the {files} files in '{folder}'. memtray paused before deleting "
            "them here. If that is what you want, choose Sync anyway. Nothing was changed on this laptop."
        )
    counted = text.replace("{deleted}", str(question.deleted)).replace("{files}", str(question.files))
    return MassDeleteError(counted.replace("{folder}", question.folder), title=_tr("Many files would be deleted"))
