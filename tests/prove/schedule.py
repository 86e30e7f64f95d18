"""Random work on several laptops: edits, deletes, renames, syncs, and laptops going offline.

A schedule is a list of steps; each names the laptop it happens on. The same steps drive the
in-process fleet (hypothesis) and real ``memtray`` processes (a seeded schedule).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

NAMES = ("a.md", "b.md", "notes/c.md", "notes/deep/d.md", "É.md")
WORDS = ("red", "blue", "gray", "green", "ochre", "teal")
KINDS = ("write", "edit", "append", "delete", "rename", "sync", "offline", "online", "big")
WEIGHTS = (3, 3, 2, 1, 1, 5, 1, 1, 0)
BIG_SIZE = 600 * 1024


@dataclass(frozen=True)
class Step:
    kind: str
    laptop: int
    name: str = ""
    other: str = ""
    words: tuple[str, ...] = ()
    line: int = 0

    def __repr__(self) -> str:
        fields = [repr(self.kind), str(self.laptop)]
        fields += [f"{key}={value!r}" for key, value in vars(self).items() if key not in ("kind", "laptop") and value]
        return f"Step({', '.join(fields)})"


def _text(words: tuple[str, ...]) -> bytes:
    return "".join(f"{word}\n" for word in words).encode()


def apply_local(step: Step, folder: Path) -> None:
    """Do a person's edit in ``folder``; steps that make no sense for the current files do nothing."""
    target = folder / step.name
    if step.kind in ("write", "big"):
        target.parent.mkdir(parents=True, exist_ok=True)
        text = _text(step.words)
        target.write_bytes(text * (BIG_SIZE // len(text) + 1) if step.kind == "big" else text)
    elif not target.is_file():
        return
    elif step.kind == "edit":
        lines = target.read_bytes().splitlines(keepends=True) or [b""]
        lines[step.line % len(lines)] = _text(step.words)
        target.write_bytes(b"".join(lines))
    elif step.kind == "append":
        with open(target, "ab") as stream:
            stream.write(_text(step.words))
    elif step.kind == "delete":
        target.unlink()
    elif step.kind == "rename" and step.other != step.name:
        destination = folder / step.other
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, destination)


def run_schedule(
    steps: list[Step], folders: list[Path], sync: Callable[[int], object], set_online: Callable[[int, bool], None]
) -> None:
    for step in steps:
        laptop = step.laptop % len(folders)
        if step.kind == "sync":
            sync(laptop)
        elif step.kind in ("offline", "online"):
            set_online(laptop, step.kind == "online")
        else:
            apply_local(step, folders[laptop])


_words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(tuple)
_laptop = st.integers(0, 3)
_name = st.sampled_from(NAMES)

steps_strategy = st.one_of(
    st.builds(Step, st.just("sync"), _laptop),
    st.builds(Step, st.just("write"), _laptop, _name, words=_words),
    st.builds(Step, st.just("edit"), _laptop, _name, words=_words, line=st.integers(0, 5)),
    st.builds(Step, st.just("append"), _laptop, _name, words=_words),
    st.builds(Step, st.just("sync"), _laptop),
    st.builds(Step, st.just("delete"), _laptop, _name),
    st.builds(Step, st.just("rename"), _laptop, _name, _name),
    st.builds(Step, st.sampled_from(("offline", "online")), _laptop),
)


def random_schedule(rng: random.Random, length: int, weights: tuple[int, ...] = WEIGHTS) -> list[Step]:
    """A schedule from a seeded generator (for runs that cannot use hypothesis, e.g. real processes).

    ``weights`` give each of ``KINDS`` its share; "big" (a file stored as a separate blob) is off by default.
    """
    steps = []
    for _ in range(length):
        kind = rng.choices(KINDS, weights=weights)[0]
        words = tuple(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        steps.append(Step(kind, rng.randrange(4), rng.choice(NAMES), rng.choice(NAMES), words, rng.randrange(6)))
    return steps
