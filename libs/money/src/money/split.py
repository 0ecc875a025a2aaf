"""Splitting and rounding whole minor units so that nothing is lost or made up."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def split_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights``; the parts sum to ``total``.

    Each part gets the floor of its exact share (of the magnitude); the units left over go
    one each to the parts with the largest fractional remainders, ties to the earliest
    part. Every part carries the sign of ``total``.
    """
    if not weights:
        raise ValueError("cannot split over no weights")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero (they need a positive sum)")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts = [magnitude * w // weight_sum for w in weights]
    remainders = [magnitude * w % weight_sum for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: magnitude - sum(parts)]:
        parts[i] += 1
    return [sign * p for p in parts]


def round_half_up(value: Fraction) -> int:
    """The nearest integer, halves away from zero (the usual rounding of money)."""
    magnitude = int(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude
