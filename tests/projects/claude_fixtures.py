"""Transcript files shaped exactly like Claude Code's (2.1.x): a file-history snapshot without ``cwd`` first,
then hook progress, user and assistant records that carry ``cwd``, ``sessionId``, ``version`` and ``gitBranch``."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from memtray.projects.claude_names import claude_dir_name


def claude_records(cwd: str, *, branch: str = "main", tool_output: str = "ok") -> list[dict[str, object]]:
    session = str(uuid.uuid4())
    snapshot_id, hook, prompt, answer, tool = (str(uuid.uuid4()) for _ in range(5))
    common = {
        "isSidechain": False,
        "userType": "external",
        "cwd": cwd,
        "sessionId": session,
        "version": "2.1.39",
        "gitBranch": branch,
    }
    return [
        {
            "type": "file-history-snapshot",
            "messageId": snapshot_id,
            "snapshot": {"messageId": snapshot_id, "trackedFileBackups": {}, "timestamp": "2026-02-12T16:02:25.227Z"},
            "isSnapshotUpdate": False,
        },
        {
            "parentUuid": None,
            **common,
            "type": "progress",
            "data": {
                "type": "hook_progress",
                "hookEvent": "SessionStart",
                "hookName": "SessionStart:startup",
                "command": "~/.claude/hooks/start.sh",
            },
            "parentToolUseID": hook,
            "toolUseID": hook,
            "timestamp": "2026-02-12T16:02:23.545Z",
            "uuid": hook,
        },
        {
            "parentUuid": hook,
            **common,
            "type": "user",
            "message": {"role": "user", "content": "Remember: run the tests with -q."},
            "uuid": prompt,
            "timestamp": "2026-02-12T16:02:25.284Z",
            "permissionMode": "default",
        },
        {
            "parentUuid": prompt,
            **common,
            "message": {
                "model": "claude-opus-4-6",
                "id": "msg_01",
                "type": "message",
                "role": "assistant",
                "content": [
                    {
                        "type": "tool_use",
                        "id": "toolu_01",
                        "name": "Bash",
                        "input": {"command": "ls", "description": "List files"},
                    }
                ],
                "stop_reason": None,
                "usage": {"input_tokens": 3, "output_tokens": 9},
            },
            "requestId": "req_01",
            "type": "assistant",
            "uuid": answer,
            "timestamp": "2026-02-12T16:02:27.718Z",
        },
        {
            "parentUuid": answer,
            **common,
            "type": "user",
            "message": {
                "role": "user",
                "content": [
                    {"tool_use_id": "toolu_01", "type": "tool_result", "content": tool_output, "is_error": False}
                ],
            },
            "uuid": tool,
            "timestamp": "2026-02-12T16:02:30.658Z",
            "toolUseResult": {"stdout": tool_output},
        },
    ]


def write_transcript(folder: Path, lines: list[str], *, age_seconds: float = 0.0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4()}.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    if age_seconds:
        stamp = path.stat().st_mtime - age_seconds
        os.utime(path, (stamp, stamp))
    return path


def session(
    home: Path,
    cwd: Path | str,
    *,
    folder_name: str | None = None,
    age_seconds: float = 0.0,
    extra_before: list[str] | None = None,
    tool_output: str = "ok",
) -> Path:
    """What running ``claude`` in ``cwd`` leaves: ``~/.claude/projects/<name>/<session>.jsonl``."""
    name = folder_name or claude_dir_name(str(cwd))
    assert name is not None
    folder = home / ".claude" / "projects" / name
    lines = [json.dumps(record, separators=(",", ":")) for record in claude_records(str(cwd), tool_output=tool_output)]
    write_transcript(folder, [*(extra_before or []), *lines], age_seconds=age_seconds)
    return folder


def memory_only(home: Path, name: str, text: str = "- remember this\n") -> Path:
    """A Claude folder holding only memory (Claude writes it for the main checkout; transcripts live elsewhere)."""
    memory = home / ".claude" / "projects" / name / "memory"
    memory.mkdir(parents=True, exist_ok=True)
    (memory / "MEMORY.md").write_text(text, encoding="utf-8")
    return memory.parent
