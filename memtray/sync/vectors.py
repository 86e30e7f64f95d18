"""Version vectors: ``{device_id: counter}``, one per file version.

A vector dominates another when it is at least as large for every device and larger for one;
two vectors where neither dominates are concurrent, which means two laptops edited independently.
"""

from __future__ import annotations

from enum import Enum

VersionVector = dict[str, int]


class Order(Enum):
    EQUAL = "equal"
    NEWER = "newer"
    OLDER = "older"
    CONCURRENT = "concurrent"


def compare(a: VersionVector, b: VersionVector) -> Order:
    """How ``a`` relates to ``b``."""
    a_ahead = any(count > b.get(device, 0) for device, count in a.items())
    b_ahead = any(count > a.get(device, 0) for device, count in b.items())
    if a_ahead and b_ahead:
        return Order.CONCURRENT
    if a_ahead:
        return Order.NEWER
    if b_ahead:
        return Order.OLDER
    return Order.EQUAL


def merged(a: VersionVector, b: VersionVector) -> VersionVector:
    result = dict(a)
    for device, count in b.items():
        if count > result.get(device, 0):
            result[device] = count
    return result


def bumped(base: VersionVector, device: str, floor: VersionVector | None = None) -> VersionVector:
    """``base`` with ``device``'s counter one past anything it used in ``base`` or ``floor``."""
    result = dict(base)
    result[device] = max(base.get(device, 0), (floor or {}).get(device, 0)) + 1
    return result


def dominated_by_both(candidate: VersionVector, a: VersionVector, b: VersionVector) -> bool:
    return compare(candidate, a) in (Order.OLDER, Order.EQUAL) and compare(candidate, b) in (Order.OLDER, Order.EQUAL)
