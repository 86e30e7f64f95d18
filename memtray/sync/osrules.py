"""Which file names can exist on an operating system.

Sync applies the rules of the OS it runs on; ``MEMTRAY_OS_RULES=windows|macos|posix`` picks
another set, so tests on Linux can check how a Windows laptop treats a name.
"""

from __future__ import annotations

import os
import re
import sys
from abc import ABC, abstractmethod

WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
WINDOWS_FORBIDDEN_CHARS = set('<>:"\\|?*') | {chr(code) for code in range(32)}


class OSRules(ABC):
    name: str
    case_insensitive: bool

    @abstractmethod
    def name_problem(self, component: str) -> str | None:
        """Why ``component`` (one path segment) cannot exist here, or None if it can."""

    def path_problem(self, path: str) -> str | None:
        for component in path.split("/"):
            problem = self.name_problem(component)
            if problem:
                return problem
        return None


class PosixRules(OSRules):
    name = "posix"
    case_insensitive = False

    def name_problem(self, component: str) -> str | None:
        if len(component.encode("utf-8")) > 255:
            return "the name is longer than this system allows"
        return None


class MacRules(PosixRules):
    name = "macos"
    case_insensitive = True

    def name_problem(self, component: str) -> str | None:
        if ":" in component:
            return "macOS does not allow ':' in file names"
        return super().name_problem(component)


class WindowsRules(OSRules):
    name = "windows"
    case_insensitive = True

    def name_problem(self, component: str) -> str | None:
        if WINDOWS_RESERVED.match(component):
            return f"Windows reserves the name '{component.split('.')[0].upper()}'"
        bad = sorted(set(component) & WINDOWS_FORBIDDEN_CHARS)
        if bad:
            shown = " ".join(repr(char) for char in bad)
            return f"Windows does not allow {shown} in file names"
        if component.endswith((".", " ")):
            return "Windows does not allow a name to end with a dot or a space"
        if len(component) > 255:
            return "the name is longer than Windows allows"
        return None


RULES: dict[str, type[OSRules]] = {"posix": PosixRules, "macos": MacRules, "windows": WindowsRules}


def current_rules() -> OSRules:
    chosen = os.environ.get("MEMTRAY_OS_RULES")
    if chosen in RULES:
        return RULES[chosen]()
    if sys.platform == "win32":
        return WindowsRules()
    if sys.platform == "darwin":
        return MacRules()
    return PosixRules()
