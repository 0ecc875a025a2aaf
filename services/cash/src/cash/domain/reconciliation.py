"""Payment-partner reconciliation: what each partner should have settled against what it did.

**Expected** are the transactions a partner (card gateway, e-wallet, bank) took from
customers on the company's behalf, uploaded per partner from its transaction report or the
company's own payment-page log: reference (the partner's transaction id), amount and the
settlement date expected. **Settled** are the lines of the partner's settlement files
imported with the partner named: the amount that arrived (net), the fee withheld, and so
the gross (net + fee). A transaction is the same on both sides when the partner and the
reference are (the settlement line's entry reference).

Per partner, settlement date and currency the report adds up expected, gross, fees and
net, and lists every difference:

- ``not_settled``: expected, and no settlement line has its reference;
- ``not_expected``: settled, and nothing was expected under its reference;
- ``amount_differs``: both, but the gross settled is not the amount expected (or the
  currency differs);
- ``other_date``: both, same amount, settled on another day than expected.

Amounts are signed minor units: a refund the partner takes back is negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from cash.domain.errors import ExpectedConflict, InvalidExpected

NOT_SETTLED = "not_settled"
NOT_EXPECTED = "not_expected"
AMOUNT_DIFFERS = "amount_differs"
OTHER_DATE = "other_date"
KINDS = (NOT_SETTLED, NOT_EXPECTED, AMOUNT_DIFFERS, OTHER_DATE)


@dataclass(frozen=True)
class Expected:
    partner_id: str
    reference: str
    amount: int
    currency: str
    expected_on: date
    account_id: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Settled:
    """One settlement line: ``net`` arrived (signed), ``fee`` was withheld."""

    partner_id: str
    reference: str
    line_id: str
    net: int
    fee: int
    currency: str
    settled_on: date

    @property
    def gross(self) -> int:
        return self.net + self.fee


@dataclass(frozen=True)
class Difference:
    kind: str
    partner_id: str
    reference: str
    currency: str
    expected: int | None
    settled: int | None  # gross
    expected_on: date | None
    settled_on: date | None
    line_id: str | None = None
    account_id: str | None = None

    @property
    def gap(self) -> int:
        """Settled (gross) less expected: negative when the partner paid too little."""
        return (self.settled or 0) - (self.expected or 0)


@dataclass
class Day:
    """The figures of one partner, settlement date and currency (no date: the period's
    total)."""

    partner_id: str
    settlement_date: date | None
    currency: str
    expected_count: int = 0
    expected: int = 0
    settled_count: int = 0
    gross: int = 0
    fees: int = 0
    net: int = 0
    agreed: int = 0  # transactions settled as expected: same amount, same day
    differences: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return self.partner_id, self.currency


@dataclass(frozen=True)
class Reconciliation:
    days: tuple[Day, ...]  # by partner, date, currency
    totals: tuple[Day, ...]  # per partner and currency over the period
    differences: tuple[Difference, ...]  # by partner, date, reference


def reconcile(
    expected: Iterable[Expected], settled: Iterable[Settled], first: date, last: date
) -> Reconciliation:
    """Reconcile the days ``first`` .. ``last``.

    ``expected`` and ``settled`` hold what falls in the period, and may hold more: the
    other side of a transaction in the period that falls outside it (expected on the 31st,
    settled on the 1st), so it is matched rather than reported missing. What falls outside
    on both sides is left out.
    """
    by_ref: dict[tuple[str, str], Expected] = {(e.partner_id, e.reference): e for e in expected}
    paid: dict[tuple[str, str], list[Settled]] = {}
    for s in settled:
        paid.setdefault((s.partner_id, s.reference), []).append(s)
    days: dict[tuple[str, date, str], Day] = {}

    def day(partner: str, on: date, currency: str) -> Day:
        key = (partner, on, currency)
        if key not in days:
            days[key] = Day(partner, on, currency)
        return days[key]

    def inside(on: date | None) -> bool:
        return on is not None and first <= on <= last

    diffs: list[Difference] = []
    for key in sorted(by_ref.keys() | paid.keys()):
        e, lines = by_ref.get(key), paid.get(key, [])
        settled_on = max((s.settled_on for s in lines), default=None)
        if not inside(e.expected_on if e else None) and not inside(settled_on):
            continue
        for s in lines:
            if inside(s.settled_on):
                d = day(s.partner_id, s.settled_on, s.currency)
                d.settled_count += 1
                d.gross += s.gross
                d.fees += s.fee
                d.net += s.net
        if e is not None and inside(e.expected_on):
            d = day(e.partner_id, e.expected_on, e.currency)
            d.expected_count += 1
            d.expected += e.amount
        found = _difference(e, lines, settled_on)
        if found is None:
            if e is not None and inside(e.expected_on):
                day(e.partner_id, e.expected_on, e.currency).agreed += 1
            continue
        diffs.append(found)
        on = found.expected_on if inside(found.expected_on) else found.settled_on
        if on is not None and inside(on):
            day(found.partner_id, on, found.currency).differences += 1
    ordered = tuple(days[k] for k in sorted(days))
    return Reconciliation(ordered, _totals(ordered), tuple(sorted(diffs, key=_diff_order)))


def _difference(
    e: Expected | None, lines: list[Settled], settled_on: date | None
) -> Difference | None:
    gross = sum(s.gross for s in lines) if lines else None
    line_id = lines[0].line_id if len(lines) == 1 else None
    if e is None:
        s = lines[0]
        return Difference(
            NOT_EXPECTED, s.partner_id, s.reference, s.currency, None, gross, None, settled_on,
            line_id,
        )  # fmt: skip
    base = (e.partner_id, e.reference, e.currency, e.amount)
    if not lines:
        return Difference(NOT_SETTLED, *base, None, e.expected_on, None, None, e.account_id)
    if gross != e.amount or any(s.currency != e.currency for s in lines):
        kind = AMOUNT_DIFFERS
    elif settled_on != e.expected_on:
        kind = OTHER_DATE
    else:
        return None
    return Difference(kind, *base, gross, e.expected_on, settled_on, line_id, e.account_id)


def _diff_order(d: Difference) -> tuple[str, date, str]:
    on = d.expected_on or d.settled_on or date.min
    return d.partner_id, on, d.reference


def _totals(days: tuple[Day, ...]) -> tuple[Day, ...]:
    out: dict[tuple[str, str], Day] = {}
    for d in days:
        t = out.setdefault(d.key, Day(d.partner_id, None, d.currency))
        t.expected_count += d.expected_count
        t.expected += d.expected
        t.settled_count += d.settled_count
        t.gross += d.gross
        t.fees += d.fees
        t.net += d.net
        t.agreed += d.agreed
        t.differences += d.differences
    return tuple(out[k] for k in sorted(out))


def to_add(incoming: Sequence[Expected], known: Mapping[str, Expected]) -> list[Expected]:
    """What of ``incoming`` is new, given what is ``known`` under the same references: the
    same transaction again changes nothing; a reference given twice, or known with other
    figures, refuses the whole upload."""
    seen: set[str] = set()
    new = []
    for n, e in enumerate(incoming):
        if e.reference in seen:
            raise InvalidExpected(
                f"reference {e.reference} is given twice", field=f"transactions[{n}].reference"
            )
        seen.add(e.reference)
        before = known.get(e.reference)
        if before is None:
            new.append(e)
        elif before != e:
            raise ExpectedConflict(
                f"{e.partner_id} {e.reference} is expected already with other figures "
                f"(withdraw it first to change it)",
                field=f"transactions[{n}]",
            )
    return new
