"""Which lines two texts have in common, as a shortest edit script finds them (Myers' O(ND) algorithm).

merge.py needs the longest common subsequence, not difflib's longest-block-first matching: a side that only
inserted lines must have every line of the base matched, or an insertion of a line the file already holds
(a second "- " bullet, a blank line) can look like a changed line, and two laptops' appends like a conflict.
Past ``MAX_EDITS`` differences (two large unrelated texts) only the lines both begin and end with are
matched: a merge of the rest is then a conflict, a combine keeps both texts whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

MAX_EDITS = 1000
Block = tuple[int, int, int]


def _middle_pairs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]] | None:
    """The (i, j) pairs of one longest common subsequence of ``a`` and ``b``; None past ``MAX_EDITS``
    differences (so two large unrelated texts cost a bounded time)."""
    n, m = len(a), len(b)
    width = min(n + m, MAX_EDITS)
    offset = width + 1
    frontier = [0] * (2 * width + 3)
    trace: list[list[int]] = []
    for edits in range(width + 1):
        trace.append(frontier[offset - edits - 1 : offset + edits + 2])
        for k in range(-edits, edits + 1, 2):
            down = k == -edits or (k != edits and frontier[offset + k - 1] < frontier[offset + k + 1])
            x = frontier[offset + k + 1] if down else frontier[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            frontier[offset + k] = x
            if x >= n and y >= m:
                return _walk_back(trace, n, m)
    return None


def _walk_back(trace: list[list[int]], n: int, m: int) -> list[tuple[int, int]]:
    """Follow the furthest-reaching paths of ``trace`` (one list per number of edits, diagonal k at
    index k + edits + 1) back from the end, collecting the lines they share."""
    pairs: list[tuple[int, int]] = []
    x, y = n, m
    for edits in range(len(trace) - 1, -1, -1):
        frontier = trace[edits]
        k = x - y
        down = k == -edits or (k != edits and frontier[k + edits] < frontier[k + edits + 2])
        previous_k = k + 1 if down else k - 1
        previous_x = frontier[previous_k + edits + 1]
        previous_y = previous_x - previous_k
        while x > previous_x and y > previous_y:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        x, y = previous_x, previous_y
    pairs.reverse()
    return pairs


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[Block]:
    """Runs of lines ``a`` and ``b`` share, as (i, j, length), ending with (len(a), len(b), 0) like difflib."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    middle = _middle_pairs(a[start:end_a], b[start:end_b]) or []
    pairs = [(i, i) for i in range(start)]
    pairs += [(i + start, j + start) for i, j in middle]
    pairs += [(end_a + k, end_b + k) for k in range(len(a) - end_a)]
    blocks: list[Block] = []
    for i, j in pairs:
        if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
            blocks[-1] = (blocks[-1][0], blocks[-1][1], blocks[-1][2] + 1)
        else:
            blocks.append((i, j, 1))
    blocks.append((len(a), len(b), 0))
    return blocks


class LineMatcher:
    """``matching_blocks`` in the shape merge3 asks a sequence matcher for."""

    def __init__(
        self,
        isjunk: Callable[[str], bool] | None = None,
        a: Sequence[str] = (),
        b: Sequence[str] = (),
        autojunk: bool = False,
    ) -> None:
        self.a, self.b = a, b

    def get_matching_blocks(self) -> list[Block]:
        return matching_blocks(self.a, self.b)
