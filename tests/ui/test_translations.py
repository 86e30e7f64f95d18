"""Translations: the UI speaks the system's language, and the German translation stays true to the code.

The system-language path is proved in fresh processes (Qt reads the language from the environment once,
when it starts): ``memtray.ui.app.make_application()``, the very function the tray app starts with,
under LANG / LANGUAGE as a desktop session sets them, then the setup wizard's first page is read back.
In this process a forced ``QLocale.setDefault`` drives the same ``install_translations``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWizard

from memtray.model import DeletedBy, MassDeleteQuestion
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.ui.client import ServiceClient
from memtray.ui.mass_delete import mass_delete_error
from memtray.ui.translations import TRANSLATIONS, TsTranslator, install_translations, ui_language
from memtray.ui.wizard import SetupWizard

ROOT = Path(__file__).resolve().parents[2]
GERMAN_TS = TRANSLATIONS / "memtray_de.ts"
SCREENSHOT = ROOT / "test-artifacts" / "screenshots" / "wizard-de.png"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
PROCESS_SECONDS = 120

START_PAGE_ENGLISH = {
    "title": "Welcome to memtray",
    "new": "&Start fresh — this is my first laptop with memtray",
    "next": "&Next >",
}

# Run in a fresh process: the app made as the tray app makes it, then the wizard's first page read back.
PROBE = """
import gc, json, sys
from pathlib import Path
from memtray.paths import resolve_home
from memtray.service import Service
from memtray.ui.app import make_application
from memtray.ui.client import ServiceClient
from memtray.ui.wizard import SetupWizard
from PySide6.QtWidgets import QWizard

app = make_application()
gc.collect()
home, screenshot = Path(sys.argv[1]), sys.argv[2]
service = Service(resolve_home(home / "memtray-home"))
client = ServiceClient(service)
wizard = SetupWizard(client, user_home=home / "user")
wizard.show()
for _ in range(20):
    app.processEvents()
page = wizard.currentPage()
texts = {
    "title": page.title(),
    "subtitle": page.subTitle(),
    "new": page.new_choice.text(),
    "join": page.join_choice.text(),
    "next": wizard.button(QWizard.WizardButton.NextButton).text(),
    "cancel": wizard.button(QWizard.WizardButton.CancelButton).text(),
}
if screenshot:
    assert wizard.grab().save(screenshot)
print(json.dumps(texts))
wizard.close()
assert client.shutdown(30000)
"""


def start_page_in_a_fresh_process(tmp_path: Path, locale: dict[str, str], screenshot: Path | None = None) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in LOCALE_VARIABLES}
    env.update(locale)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path), str(screenshot or "")],
        env=env,
        capture_output=True,
        text=True,
        timeout=PROCESS_SECONDS,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "locale",
    [
        {"LANG": "de_DE.UTF-8"},
        {"LANG": "en_GB.UTF-8", "LC_ALL": "de_AT.UTF-8"},
        {"LANG": "en_US.UTF-8", "LANGUAGE": "de:en"},
    ],
    ids=["LANG", "LC_ALL", "LANGUAGE"],
)
def test_the_wizard_speaks_german_when_the_system_language_is_german(tmp_path: Path, locale: dict[str, str]) -> None:
    shot = SCREENSHOT if locale == {"LANG": "de_DE.UTF-8"} else None
    if shot is not None:
        shot.parent.mkdir(parents=True, exist_ok=True)
    texts = start_page_in_a_fresh_process(tmp_path, locale, shot)
    assert texts["title"] == "Willkommen bei memtray"
    assert texts["subtitle"] == "memtray hält das Gedächtnis Ihrer KI-Assistenten auf all Ihren Laptops gleich."
    assert texts["new"] == "&Neu beginnen — dies ist mein erster Laptop mit memtray"
    assert texts["next"] == "&Weiter >"
    assert texts["cancel"] == "Abbrechen", "Qt's own buttons speak German too (qtbase_de)"


@pytest.mark.parametrize(
    "locale",
    [{"LANG": "en_US.UTF-8"}, {"LANG": "de_DE.UTF-8", "LANGUAGE": "en_GB:de"}, {"LANG": "fr_FR.UTF-8"}, {"LANG": "C"}],
    ids=["English", "English-before-German", "French-not-translated", "C"],
)
def test_without_german_first_the_wizard_stays_in_english(tmp_path: Path, locale: dict[str, str]) -> None:
    texts = start_page_in_a_fresh_process(tmp_path, locale)
    assert {key: texts[key] for key in START_PAGE_ENGLISH} == START_PAGE_ENGLISH
    assert texts["cancel"] == "Cancel", "Qt's own buttons stay in the same language as memtray's"


@pytest.fixture
def german(qapp: QApplication) -> Iterator[str | None]:
    """German as the default locale, with ``install_translations`` run on the test's QApplication."""
    saved = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield install_translations(qapp)
    QLocale.setDefault(saved)
    for translator in qapp.findChildren(QTranslator):
        qapp.removeTranslator(translator)
        translator.setParent(None)


def test_a_forced_german_locale_picks_german_and_every_wizard_page_keeps_unique_mnemonics(
    qtbot, german: str | None, tmp_path: Path
) -> None:
    assert german == "de"
    service = Service(resolve_home(tmp_path / "memtray-home"))
    wizard = SetupWizard(ServiceClient(service), user_home=tmp_path / "user")
    qtbot.addWidget(wizard)
    assert wizard.windowTitle() == "memtray einrichten"
    assert wizard.start_page.join_choice.text() == "Diesen Laptop &hinzufügen — memtray läuft schon auf einem anderen"
    for page_id in wizard.pageIds():
        page = wizard.page(page_id)
        shown = [QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton, QWizard.WizardButton.CommitButton]
        if page.isFinalPage():
            shown.append(QWizard.WizardButton.FinishButton)
        texts = [page.buttonText(button) for button in shown]
        texts += [widget.text() for widget in page.findChildren(QAbstractButton)]
        texts += [label.text() for label in page.findChildren(QLabel) if label.buddy() is not None]
        letters = [match[1].lower() for text in texts if (match := re.search(r"&([^&])", text))]
        assert len(letters) == len(set(letters)), (type(page).__name__, texts)
    service.close()


def test_the_default_laptop_name_and_the_mass_delete_question_speak_german(
    qtbot, german: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert german == "de"
    monkeypatch.setenv("USER", "zoe-probe")  # no such account, so no full name: the login name stands in
    service = Service(resolve_home(tmp_path / "memtray-home"))
    wizard = SetupWizard(ServiceClient(service), user_home=tmp_path / "user")
    qtbot.addWidget(wizard)
    name = wizard.start_page.name_edit.text()
    assert name.endswith(" von zoe-probe") and "'s" not in name, name
    here = mass_delete_error(MassDeleteQuestion("f1", "notes", 6, 7, DeletedBy.THIS_LAPTOP))
    assert here.title == "Viele Dateien würden gelöscht"
    assert here.message == (
        "6 von 7 Dateien in „notes“ fehlen auf diesem Laptop. Wenn Sie sie absichtlich gelöscht haben, wählen Sie "
        "„Trotzdem synchronisieren“; andernfalls legen Sie sie zurück. Es wurde nichts gesendet."
    )
    there = mass_delete_error(MassDeleteQuestion("f1", "notes", 6, 7, DeletedBy.ANOTHER_LAPTOP))
    assert there.message.startswith("Ein anderer Laptop hat 6 der 7 Dateien in „notes“ gelöscht.")
    service.close()


def test_english_first_installs_nothing(qapp: QApplication) -> None:
    saved = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    before = qapp.findChildren(QTranslator)
    try:
        assert ui_language() is None
        assert install_translations(qapp) is None
        assert qapp.findChildren(QTranslator) == before
        assert QCoreApplication.translate("StartPage", "Welcome to memtray") == "Welcome to memtray"
    finally:
        QLocale.setDefault(saved)


MARKED_TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>Probe</name>
    <message><source>finished</source><translation>fertig</translation></message>
    <message><source>unfinished</source><translation type="unfinished">unfertig</translation></message>
    <message><source>obsolete</source><translation type="obsolete">veraltet</translation></message>
    <message><source>vanished</source><translation type="vanished">verschwunden</translation></message>
    <message><source>empty</source><translation></translation></message>
    <message><source>open</source><comment>a door</comment><translation>öffnen</translation></message>
    <message numerus="yes"><source>%n files</source>
        <translation><numerusform>%n Datei</numerusform><numerusform>%n Dateien</numerusform></translation></message>
    <message numerus="yes"><source>%n half</source>
        <translation><numerusform>%n Hälfte</numerusform><numerusform></numerusform></translation></message>
</context>
</TS>
"""


@pytest.fixture
def marked(qapp: QApplication, tmp_path: Path) -> Iterator[Path]:
    ts = tmp_path / "memtray_de.ts"
    ts.write_text(MARKED_TS, encoding="utf-8")
    translator = TsTranslator(ts)
    qapp.installTranslator(translator)
    yield ts
    qapp.removeTranslator(translator)


def test_only_finished_translations_are_used_and_the_rest_shows_in_english(marked: Path) -> None:
    def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
        return QCoreApplication.translate("Probe", text, disambiguation, n)

    assert tr("finished") == "fertig"
    for english in ("unfinished", "obsolete", "vanished", "empty", "not in the file at all"):
        assert tr(english) == english
    assert QCoreApplication.translate("Elsewhere", "finished") == "finished", "the context is part of the key"
    assert tr("open", "a door") == "öffnen"
    assert tr("open") == "open", "the disambiguation is part of the key"
    assert [tr("%n files", None, n) for n in (0, 1, 2)] == ["0 Dateien", "1 Datei", "2 Dateien"]
    assert tr("%n half", None, 1) == "1 half", "a plural with an empty form is unfinished"


def test_the_loader_agrees_with_qts_own_compiler(qapp: QApplication, marked: Path, tmp_path: Path) -> None:
    """Every message of the shipped German file and of the marked file reads the same through ``TsTranslator``
    as through the .qm ``pyside6-lrelease -nounfinished`` compiles from it."""
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent)) or shutil.which(
        "pyside6-lrelease"
    )
    assert lrelease, "pyside6-lrelease comes with PySide6"
    for ts in (GERMAN_TS, marked):
        qm = tmp_path / f"{ts.stem}-{ts.parent.name}.qm"
        subprocess.run([lrelease, "-nounfinished", str(ts), "-qm", str(qm)], check=True, capture_output=True)
        compiled = QTranslator()
        assert compiled.load(str(qm))
        ours = TsTranslator(ts)
        checked = 0
        for context, source, comment, numerus in messages(ts):
            for n in (-1, 0, 1, 2, 7) if numerus else (-1,):
                assert ours.translate(context, source, comment, n) == (
                    compiled.translate(context, source, comment, n) or None
                ), (context, source, n)
                checked += 1
        assert checked >= 8


def messages(ts: Path) -> Iterator[tuple[str, str, str | None, bool]]:
    for context in ET.parse(ts).getroot().iter("context"):
        for message in context.iter("message"):
            yield (
                context.findtext("name") or "",
                message.findtext("source") or "",
                message.findtext("comment"),
                message.get("numerus") == "yes",
            )


def finished_translations(ts: Path) -> Iterator[tuple[str, str, list[str]]]:
    for context in ET.parse(ts).getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type"):
                continue
            forms = [form.text or "" for form in translation.iter("numerusform")] or [translation.text or ""]
            yield context.findtext("name") or "", message.findtext("source") or "", forms


PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%n|%\d|</?[a-z]+>")


def test_german_translations_keep_every_placeholder_and_one_mnemonic() -> None:
    problems = []
    for context, source, forms in finished_translations(GERMAN_TS):
        for form in forms:
            if Counter(PLACEHOLDER.findall(form)) != Counter(PLACEHOLDER.findall(source)):
                problems.append((context, source, form))
            if len(re.findall(r"&[^&\s]", source)) != len(re.findall(r"&[^&\s]", form)):
                problems.append((context, source, form))
    assert problems == []


def test_every_translated_text_still_exists_in_the_code(tmp_path: Path) -> None:
    """The shipped .ts against a fresh extraction from the code: a translation whose English text is gone
    (or that lost or gained its plural forms) has rotted. Fix: ``.venv/bin/python scripts/update_translations.py``,
    then translate what it lists."""
    fresh = tmp_path / GERMAN_TS.name
    shutil.copy(GERMAN_TS, fresh)
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_translations.py"), "--ts", str(fresh), "--quiet"],
        check=True,
        capture_output=True,
        timeout=PROCESS_SECONDS,
    )
    in_code = set(messages(fresh))
    stale = [
        (context, source)
        for context, source, comment, numerus in messages(GERMAN_TS)
        if (context, source, comment, numerus) not in in_code
    ]
    assert stale == [], f"{len(stale)} translated text(s) no longer in the code; run scripts/update_translations.py"
