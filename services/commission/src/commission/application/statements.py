"""Use cases over settled periods, each in one unit of work: settle a period, read its
statements (only brokers the caller may see), a broker's statement, mark it paid, and
what the payout file pays.

``sees``: whether the caller may see a jurisdiction (None: every jurisdiction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from commission.application.ports import UnitOfWork, UnitOfWorkFactory
from commission.application.registry import active_details
from commission.application.settlement import mark_paid, net, settle
from commission.domain.brokers import BankChange, Broker
from commission.domain.errors import NotFound
from servicekit.transient import JobRetries

Sees = Callable[[str], bool] | None


@dataclass(frozen=True)
class BrokerStatement:
    """A broker's statements of a period (one per currency), each with its entries."""

    broker: Broker
    sections: list[tuple[Any, list[Any]]]


@dataclass(frozen=True)
class Payout:
    """One statement to pay: the statement, the broker's name, the approved bank details."""

    statement: Any
    broker_name: str
    bank: BankChange


async def settle_period(
    uow: UnitOfWorkFactory, period: str, now: datetime, retries: JobRetries | None = None
) -> tuple[list[Any], bool]:
    """:func:`~commission.application.settlement.settle` in a transaction of its own, run
    again after a transient database failure (``retries``, the default budget when None;
    a run that committed answers the rerun as a replay); still failing,
    :class:`~servicekit.transient.StepFailed`."""

    async def once() -> tuple[list[Any], bool]:
        async with uow() as tx:
            return await settle(tx.settlements, period, now)

    return await (retries or JobRetries()).step(once, what=f"settling {period}")


async def broker_jurisdiction(uow: UnitOfWorkFactory, broker_id: str) -> str | None:
    """The broker's jurisdiction (None: no such broker)."""
    async with uow.read() as tx:
        found = await tx.registry.broker(broker_id)
    return None if found is None else found[0].jurisdiction


async def _visible(tx: UnitOfWork, sees: Sees, rows: list[Any]) -> list[Any]:
    """The statements of brokers in the caller's jurisdictions."""
    if sees is None:
        return rows
    kept = []
    for r in rows:
        found = await tx.registry.broker(r.broker_id)
        if found is not None and sees(found[0].jurisdiction):
            kept.append(r)
    return kept


async def _settled(tx: UnitOfWork, period: str, sees: Sees) -> list[Any]:
    if not await tx.settlements.run_exists(period):
        raise NotFound(f"period {period} is not settled", field="period")
    return await _visible(tx, sees, await tx.settlements.statements(period))


async def settled(uow: UnitOfWorkFactory, period: str, sees: Sees) -> list[Any]:
    """The statements of a settled period (NotFound if it is not settled)."""
    async with uow.read() as tx:
        return await _settled(tx, period, sees)


async def _require_broker(tx: UnitOfWork, broker_id: str) -> Broker:
    found = await tx.registry.broker(broker_id)
    if found is None:
        raise NotFound(f"broker {broker_id} does not exist", field="broker_id")
    return found[0]


async def _statement(tx: UnitOfWork, broker_id: str, period: str) -> BrokerStatement:
    broker = await _require_broker(tx, broker_id)
    rows = await tx.settlements.statements(period, broker_id)
    if not rows:
        raise NotFound(f"no statement for broker {broker_id} in {period}", field="period")
    return BrokerStatement(
        broker, [(r, await tx.settlements.statement_entries(r.statement_id)) for r in rows]
    )


async def broker_statement(uow: UnitOfWorkFactory, broker_id: str, period: str) -> BrokerStatement:
    async with uow.read() as tx:
        return await _statement(tx, broker_id, period)


async def pay_statement(
    uow: UnitOfWorkFactory, broker_id: str, period: str, reference: str, paid_on: date, by: str
) -> BrokerStatement:
    """Mark the broker's statement of ``period`` paid; return it as it is now."""
    async with uow() as tx:
        await _require_broker(tx, broker_id)
        await mark_paid(tx.settlements, broker_id, period, reference, paid_on, by)
        return await _statement(tx, broker_id, period)


async def payouts(uow: UnitOfWorkFactory, period: str, sees: Sees) -> list[Payout]:
    """The unpaid statements of a settled period with something to pay, whose broker has
    approved bank details (nothing is paid on one person's word)."""
    out = []
    async with uow.read() as tx:
        for r in await _settled(tx, period, sees):
            if net(r) <= 0 or r.paid_reference is not None:
                continue
            found = await tx.registry.broker(r.broker_id)
            bank = active_details(await tx.registry.changes(r.broker_id))
            if bank is None:
                continue
            out.append(Payout(r, found[0].name if found else "", bank))
    return out
