"""Claude Code transcripts as Claude Code writes them, for tests of sessions that follow the person.

``~/.claude/projects/<Claude folder>/<session id>.jsonl``: one JSON record per line, compact, in the order
written. Records of a conversation (``type`` user, assistant, system) carry ``uuid``, ``parentUuid`` (the record
they follow), ``sessionId``, ``cwd``, ``timestamp`` and the common fields (``isSidechain``, ``userType``,
``version``, ``gitBranch``); an assistant's tool call is a ``tool_use`` block with its ``input`` (``file_path``,
``command``), the result comes back in a user record as a ``tool_result`` block plus ``toolUseResult``; ``summary``
records have no ``uuid`` (``leafUuid`` names the record they sum up). A sub-agent writes
``<session id>/subagents/agent-<id>.jsonl`` with ``isSidechain`` true. ``~/.claude/history.jsonl`` holds one line
per prompt: ``{"display", "pastedContents", "timestamp" (milliseconds), "project"}``.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from memtray.projects.claude_names import claude_dir_name

Record = dict[str, Any]


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(seconds * 1000) % 1000:03d}Z"


class Conversation:
    """One session's records, each following the previous one, written as Claude Code writes them."""

    def __init__(self, cwd: str, session: str | None = None, *, start: float | None = None) -> None:
        self.cwd = cwd
        self.session = session or str(uuid.uuid4())
        self.clock = start if start is not None else time.time() - 3600
        self.last: str | None = None

    def _common(self, kind: str) -> Record:
        self.clock += 1.7
        record: Record = {
            "parentUuid": self.last,
            "isSidechain": False,
            "userType": "external",
            "cwd": self.cwd,
            "sessionId": self.session,
            "version": "2.1.3",
            "gitBranch": "main",
            "type": kind,
            "uuid": str(uuid.uuid4()),
            "timestamp": iso(self.clock),
        }
        self.last = record["uuid"]
        return record

    def user(self, text: str) -> Record:
        return {**self._common("user"), "message": {"role": "user", "content": text}}

    def assistant(self, text: str) -> Record:
        record = self._assistant_message([{"type": "text", "text": text}], "end_turn", 1200, 80)
        record["requestId"] = f"req_{uuid.uuid4().hex[:24]}"
        return record

    def read_file(self, path: str, content: str) -> list[Record]:
        """The assistant reads ``path`` (a Read tool call) and the tool's result comes back."""
        call_id, call = self._tool_call("Read", {"file_path": path}, 1300, 40)
        lines = content.split("\n")
        numbered = "\n".join(f"{number:6d}\u2192{line}" for number, line in enumerate(lines, start=1))
        result = self._tool_result(
            call_id,
            numbered,
            {
                "type": "text",
                "file": {
                    "filePath": path,
                    "content": content,
                    "numLines": len(lines),
                    "startLine": 1,
                    "totalLines": len(lines),
                },
            },
        )
        return [call, result]

    def run(self, command: str, output: str) -> list[Record]:
        """The assistant runs ``command`` (a Bash tool call) and its output comes back."""
        call_id, call = self._tool_call("Bash", {"command": command, "description": "Run a command"}, 1400, 30)
        outcome = {"stdout": output, "stderr": "", "interrupted": False, "isImage": False}
        return [call, self._tool_result(call_id, output, outcome, is_error=False)]

    def _assistant_message(
        self, content: list[Record], stop_reason: str | None, input_tokens: int, output_tokens: int
    ) -> Record:
        record = self._common("assistant")
        record["message"] = {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        }
        return record

    def _tool_call(self, name: str, tool_input: Record, input_tokens: int, output_tokens: int) -> tuple[str, Record]:
        call_id = f"toolu_{uuid.uuid4().hex[:24]}"
        use = {"type": "tool_use", "id": call_id, "name": name, "input": tool_input}
        return call_id, self._assistant_message([use], None, input_tokens, output_tokens)

    def _tool_result(self, call_id: str, content: str, outcome: Record, **extra: object) -> Record:
        result = self._common("user")
        result["message"] = {
            "role": "user",
            "content": [{"tool_use_id": call_id, "type": "tool_result", "content": content, **extra}],
        }
        result["toolUseResult"] = outcome
        return result

    def system(self, content: str) -> Record:
        return {
            **self._common("system"),
            "subtype": "informational",
            "content": content,
            "isMeta": False,
            "level": "info",
        }

    def summary(self, text: str) -> Record:
        return {"type": "summary", "summary": text, "leafUuid": self.last}

    def opening(self, project_file: str = "src/app.py") -> list[Record]:
        """A short first exchange: a question, a file read under the project, an answer."""
        return [
            self.user("Why does the login test fail?"),
            *self.read_file(f"{self.cwd}/{project_file}", "def login(user):\n    return user.ok\n"),
            self.assistant("The test passes a user without `ok`; I will fix the fixture."),
        ]


def line(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def transcript_path(home: Path, project: Path, session: str) -> Path:
    name = claude_dir_name(str(project))
    assert name is not None
    return home / ".claude" / "projects" / name / f"{session}.jsonl"


def write_records(path: Path, records: list[Record]) -> Path:
    """Append ``records`` to the transcript at ``path`` (made with its folder when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(line(record) + "\n" for record in records))
    return path


def read_records(path: Path) -> list[Record]:
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines() if text.strip()]


def history_entry(display: str, project: str, at: float | None = None) -> Record:
    return {"display": display, "pastedContents": {}, "timestamp": int((at or time.time()) * 1000), "project": project}


def write_history(home: Path, entries: list[Record]) -> Path:
    return write_records(home / ".claude" / "history.jsonl", entries)


def subagent_path(transcript: Path, agent_id: str) -> Path:
    return transcript.parent / transcript.stem / "subagents" / f"agent-{agent_id}.jsonl"


def settle(path: Path, seconds_ago: float = 60.0) -> None:
    """Make ``path`` look as if the agent last wrote it ``seconds_ago`` (quiet)."""
    stamp = time.time() - seconds_ago
    os.utime(path, (stamp, stamp))
