"""How the command line tells what a sync did: the same lines whether this process synced or the running memtray of
this home did it for it (see memtray/control.py)."""

from __future__ import annotations

import logging
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from memtray import errors
from memtray.errors import MassDeleteError, MemtrayError

if TYPE_CHECKING:
    from memtray.control import Reply, Request
    from memtray.model import HeldFile, MassDeleteQuestion, SyncResult

Line = tuple[bool, str]
"""One line to print: (to stderr, text)."""
SYNC_REQUEST = "sync"
log = logging.getLogger("memtray.control")


def waiting_for_yes(question: MassDeleteQuestion) -> MassDeleteError:
    """A sync that stopped before a mass delete: the question in plain words, and exit code 6."""
    return MassDeleteError(question.message("run 'memtray sync --allow-mass-delete'"))


def held_line(held: HeldFile) -> str:
    return f"{held.folder}/{held.path}, line {held.line}: {held.finding}."


def what_to_do(held: HeldFile) -> str:
    return (
        "Remove it from the file (the file is sent once it is gone), or send the file as it is with: "
        f"memtray send-anyway {shlex.quote(held.folder)} {shlex.quote(held.path)}"
    )


def report_lines(result: SyncResult) -> list[Line]:
    """What to print about ``result``; a sync held before a mass delete raises its question instead."""
    if result.mass_delete is not None:
        raise waiting_for_yes(result.mass_delete)
    lines: list[Line] = [(False, result.summary())]
    for conflict in result.conflicts:
        lines.append((True, f"conflict: {conflict.folder}/{conflict.path} — the other text is in {conflict.copy_path}"))
    for notice in result.combined:
        lines.append(
            (
                True,
                f"combined: {notice.folder}/{notice.path} — this laptop's text and {notice.other_device}'s had no "
                "earlier version in common; both are kept in the file",
            )
        )
    for notice in result.displaced:
        lines.append(
            (
                True,
                f"your text left: {notice.folder}/{notice.path} — {notice.other_device}'s text is in the file now; "
                "this laptop's is kept in the file's history",
            )
        )
    lines += [(True, f"skipped: {problem.path}: {problem.message}") for problem in result.problems]
    lines += [(True, f"held back: {held_line(held)} {what_to_do(held)}") for held in result.held]
    lines += [
        (False, f"A new laptop joined: {name}. If you did not add it: memtray devices remove {shlex.quote(name)}")
        for name in result.joined
    ]
    lines += [(False, f"A laptop was removed: {name}.") for name in result.left]
    lines += [(True, sentence) for sentence in result.refused]
    return lines


def print_lines(lines: list[Line]) -> None:
    for to_stderr, text in lines:
        print(text, file=sys.stderr if to_stderr else sys.stdout, flush=True)


def report(result: SyncResult) -> None:
    print_lines(report_lines(result))


def answer_sync(run: Callable[[bool], SyncResult]) -> Callable[[Request], Reply]:
    """The running memtray's answer to a command line's ``memtray sync``: ``run(allow_mass_delete)``, told as lines."""

    def answer(request: Request) -> Reply:
        if request.get("command") != SYNC_REQUEST:
            return {"error": {"kind": "UsageError", "message": "The running memtray only answers 'memtray sync'."}}
        try:
            return {"lines": report_lines(run(request.get("allow_mass_delete") is True))}
        except MemtrayError as exc:
            return {"error": {"kind": type(exc).__name__, "message": exc.message}}
        except Exception as exc:  # a fault in the running memtray must not leave the command line waiting
            log.exception("a sync asked for by the command line failed")
            failed = f"The running memtray could not sync ({type(exc).__name__})."
            return {"error": {"kind": "MemtrayError", "message": failed}}

    return answer


def sync_request(allow_mass_delete: bool) -> Request:
    return {"command": SYNC_REQUEST, "allow_mass_delete": allow_mass_delete}


def take_reply(reply: Reply) -> int:
    """Print what the running memtray said; its failure is raised here as the same kind of error (same exit code)."""
    print_lines([(bool(to_stderr), str(text)) for to_stderr, text in reply.get("lines", [])])
    failure = reply.get("error")
    if isinstance(failure, dict):
        kind = getattr(errors, str(failure.get("kind")), MemtrayError)
        error = MemtrayError(str(failure.get("message", "")))
        if isinstance(kind, type) and issubclass(kind, MemtrayError):
            error.exit_code, error.title = kind.exit_code, kind.title
        raise error
    return 0
