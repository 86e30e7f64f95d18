"""Which of the other laptops' log entries this laptop applies, and which it refuses.

The roster, as ``Membership`` (memtray/membership/view.py), gives a rule for each entry:
- taken as it is (written before its laptop had a key, or no laptop was ever removed): a signature it
  carries is still checked when its laptop is a member;
- signed: applied only with a valid signature by the key the roster holds for that laptop. Anything else was
  written in that laptop's name by someone else, and stops the sync with a ``MembershipError``;
- refused: a removed laptop's entries after its removal, or a laptop the roster never added once any laptop was
  removed. Its log is read up to there and no further, with no error: the result says so in one sentence.
A folder definition dated more than ``FUTURE_SLACK`` ahead of this laptop's clock is ignored the same way: a
newer stamp wins (engine.py), so one from far in the future would pin a folder's rules for good.
"""

from __future__ import annotations

from memtray.errors import MembershipError
from memtray.membership.laptop_key import verify_signature
from memtray.membership.view import EntryRule, Membership
from memtray.sync.entry import OpenedEntry
from memtray.sync.records import FolderDef

FUTURE_SLACK = 24 * 3600.0
NOTHING_CHANGED = "memtray did not use it. Nothing on this laptop was changed."


def admitted(membership: Membership, device_id: str, seqs: list[int]) -> tuple[list[int], list[int]]:
    """``seqs`` (ascending) split at the first one the roster refuses: those that may be applied, the rest."""
    for position, seq in enumerate(seqs):
        if membership.rule(device_id, seq) is EntryRule.REFUSED:
            return seqs[:position], seqs[position:]
    return seqs, []


def check_author(membership: Membership, opened: OpenedEntry, key: str) -> None:
    """Refuse ``opened`` (hub object ``key``) unless the laptop whose log it is in wrote it, as far as the roster
    can tell."""
    entry = opened.entry
    member = membership.members.get(entry.device_id)
    rule = membership.rule(entry.device_id, entry.seq)
    if opened.signature is None:
        if rule is EntryRule.SIGNED:
            raise MembershipError(
                f"The stored item {key} is not signed, but the laptop whose history it is in signs everything it "
                f"writes: someone else wrote it in that laptop's name. {NOTHING_CHANGED}"
            )
        return
    if member is not None and not verify_signature(member.sign_public, opened.message, opened.signature):
        raise MembershipError(
            f"The stored item {key} is signed by a laptop other than the one whose history it is in: someone else "
            f"wrote it in that laptop's name. {NOTHING_CHANGED}"
        )


def refusal(membership: Membership, device_id: str, name: str) -> str:
    """The sentence that says why ``name``'s new changes were not applied here."""
    member = membership.members.get(device_id)
    if member is not None and member.removed_after is not None:
        return f"Changes from {name} were not applied: it was removed from your synced memory."
    return f"Changes from {name} were not applied: it runs an older memtray; update memtray there."


def from_the_future(folder: FolderDef, now: float) -> bool:
    return folder.stamp[0] > now + FUTURE_SLACK


def future_folder(folder: FolderDef, name: str) -> str:
    return (
        f"A change to the folder '{folder.name}' from {name} was not applied: it is dated more than a day ahead of "
        "this laptop's clock. Check the date and time on both laptops."
    )
