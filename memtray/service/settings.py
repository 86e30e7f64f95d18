"""Every user setting, declared once: key, default, type, label. The settings window is built from this list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from memtray.sync.reconcile import ConflictPolicy

CONFLICT_POLICY_LABELS = {
    ConflictPolicy.KEEP_BOTH: "Keep both (save a conflict copy)",
    ConflictPolicy.PREFER_RECENT: "Keep the most recent edit",
    ConflictPolicy.PREFER_LOCAL: "Keep this laptop's edit",
    ConflictPolicy.PREFER_REMOTE: "Keep the other laptop's edit",
}


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    kind: type
    label: str
    help: str = ""
    choices: dict[str, str] | None = None
    minimum: int | None = None
    maximum: int | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("start_at_login", False, bool, "Start memtray when I sign in"),
    Setting("paused", False, bool, "Pause syncing"),
    Setting(
        "interval_minutes",
        5,
        int,
        "Sync every (minutes)",
        "memtray also syncs as soon as a file changes.",
        minimum=1,
        maximum=240,
    ),
    Setting("notify_conflicts", True, bool, "Tell me about conflicts"),
    Setting("notify_errors", True, bool, "Tell me when something goes wrong"),
    Setting("notify_new_device", True, bool, "Tell me when a new laptop joins"),
    Setting("notify_success", False, bool, "Tell me after every successful sync"),
    Setting(
        "conflict_policy",
        ConflictPolicy.KEEP_BOTH.value,
        str,
        "When two laptops edit the same lines",
        choices={policy.value: CONFLICT_POLICY_LABELS[policy] for policy in ConflictPolicy},
    ),
    Setting("history_days", 30, int, "Keep old versions for (days)", minimum=1, maximum=3650),
    Setting(
        "storage_history_days",
        365,
        int,
        "Keep the history in your storage for (days)",
        "0 keeps it forever. Older changes are folded into a summary each laptop saves, so your storage stays small.",
        minimum=0,
        maximum=36500,
    ),
    Setting(
        "claude_sessions",
        False,
        bool,
        "Also bring my Claude Code sessions",
        "Your Claude Code conversations continue on your other laptops that have this on, in the same project.",
    ),
    Setting(
        "claude_sessions_secrets",
        "redact",
        str,
        "Secrets in Claude Code sessions",
        choices={"redact": "Remove them from what is sent", "hold": "Keep the session on this laptop until I choose"},
    ),
    Setting(
        "codex_sessions",
        False,
        bool,
        "Also bring my Codex sessions",
        "Your Codex conversations continue on your other laptops that have this on, in the same project.",
    ),
    Setting(
        "codex_sessions_secrets",
        "redact",
        str,
        "Secrets in Codex sessions",
        choices={"redact": "Remove them from what is sent", "hold": "Keep the session on this laptop until I choose"},
    ),
    Setting(
        "sessions_days",
        90,
        int,
        "Keep sessions in the storage for (days)",
        "Older sessions stay on the laptops that have them.",
        minimum=1,
        maximum=3650,
    ),
    Setting(
        "agents_read_memory",
        True,
        bool,
        "Let agents read my memory (memtray mcp)",
        "Coding agents on this laptop can read and search your synced memory, and add to their own project's memory.",
    ),
)

SETTINGS_BY_KEY = {setting.key: setting for setting in SETTINGS}


def coerce(key: str, value: Any) -> Any:
    """``value`` converted to the setting's type and checked against its limits, else ValueError."""
    setting = SETTINGS_BY_KEY[key]
    if setting.kind is bool:
        if isinstance(value, str):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"'{value}' is not yes or no")
        return bool(value)
    if setting.kind is int:
        number = int(value)
        if setting.minimum is not None and number < setting.minimum:
            raise ValueError(f"{setting.label} must be at least {setting.minimum}")
        if setting.maximum is not None and number > setting.maximum:
            raise ValueError(f"{setting.label} must be at most {setting.maximum}")
        return number
    text = str(value)
    if setting.choices is not None and text not in setting.choices:
        raise ValueError(f"'{text}' is not one of: {', '.join(setting.choices)}")
    return text
