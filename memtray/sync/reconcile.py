"""Deciding what this laptop holds when another laptop's version of a file arrives (pure; no I/O).

The rules, in order:
1. Nothing here yet, or the arriving version is newer (its vector dominates): take it.
2. The arriving version is older or the same: keep ours.
3. Concurrent (both laptops changed the file independently):
   a. both deleted, or both hold the same bytes: keep ours, with the two vectors merged. Nothing to send.
   b. one deleted, one edited: the edit wins. We send it again with a vector above both.
   c. both edited text: merge against the newest version both descend from (see merge.py: line by line,
      where both only inserted lines at one place both insertions are kept; JSON objects key by key).
      A clean merge becomes a new version above both, which we send. With no version in common (their
      vectors share no laptop's edits: say, a laptop joined with its own CLAUDE.md), the two texts are
      combined, both kept (a line both hold once), into a version above both marked ``combined``. Versions
      that do share history whose common version is no longer known here are not combined: that would
      bring back lines one side removed; they go to rule d.
      Both sides go to the merge in the order every laptop agrees on (the earlier edit first), so laptops
      that merge the same two versions at the same time write the same bytes and converge.
   d. otherwise the conflict policy picks the content to keep:
      keep_both (default) and prefer_recent keep the later edit (ties broken by device id) —
      the same choice on every laptop, so laptops that resolve at the same time agree;
      keep_both also saves the other text as a conflict copy here;
      prefer_local keeps ours, prefer_remote keeps theirs.
      When both versions are themselves resolutions, the later one wins whatever the policy:
      two laptops that each "kept their own" must still converge.
      The kept content becomes a new version above both, which we send.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum, StrEnum

from memtray.errors import UsageError
from memtray.sync.merge import merge_contents
from memtray.sync.records import FileVersion
from memtray.sync.vectors import Order, bumped, compare, merged


class ConflictPolicy(StrEnum):
    """Which content rule 3d keeps. The values are what config files hold."""

    KEEP_BOTH = "keep_both"
    PREFER_RECENT = "prefer_recent"
    PREFER_LOCAL = "prefer_local"
    PREFER_REMOTE = "prefer_remote"

    @classmethod
    def _missing_(cls, value: object) -> ConflictPolicy:
        raise UsageError(
            f"'{value}' is not a conflict policy memtray knows. Choose one in Settings → General, or with "
            f"'memtray settings conflict_policy' and one of: {', '.join(cls)}.",
            title="A setting is not one memtray knows",
        )


class Outcome(Enum):
    KEEP = "keep"
    TAKE = "take"
    MERGE_VECTORS = "merge_vectors"
    EDIT_BEATS_DELETE = "edit_beats_delete"
    MERGED = "merged"
    COMBINED = "combined"
    RESOLVED = "resolved"


@dataclass
class Decision:
    outcome: Outcome
    version: FileVersion
    content: bytes | None = None
    publish: bool = False
    conflict_copy_of: FileVersion | None = None
    loser: FileVersion | None = None


ContentOf = Callable[[FileVersion], bytes | None]


def _successor(
    local: FileVersion,
    remote: FileVersion,
    me: str,
    now: float,
    sha: str,
    size: int,
    deleted: bool,
    blob: str | None,
    mtime: float | None = None,
) -> FileVersion:
    vv = bumped(merged(local.vv, remote.vv), me)
    return FileVersion(
        local.folder, local.path, vv, deleted, sha, size, now if mtime is None else mtime, me, True, blob
    )


def _merge_order(version: FileVersion) -> tuple[float, str, str]:
    """The earlier edit first, the same on every laptop (the content breaks a tie)."""
    return (*version.winner_key(), version.sha)


def pick_winner(local: FileVersion, remote: FileVersion, policy: ConflictPolicy) -> FileVersion:
    if (local.resolved and remote.resolved) or policy in (ConflictPolicy.KEEP_BOTH, ConflictPolicy.PREFER_RECENT):
        return max(local, remote, key=FileVersion.winner_key)
    return local if policy == ConflictPolicy.PREFER_LOCAL else remote


def reconcile(
    local: FileVersion | None,
    remote: FileVersion,
    *,
    me: str,
    policy: ConflictPolicy,
    now: float,
    content_of: ContentOf,
    base_of: Callable[[FileVersion, FileVersion], bytes | None],
) -> Decision:
    if local is None:
        return Decision(Outcome.TAKE, remote)
    order = compare(remote.vv, local.vv)
    if order is Order.NEWER:
        return Decision(Outcome.TAKE, remote)
    if order is not Order.CONCURRENT:
        return Decision(Outcome.KEEP, local)
    if local.deleted == remote.deleted and (local.deleted or local.sha == remote.sha):
        kept = replace(local, vv=merged(local.vv, remote.vv))
        return Decision(Outcome.MERGE_VECTORS, kept)
    if local.deleted != remote.deleted:
        live = remote if local.deleted else local
        version = _successor(local, remote, me, now, live.sha, live.size, False, live.blob, live.mtime)
        return Decision(Outcome.EDIT_BEATS_DELETE, version, publish=True, loser=local if live is remote else remote)
    local_data, remote_data = content_of(local), content_of(remote)
    if local_data is not None and remote_data is not None:
        base = base_of(local, remote)
        first, second = sorted(((local, local_data), (remote, remote_data)), key=lambda side: _merge_order(side[0]))
        unrelated = not any(count > 0 and local.vv.get(device, 0) > 0 for device, count in remote.vv.items())
        result = merge_contents(local.path, base, first[1], second[1]) if base is not None or unrelated else None
        if result is not None:
            sha = hashlib.sha256(result).hexdigest()
            version = _successor(local, remote, me, now, sha, len(result), False, None, max(local.mtime, remote.mtime))
            version.combined = base is None
            return Decision(Outcome.COMBINED if base is None else Outcome.MERGED, version, content=result, publish=True)
    winner = pick_winner(local, remote, policy)
    loser = remote if winner is local else local
    version = _successor(local, remote, me, now, winner.sha, winner.size, False, winner.blob, winner.mtime)
    keep_copy = policy == ConflictPolicy.KEEP_BOTH
    content = local_data if winner is local else remote_data
    return Decision(
        Outcome.RESOLVED,
        version,
        content=content,
        publish=True,
        conflict_copy_of=loser if keep_copy else None,
        loser=loser,
    )
