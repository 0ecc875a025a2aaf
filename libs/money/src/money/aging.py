"""The aging buckets of receivables: one rule for every service that ages open items.

The rule is data: ``LIMITS`` pairs each bucket with the most days past due it holds, in
order, and ``OLDEST`` takes the rest. ``bucket`` applies it in Python; a query that ages in
SQL builds its expression from the same ``LIMITS`` (never from boundaries of its own).
"""

from __future__ import annotations

from datetime import date

LIMITS: tuple[tuple[str, int], ...] = (
    ("current", 0),  # due that day or later
    ("days_1_30", 30),
    ("days_31_60", 60),
    ("days_61_90", 90),
)
OLDEST = "days_over_90"
BUCKETS = (*(name for name, _ in LIMITS), OLDEST)


def bucket_of_days(days_past_due: int) -> str:
    """The bucket of an item ``days_past_due`` days past its due date (0 or less: current)."""
    for name, most in LIMITS:
        if days_past_due <= most:
            return name
    return OLDEST


def bucket(as_of: date, due: date) -> str:
    """The aging bucket of an item due on ``due``, on ``as_of`` (due today: current)."""
    return bucket_of_days((as_of - due).days)
