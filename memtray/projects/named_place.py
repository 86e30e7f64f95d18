"""The folder on this laptop a Claude folder's name stands for, when its transcripts are gone.

Claude Code deletes transcripts after a while (30 days by default), leaving a project's folder with only its
memory. Its name is the project's path with every character that is not a letter or digit replaced by "-", so it
cannot be turned back into a path, but it can be checked against the disk: starting at the file-system root (or
the drive, on Windows), follow only the folders whose names fit the rest of the name. The answer counts only
when exactly one existing folder fits; several (``/a/b-c`` and ``/a/b/c``) or none give None. One look-up visits
at most ``max_listings`` folders; listings are kept for the next look-up. Hash-suffixed names (over 200
characters) are never resolved.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from memtray.projects.claude_names import MAX_NAME_LENGTH, sanitised

_WINDOWS_DRIVE = re.compile(r"^([A-Za-z])--")


class FoldersOnDisk:
    """Existing folders, looked up by their Claude Code name."""

    def __init__(self, *, max_listings: int = 256) -> None:
        self._max_listings = max_listings
        self._listings: dict[Path, dict[str, list[tuple[str, str]]]] = {}

    def named(self, name: str) -> Path | None:
        """The one existing folder whose Claude Code name is ``name``; None when there is none, or several."""
        if len(name) > MAX_NAME_LENGTH:
            return None
        drive = _WINDOWS_DRIVE.match(name) if os.name == "nt" else None
        if drive is not None:
            start, rest = Path(f"{drive.group(1)}:\\"), name[len(drive.group(0)) :]
        elif name.startswith("-") and os.name != "nt":
            start, rest = Path("/"), name[1:]
        else:
            return None
        found: list[Path] = []
        pending = [(start, rest)]
        visits = 0
        while pending:
            folder, remaining = pending.pop()
            if not remaining:
                found.append(folder)
                if len(found) > 1:
                    return None
                continue
            if visits >= self._max_listings:
                return None
            visits += 1
            pending.extend(
                (folder / child, remaining[len(part) + 1 :])
                for child, part in self._subfolders(folder).get(remaining.split("-", 1)[0], ())
                if remaining == part or remaining.startswith(part + "-")
            )
        return found[0] if found else None

    def _subfolders(self, folder: Path) -> dict[str, list[tuple[str, str]]]:
        """Each sub-folder's name and its Claude Code form, by the form's first part (up to its first "-")."""
        listing = self._listings.get(folder)
        if listing is None:
            listing = {}
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        try:
                            if entry.is_dir():
                                part = sanitised(entry.name)
                                listing.setdefault(part.split("-", 1)[0], []).append((entry.name, part))
                        except OSError:
                            continue
            except OSError:
                pass
            self._listings[folder] = listing
        return listing
