"""Codex rollout files as Codex writes them, for tests of sessions that follow the person.

``~/.codex/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<session id>.jsonl``: one compact JSON line per
``RolloutLine`` ``{"timestamp", "type", "payload"}``. The first is ``session_meta`` (``id``, ``timestamp``,
``cwd``, ``originator``, ``cli_version``, ``instructions``, ``source``, ``model_provider``, ``git``); then
``turn_context`` (``cwd``, policies, model), ``response_item`` (``message`` with ``input_text``/``output_text``
content, ``reasoning``, ``function_call`` whose ``arguments`` is a JSON text such as ``{"command": [...],
"workdir": ...}``, ``function_call_output``), ``event_msg`` (``user_message``, ``agent_message``,
``token_count``) and ``compacted``. None has an id. ``~/.codex/history.jsonl`` holds one line per prompt:
``{"session_id", "ts" (seconds), "text"}``.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.transcripts import iso, line

Record = dict[str, Any]


class CodexSession:
    """One Codex session's rollout lines, written as Codex writes them."""

    def __init__(self, cwd: str, session: str | None = None, *, start: float | None = None) -> None:
        self.cwd = cwd
        self.session = session or str(uuid.uuid4())
        self.started = start if start is not None else time.time() - 3600
        self.clock = self.started

    def file(self) -> str:
        """The rollout's path under ``sessions/``."""
        moment = datetime.fromtimestamp(self.started, UTC)
        return f"{moment:%Y/%m/%d}/rollout-{moment:%Y-%m-%dT%H-%M-%S}-{self.session}.jsonl"

    def path(self, home: Path) -> Path:
        return home / ".codex" / "sessions" / self.file()

    def _line(self, kind: str, payload: Record) -> Record:
        self.clock += 0.9
        return {"timestamp": iso(self.clock), "type": kind, "payload": payload}

    def meta(self) -> Record:
        return self._line(
            "session_meta",
            {
                "id": self.session,
                "timestamp": iso(self.started),
                "cwd": self.cwd,
                "originator": "codex_cli_rs",
                "cli_version": "0.46.0",
                "instructions": None,
                "source": "cli",
                "model_provider": "openai",
                "git": {
                    "commit_hash": "3f1c2a9e5b7d4c6a8e0f1b2d3c4e5f6a7b8c9d0e",
                    "branch": "main",
                    "repository_url": "git@github.com:alice/webapp.git",
                },
            },
        )

    def turn_context(self) -> Record:
        return self._line(
            "turn_context",
            {
                "cwd": self.cwd,
                "approval_policy": "on-request",
                "sandbox_policy": {"mode": "workspace-write", "network_access": False, "writable_roots": []},
                "model": "gpt-5-codex",
                "effort": "medium",
                "summary": "auto",
            },
        )

    def user(self, text: str) -> list[Record]:
        return [
            self._line(
                "response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
            ),
            self._line("event_msg", {"type": "user_message", "message": text, "images": []}),
        ]

    def assistant(self, text: str) -> list[Record]:
        return [
            self._line(
                "response_item",
                {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]},
            ),
            self._line("event_msg", {"type": "agent_message", "message": text}),
        ]

    def reasoning(self, summary: str) -> Record:
        return self._line(
            "response_item",
            {
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": summary}],
                "content": None,
                "encrypted_content": "gAAAAABo" + uuid.uuid4().hex * 4,
            },
        )

    def run(self, command: str, output: str) -> list[Record]:
        """Codex runs ``command`` in the project (a ``shell`` function call) and its output comes back."""
        call_id = f"call_{uuid.uuid4().hex[:24]}"
        arguments = {"command": ["bash", "-lc", command], "workdir": self.cwd, "timeout_ms": 120000}
        call = {
            "type": "function_call",
            "name": "shell",
            "arguments": json.dumps(arguments, separators=(",", ":")),
            "call_id": call_id,
        }
        result = {"output": output, "metadata": {"exit_code": 0, "duration_seconds": 0.1}}
        outcome = {
            "type": "function_call_output",
            "call_id": call_id,
            "output": json.dumps(result, separators=(",", ":")),
        }
        return [self._line("response_item", call), self._line("response_item", outcome)]

    def token_count(self) -> Record:
        return self._line("event_msg", {"type": "token_count", "info": None, "rate_limits": None})

    def compacted(self, message: str) -> Record:
        return self._line("compacted", {"message": message})

    def opening(self, project_file: str = "src/app.py") -> list[Record]:
        """The first lines of a session: its meta, the turn's context, a question, a command run in the project
        on a file inside it, an answer."""
        return [
            self.meta(),
            self.turn_context(),
            *self.user("Why does the login test fail?"),
            self.reasoning("Reading the login code"),
            *self.run(f"sed -n 1,40p {self.cwd}/{project_file}", "def login(user):\n    return user.ok\n"),
            *self.assistant("The test passes a user without `ok`; I will fix the fixture."),
            self.token_count(),
        ]


def write_rollout(path: Path, records: list[Record]) -> Path:
    """Append ``records`` to the rollout at ``path`` (made with its folders when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(line(record) + "\n" for record in records))
    return path


def history_entry(session: str, text: str, at: float | None = None) -> Record:
    return {"session_id": session, "ts": int(at if at is not None else time.time()), "text": text}


def write_history(home: Path, entries: list[Record]) -> Path:
    return write_rollout(home / ".codex" / "history.jsonl", entries)
