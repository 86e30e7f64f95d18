"""Refresh the translation sources (memtray/resources/translations/memtray_*.ts) from the code.

    .venv/bin/python scripts/update_translations.py              # refresh every .ts, list what needs translating
    .venv/bin/python scripts/update_translations.py --ts OUT.ts  # refresh OUT.ts only (its language: its name)

Safe to rerun at any time: ``pyside6-lupdate`` keeps every translation whose English text is still in
the code, drops the ones whose text is gone (``-no-obsolete``) and adds the new texts as unfinished,
which the app shows in English until someone translates them. When a text was only reworded, lupdate
offers the old translation as a starting point, still marked unfinished.

lupdate finds ``self.tr("…")``, ``QCoreApplication.translate("Context", "…")`` and ``QT_TRANSLATE_NOOP``.
It cannot see through a module's small helpers such as ``_tr(text)`` in memtray/ui/tray.py, which
passes its argument on to ``QCoreApplication.translate("Tray", text)``; this script finds those helpers
(and helpers of helpers, such as ``_count(one, many, n)``), collects the literal texts they are called
with, and hands them to lupdate as plain ``translate`` calls. A helper called with something other
than a literal is reported, since its text cannot be translated.

The .ts files carry no source locations, so that a refresh changes only what really changed.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_SOURCES = ROOT / "memtray" / "ui"
TRANSLATIONS = ROOT / "memtray" / "resources" / "translations"
TS_NAME = re.compile(r"memtray_(?P<language>[A-Za-z]{2,3}(?:_[A-Za-z0-9]+)*)\.ts")


@dataclass(frozen=True)
class Output:
    """A helper's parameter ``source`` reaches ``translate(context, …)``; numerus as ``count`` says.

    ``count`` is True or False when fixed, or the index of the helper's parameter that carries the
    count: the text is numerus (plural forms) exactly when a caller passes that argument.
    """

    source: int
    context: str
    count: bool | int


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    numerus: bool


def _is_translate(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "translate"
        and isinstance(func.value, ast.Name)
        and func.value.id == "QCoreApplication"
    )


def _arguments(call: ast.Call, params: list[str]) -> dict[int, ast.expr]:
    """The call's arguments by the callee's parameter index (positional and keyword)."""
    given = dict(enumerate(call.args))
    for keyword in call.keywords:
        if keyword.arg in params:
            given[params.index(keyword.arg)] = keyword.value
    return given


def _param(node: ast.expr | None, params: list[str]) -> int | None:
    return params.index(node.id) if isinstance(node, ast.Name) and node.id in params else None


def _count_of(count: bool | int, given: dict[int, ast.expr], caller_params: list[str]) -> bool | int:
    """What a helper's ``count`` becomes at one call: fixed, or still carried by a caller's parameter."""
    if isinstance(count, bool):
        return count
    if count not in given:
        return False
    carried = _param(given[count], caller_params)
    return True if carried is None else carried


def _calls(function: ast.FunctionDef) -> Iterator[ast.Call]:
    return (node for node in ast.walk(function) if isinstance(node, ast.Call))


def _helper_outputs(module: ast.Module) -> tuple[dict[str, list[Output]], dict[str, list[str]]]:
    """The module-level functions that pass a parameter on to ``QCoreApplication.translate``, directly or not."""
    functions = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}
    params = {name: [arg.arg for arg in node.args.args] for name, node in functions.items()}
    outputs: dict[str, list[Output]] = {name: [] for name in functions}
    changed = True
    while changed:
        changed = False
        for name, function in functions.items():
            found = set(outputs[name])
            for call in _calls(function):
                found.update(_outputs_of_call(call, params[name], outputs, params))
            if found != set(outputs[name]):
                outputs[name] = sorted(found, key=repr)
                changed = True
    return {name: found for name, found in outputs.items() if found}, params


def _outputs_of_call(
    call: ast.Call, caller_params: list[str], outputs: dict[str, list[Output]], params: dict[str, list[str]]
) -> Iterator[Output]:
    if _is_translate(call):
        context = call.args[0] if call.args else None
        source = _param(call.args[1] if len(call.args) > 1 else None, caller_params)
        if isinstance(context, ast.Constant) and isinstance(context.value, str) and source is not None:
            count = _param(call.args[3], caller_params) if len(call.args) > 3 else None
            yield Output(source, context.value, count if count is not None else len(call.args) > 3)
        return
    if not isinstance(call.func, ast.Name) or call.func.id not in outputs:
        return
    given = _arguments(call, params[call.func.id])
    for output in outputs[call.func.id]:
        source = _param(given.get(output.source), caller_params)
        if source is not None:
            yield Output(source, output.context, _count_of(output.count, given, caller_params))


def helper_messages(path: Path) -> tuple[list[Message], list[str]]:
    """The literal texts ``path`` passes to its translating helpers, and a warning for each non-literal."""
    module = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    outputs, params = _helper_outputs(module)
    messages: list[Message] = []
    warnings: list[str] = []
    for call in (node for node in ast.walk(module) if isinstance(node, ast.Call)):
        if not isinstance(call.func, ast.Name) or call.func.id not in outputs:
            continue
        given = _arguments(call, params[call.func.id])
        for output in outputs[call.func.id]:
            text = given.get(output.source)
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                numerus = _count_of(output.count, given, []) is True
                messages.append(Message(output.context, text.value, numerus))
            elif not _passed_on(call, module, outputs, params):
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                warnings.append(f"{where}: {call.func.id}() is called with a text that is not a literal")
    return messages, warnings


def _passed_on(
    call: ast.Call, module: ast.Module, outputs: dict[str, list[Output]], params: dict[str, list[str]]
) -> bool:
    """Whether ``call`` sits inside a helper that passes its own parameter on (so its callers are checked)."""
    for function in (node for node in module.body if isinstance(node, ast.FunctionDef)):
        if function.name in outputs and any(inner is call for inner in _calls(function)):
            return True
    return False


def _synthetic_source(messages: list[Message]) -> str:
    """One ``translate`` call per text; a text used both with and without a count gets plural forms (the
    first form serves the call without a count)."""
    numerus: dict[tuple[str, str], bool] = {}
    for message in messages:
        key = (message.context, message.source)
        numerus[key] = numerus.get(key, False) or message.numerus
    lines = ["from PySide6.QtCore import QCoreApplication", ""]
    for (context, source), plural in sorted(numerus.items()):
        count = ", None, 1" if plural else ""
        lines.append(f"QCoreApplication.translate({context!r}, {source!r}{count})")
    return "\n".join(lines) + "\n"


def _lupdate() -> str:
    beside_python = Path(sys.executable).with_name("pyside6-lupdate")
    found = str(beside_python) if beside_python.exists() else shutil.which("pyside6-lupdate")
    if found is None:
        raise SystemExit("pyside6-lupdate is not installed (it comes with PySide6); run scripts/bootstrap.sh first")
    return found


def refresh(ts_files: list[Path]) -> list[str]:
    """Run lupdate over the UI code and the helpers' texts into ``ts_files``; returns the warnings."""
    sources = sorted(UI_SOURCES.rglob("*.py"))
    messages: list[Message] = []
    warnings: list[str] = []
    for path in sources:
        found, warned = helper_messages(path)
        messages += found
        warnings += warned
    with tempfile.TemporaryDirectory(prefix="memtray-lupdate-") as scratch:
        helpers = Path(scratch) / "helper_texts.py"
        helpers.write_text(_synthetic_source(messages), encoding="utf-8")
        for ts in ts_files:
            match = TS_NAME.fullmatch(ts.name)
            if match is None:
                raise SystemExit(f"{ts.name}: a translation file is named memtray_LANGUAGE.ts, e.g. memtray_de.ts")
            command = [_lupdate(), "-locations", "none", "-no-obsolete", "-source-language", "en"]
            command += ["-target-language", match["language"], *map(str, sources), str(helpers), "-ts", str(ts)]
            run = subprocess.run(command, capture_output=True, text=True, check=False)
            if run.returncode != 0:
                raise SystemExit(f"pyside6-lupdate failed for {ts.name}:\n{run.stdout}{run.stderr}")
            warnings += [line for line in run.stderr.splitlines() if line.strip()]
    return warnings


def unfinished(ts: Path) -> list[tuple[str, str]]:
    """(context, English text) of every message in ``ts`` that still waits for its translation."""
    waiting = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.get("type") == "unfinished":
                waiting.append((name, message.findtext("source") or ""))
    return waiting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ts", type=Path, action="append", help="refresh this .ts instead of the shipped ones")
    parser.add_argument("--quiet", action="store_true", help="do not list the texts that need translating")
    args = parser.parse_args(argv)
    ts_files = args.ts or sorted(TRANSLATIONS.glob("memtray_*.ts"))
    if not ts_files:
        raise SystemExit(f"no memtray_*.ts in {TRANSLATIONS}; pass --ts memtray_LANGUAGE.ts to start one")
    for warning in refresh(ts_files):
        print(f"warning: {warning}", file=sys.stderr)
    for ts in ts_files:
        waiting = unfinished(ts)
        print(f"{ts.name}: {len(waiting)} text(s) to translate")
        if not args.quiet:
            for context, source in waiting:
                print(f"  [{context}] {source!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
