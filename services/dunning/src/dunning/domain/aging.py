"""Days past due and the level they reach: pure functions of the open items and a date.

Days past due are counted from the **earliest unpaid due date** of the items that are
overdue and not disputed. A partial payment leaves that date where it is; a payment that
settles the oldest item moves it forward to the next unpaid one (re-anchoring), which
can lower the level at once, and the ladder then climbs again from the new anchor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dunning.domain.policies import Policy
from dunning.domain.receivables import Item, Receivables


@dataclass(frozen=True)
class Overdue:
    as_of: date
    anchor: date | None  # earliest unpaid due date of the overdue, undisputed items
    amount: int  # overdue open amount, disputed items excluded
    items: tuple[Item, ...]  # the overdue undisputed items, oldest due first

    @property
    def days_past_due(self) -> int:
        return 0 if self.anchor is None else (self.as_of - self.anchor).days


def overdue_items(items: list[Item], as_of: date) -> tuple[Item, ...]:
    due = [i for i in items if i.open_amount > 0 and not i.disputed and i.due_date < as_of]
    return tuple(sorted(due, key=lambda i: (i.due_date, i.item_id)))


def assess(receivables: Receivables, as_of: date) -> Overdue:
    items = overdue_items(list(receivables.items.values()), as_of)
    return Overdue(
        as_of=as_of,
        anchor=items[0].due_date if items else None,
        amount=sum(i.open_amount for i in items),
        items=items,
    )


def target_level(policy: Policy, days_past_due: int, overdue: int) -> int:
    """The highest level whose days and minimum amount are both met (0: none)."""
    reached = 0
    for lvl in policy.levels:
        if days_past_due >= lvl.days_past_due and overdue >= policy.min_overdue(lvl):
            reached = lvl.level
    return reached


def item_days_past_due(item: Item, as_of: date) -> int:
    return max(0, (as_of - item.due_date).days)
