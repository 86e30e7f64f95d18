"""The pure rules: version vectors, globs, path safety, merges, reconciliation, OS names, setup codes."""

from __future__ import annotations

import pytest

from memtray.errors import SetupCodeError
from memtray.service.setupcode import SetupCode, decode_setup_code
from memtray.sync.globs import GlobFilter
from memtray.sync.merge import merge_text
from memtray.sync.osrules import MacRules, PosixRules, WindowsRules
from memtray.sync.pathsafety import UnsafePath, check_relative
from memtray.sync.reconcile import Outcome, reconcile
from memtray.sync.records import FileVersion
from memtray.sync.vectors import Order, bumped, compare, merged


def test_vector_order():
    assert compare({"a": 2}, {"a": 1}) is Order.NEWER
    assert compare({"a": 1}, {"a": 1, "b": 1}) is Order.OLDER
    assert compare({"a": 2}, {"a": 1, "b": 1}) is Order.CONCURRENT
    assert compare({}, {}) is Order.EQUAL
    assert merged({"a": 2, "b": 1}, {"a": 1, "c": 3}) == {"a": 2, "b": 1, "c": 3}
    assert bumped({"a": 1}, "b") == {"a": 1, "b": 1}
    assert bumped({"a": 1}, "a", floor={"a": 5}) == {"a": 6}


@pytest.mark.parametrize(
    ("include", "exclude", "path", "tracked"),
    [
        ([], [], "notes/a.md", True),
        (["*.md"], [], "deep/er/a.md", True),
        (["*.md"], [], "a.txt", False),
        (["memory/*.md"], [], "memory/a.md", True),
        (["memory/*.md"], [], "other/memory/a.md", False),
        (["**/rules/*.mdc"], [], ".cursor/rules/x.mdc", True),
        ([], ["drafts/"], "drafts/x.md", False),
        ([], [], ".git/config", False),
        ([], [], ".memtray-conflicts/a.sync-conflict-1.md", False),
        ([], [], "dir/.memtray-tmp-123", False),
        ([], ["*.bak"], "x.bak", False),
    ],
)
def test_globs(include, exclude, path, tracked):
    assert GlobFilter(include, exclude).tracks(path) is tracked


@pytest.mark.parametrize(
    "path", ["../x", "a/../../x", "/etc/passwd", "C:/x", "c:\\x", "a//b", "a/./b", "a\x00b", "", "a\\b", "e\u0301.md"]
)
def test_unsafe_paths_are_refused(path):
    with pytest.raises(UnsafePath):
        check_relative(path)


@pytest.mark.parametrize("path", ["a.md", "a:b.md", "dir/é.md", "x/y/z", ".hidden"])
def test_safe_paths_pass(path):
    assert check_relative(path) == path


def test_merge_text():
    base = b"one\ntwo\nthree\nfour\nfive\n"
    assert merge_text(base, b"ONE\ntwo\nthree\nfour\nfive\n", b"one\ntwo\nthree\nfour\nFIVE\n") == (
        b"ONE\ntwo\nthree\nfour\nFIVE\n"
    )
    assert merge_text(base, b"one\nA\nthree\nfour\nfive\n", b"one\nB\nthree\nfour\nfive\n") is None
    assert merge_text(base, b"one\nSAME\nthree\nfour\nfive\n", b"one\nSAME\nthree\nfour\nfive\n") == (
        b"one\nSAME\nthree\nfour\nfive\n"
    )
    assert merge_text(None, b"x\n", b"y\n") is None
    assert merge_text(base, b"\x00\x01", base) is None


def _version(vv, sha="s", deleted=False, mtime=1.0, origin="a", resolved=False):
    return FileVersion("f", "p.md", vv, deleted, sha, 1, mtime, origin, resolved)


def _decide(local, remote, policy="keep_both", contents=None, base=None):
    contents = contents or {}
    return reconcile(
        local,
        remote,
        me="me",
        policy=policy,
        now=10.0,
        content_of=lambda v: contents.get(v.sha),
        base_of=lambda lo, re: base,
    )


def test_reconcile_fast_forward_keep_and_vector_merge():
    assert _decide(None, _version({"a": 1})).outcome is Outcome.TAKE
    assert _decide(_version({"a": 1}), _version({"a": 2})).outcome is Outcome.TAKE
    assert _decide(_version({"a": 2}), _version({"a": 1})).outcome is Outcome.KEEP
    same = _decide(_version({"a": 2}, sha="x"), _version({"a": 1, "b": 1}, sha="x"))
    assert same.outcome is Outcome.MERGE_VECTORS and same.version.vv == {"a": 2, "b": 1} and not same.publish


def test_reconcile_edit_beats_delete():
    decision = _decide(_version({"a": 2}, deleted=True), _version({"a": 1, "b": 1}, sha="edited"))
    assert decision.outcome is Outcome.EDIT_BEATS_DELETE
    assert not decision.version.deleted and decision.version.sha == "edited" and decision.publish
    assert compare(decision.version.vv, {"a": 2}) is Order.NEWER
    assert compare(decision.version.vv, {"a": 1, "b": 1}) is Order.NEWER


def test_reconcile_clean_merge_dominates_both():
    base, ours, theirs = b"1\n2\n3\n4\n5\n", b"X\n2\n3\n4\n5\n", b"1\n2\n3\n4\nY\n"
    decision = _decide(
        _version({"a": 2}, sha="ours"),
        _version({"a": 1, "b": 1}, sha="theirs"),
        contents={"ours": ours, "theirs": theirs},
        base=base,
    )
    assert decision.outcome is Outcome.MERGED and decision.content == b"X\n2\n3\n4\nY\n"


@pytest.mark.parametrize(
    ("policy", "winner", "copy"),
    [
        ("keep_both", "late", True),
        ("prefer_recent", "late", False),
        ("prefer_local", "early", False),
        ("prefer_remote", "late", False),
    ],
)
def test_reconcile_policies(policy, winner, copy):
    local = _version({"a": 2}, sha="early", mtime=1.0, origin="a")
    remote = _version({"a": 1, "b": 1}, sha="late", mtime=5.0, origin="b")
    decision = _decide(local, remote, policy, contents={"early": b"A\n", "late": b"B\n"}, base=b"base\n")
    assert decision.outcome is Outcome.RESOLVED and decision.version.sha == winner
    assert (decision.conflict_copy_of is not None) is copy


def test_two_resolutions_converge_whatever_the_policy():
    local = _version({"a": 3, "b": 1}, sha="mine", mtime=9.0, origin="a", resolved=True)
    remote = _version({"a": 2, "b": 2}, sha="theirs", mtime=3.0, origin="b", resolved=True)
    contents = {"mine": b"M\n", "theirs": b"T\n"}
    for policy in ("prefer_local", "prefer_remote", "keep_both"):
        here = _decide(local, remote, policy, contents, b"o\n")
        there = reconcile(
            remote,
            local,
            me="b",
            policy=policy,
            now=10.0,
            content_of=lambda v: contents.get(v.sha),
            base_of=lambda lo, re: b"o\n",
        )
        assert here.version.sha == there.version.sha == "mine"


def test_os_rules():
    windows = WindowsRules()
    assert "AUX" in (windows.name_problem("aux.md") or "")
    assert windows.name_problem("com1") and windows.name_problem("LPT9.txt")
    assert windows.name_problem("a:b") and windows.name_problem("dot.") and windows.name_problem("space ")
    assert windows.name_problem("auxiliary.md") is None
    assert windows.path_problem("ok/CON/x.md")
    assert MacRules().name_problem("a:b") and MacRules().case_insensitive
    assert PosixRules().name_problem("a:b") is None and not PosixRules().case_insensitive


def test_setup_codes_round_trip_and_reject_damage():
    code = SetupCode("https://hub.example:8765", "0" * 31 + "1", "invite-xyz").encode()
    assert decode_setup_code("  " + code + "\n") == SetupCode("https://hub.example:8765", "0" * 31 + "1", "invite-xyz")
    damaged = code[:10] + ("A" if code[10] != "A" else "B") + code[11:]
    for bad in (damaged, "MT1-abc", "hello", code[:-1]):
        with pytest.raises(SetupCodeError):
            decode_setup_code(bad)


@pytest.mark.parametrize(
    ("include", "directory", "descend"),
    [
        (["/CLAUDE.md", "projects/*/memory/**"], "projects/x/memory/deep", True),
        (["/CLAUDE.md", "projects/*/memory/**"], "projects/x", True),
        (["/CLAUDE.md", "projects/*/memory/**"], "projects/x/transcripts", False),
        (["/CLAUDE.md", "projects/*/memory/**"], "statsig", False),
        (["memory/*.md"], "memory", True),
        (["memory/*.md"], "memory/sub", False),
        (["**/rules/*.mdc"], ".cursor/rules", True),
        (["*.md"], "any/where", True),
        ([], "any/where", True),
        ([], ".git", False),
    ],
)
def test_the_scan_skips_folders_no_include_can_reach(include, directory, descend):
    assert GlobFilter(include, []).may_contain(directory) is descend
