"""Use cases of settlement: run a period, mark a statement paid.

A run takes every entry dated on or before the period's last day that no earlier run
took, groups them per broker and currency, and adds the balance each broker carried
forward. Running a period again returns the statements of the first run and writes
nothing; a period earlier than one already settled is refused (its entries went into the
later run). A period is settled only after it has ended (by the service's clock), and only
once the consumer has caught up with the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from commission.application.ports import Settlements
from commission.domain.errors import (
    ConsumerBehind,
    NotFound,
    NothingPayable,
    PeriodNotEnded,
    PeriodOrder,
    StatementAlreadyPaid,
)
from commission.domain.settlement import Period, build_statement, statement_id
from eventfeed import Consumer


def settleable(period_text: str, now: datetime) -> Period:
    """The period, if it has ended by ``now`` (the service's clock): a period still running
    (or in the future) would take only part of its entries and, once settled, block every
    earlier period (:class:`PeriodOrder`)."""
    period = Period.parse(period_text)
    if period.last_day >= now.date():
        raise PeriodNotEnded(
            f"period {period} has not ended yet (today is {now.date()}); "
            f"settle it from {period.last_day + timedelta(days=1)}",
            field="period",
        )
    return period


async def caught_up(consumer: Consumer, max_seconds: float) -> None:
    """Before settling: every ledger event published when this is called is consumed
    (events published meanwhile are not waited for), waiting at most ``max_seconds``; else
    :class:`ConsumerBehind` (an accrual not consumed yet would slip into the next period)."""
    if await consumer.catch_up(max_seconds=max_seconds):
        return
    status = consumer.status()
    if status.refused is not None:
        raise ConsumerBehind(
            f"the ledger refused the commission service's credential ({status.refused}); "
            "nothing was settled: give it one the ledger accepts (COMMISSION_LEDGER_TOKEN or "
            "COMMISSION_LEDGER_API_KEY) and settle again"
        )
    lag = "unknown" if status.lag is None else str(status.lag)
    why = f"; last error: {status.last_error}" if status.last_error else ""
    raise ConsumerBehind(
        f"the commission service did not consume the ledger's events up to where the feed "
        f"stood when the settlement was asked within {max_seconds:g} s (consumer "
        f"{status.state} at position {status.position}, {lag} events behind{why}); nothing "
        "was settled, try again later"
    )


async def settle(store: Settlements, period_text: str, now: datetime) -> tuple[list[Any], bool]:
    """Settle ``period``; return its statements and whether they existed already.

    Call :func:`caught_up` first (the HTTP route and the CLI do)."""
    period = settleable(period_text, now)
    key = str(period)
    await store.lock()
    if await store.run_exists(key):
        return await store.statements(key), True
    latest = await store.latest_period()
    if latest is not None and latest > key:
        raise PeriodOrder(
            f"period {latest} is already settled; {key} comes before it", field="period"
        )
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in await store.unsettled(period.last_day):
        groups[(row.broker_id, row.currency)].append(row)
    carried = await store.carried(key)
    keys = sorted(set(groups) | {k for k, v in carried.items() if v < 0})
    statements = [
        build_statement(
            broker,
            period,
            cur,
            carried.get((broker, cur), 0),
            (r.amount for r in groups.get((broker, cur), [])),
        )
        for broker, cur in keys
    ]
    links = [
        {
            "event_id": r.event_id,
            "account_id": r.account_id,
            "invoice_id": r.invoice_id,
            "line_no": r.line_no,
            "statement_id": statement_id(broker, period, cur),
        }
        for (broker, cur), rows in groups.items()
        for r in rows
    ]
    await store.save_run(key, now, statements, links)
    return await store.statements(key), False


def net(row: Any) -> int:
    return int(row.opening + row.accruals - row.clawbacks)


async def mark_paid(
    store: Settlements, broker_id: str, period_text: str, reference: str, paid_on: date, actor: str
) -> list[Any]:
    """Record the payment reference on the broker's payable statements of the period."""
    period = str(Period.parse(period_text))
    rows = await store.statements(period, broker_id, lock=True)
    if not rows:
        raise NotFound(f"no statement for broker {broker_id} in {period}", field="period")
    payable = [r for r in rows if net(r) > 0]
    if not payable:
        raise NothingPayable(f"the {period} statement of {broker_id} has nothing to pay")
    for r in payable:
        if r.paid_reference is not None and r.paid_reference != reference:
            raise StatementAlreadyPaid(
                f"{r.statement_id} was paid with reference {r.paid_reference}", field="reference"
            )
    for r in payable:
        if r.paid_reference is None:
            await store.mark_paid(r.statement_id, reference, paid_on, actor)
    return await store.statements(period, broker_id)
