"""The UI in the person's language: memtray's own texts and Qt's (standard buttons, text-field menus).

``install_translations(app)`` runs once, right after the QApplication is made (``memtray.ui.app``). It
picks one language for the whole UI: the first of the person's UI languages (``QLocale().uiLanguages()``:
on Linux and other Unixes what LANGUAGE, LC_ALL, LC_MESSAGES and LANG ask for, read as Qt reads them;
on Windows and macOS the system's language list) that memtray speaks. English, the language the code is
written in, counts as spoken, so "English, then German" stays English. For that language it installs
Qt's own translation (``qtbase_<lang>.qm`` from ``QLibraryInfo``'s translations folder, when there) and
memtray's; a language memtray does not speak leaves all of it in English rather than mixing languages in
one window.

memtray's translations are the Qt Linguist sources themselves, ``memtray/resources/translations/
memtray_<lang>.ts``, read by ``TsTranslator`` when the app starts: no compiled ``.qm`` has to be built
by every way memtray is installed (run.sh, test.sh, pip, the installers), and none can be stale after
``scripts/update_translations.py`` refreshed the sources. A message marked unfinished, obsolete or
vanished, or with an empty translation, is not used, so a text nobody has translated yet shows in English.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"
SOURCE_LANGUAGE = "en"
NOT_USED = {"unfinished", "obsolete", "vanished"}

log = logging.getLogger(__name__)

Key = tuple[str, str, str]


class TsTranslator(QTranslator):
    """A QTranslator that answers from the finished messages of one Qt Linguist ``.ts`` file."""

    def __init__(self, ts_file: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._language = ""
        self._texts: dict[Key, str] = {}
        self._plurals: dict[Key, list[str]] = {}
        self._read(ts_file)

    def _read(self, ts_file: Path) -> None:
        root = ET.parse(ts_file).getroot()
        self._language = root.get("language", "")
        for context in root.iter("context"):
            context_name = context.findtext("name") or ""
            for message in context.iter("message"):
                translation = message.find("translation")
                if translation is None or translation.get("type") in NOT_USED:
                    continue
                key = (context_name, message.findtext("source") or "", message.findtext("comment") or "")
                if message.get("numerus") == "yes":
                    forms = [form.text or "" for form in translation.iter("numerusform")]
                    if forms and all(forms):
                        self._plurals[key] = forms
                elif translation.text:
                    self._texts[key] = translation.text

    def language(self) -> str:
        return self._language

    def isEmpty(self) -> bool:
        return not self._texts and not self._plurals

    def translate(
        self, context: str, sourceText: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:  # None: "not here", so Qt tries the next translator, then keeps the English text
        key = (context, sourceText, disambiguation or "")
        forms = self._plurals.get(key)
        if forms is not None:
            return forms[min(plural_form(n), len(forms) - 1)]
        return self._texts.get(key)


def plural_form(n: int) -> int:
    """Which plural form a count takes: the rule of English and German (form 0 for exactly one, else form 1).

    Without a count (n < 0) the first form, as Qt's own translator does. A translation into a language
    with other plural rules (French, Polish, …) needs its rule here.
    """
    return 0 if n == 1 or n < 0 else 1


def ui_language(translations: Path = TRANSLATIONS) -> str | None:
    """The first of the person's UI languages memtray has a translation for; None when English comes first."""
    for name in QLocale().uiLanguages():
        parts = name.replace("-", "_").split("_")
        for length in range(len(parts), 0, -1):
            candidate = "_".join(parts[:length])
            if candidate == SOURCE_LANGUAGE:
                return None
            if (translations / f"memtray_{candidate}.ts").is_file():
                return candidate
    return None


def install_translations(app: QCoreApplication, translations: Path = TRANSLATIONS) -> str | None:
    """Install Qt's and memtray's translations for the UI language; returns that language, None for English."""
    language = ui_language(translations)
    if language is None:
        return None
    try:
        memtray = TsTranslator(translations / f"memtray_{language}.ts", app)
    except (OSError, ET.ParseError) as error:
        log.warning("The %s translation could not be read, so memtray stays in English: %s", language, error)
        return None
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
    app.installTranslator(memtray)
    return language
