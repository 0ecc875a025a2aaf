"""The aging buckets of receivables: one rule for every service that ages open items."""

from __future__ import annotations

from datetime import date

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")


def bucket(as_of: date, due: date) -> str:
    """The aging bucket of an item due on ``due``, on ``as_of`` (due today: current)."""
    days = (as_of - due).days
    if days <= 0:
        return "current"
    if days <= 30:
        return "days_1_30"
    if days <= 60:
        return "days_31_60"
    if days <= 90:
        return "days_61_90"
    return "days_over_90"
