"""Use cases of the broker register, each in one unit of work: register a broker, read
it with its active bank details, list brokers, request and decide bank-detail changes,
add and list agreements, and a broker's accruals.

The writes are those of :mod:`commission.application.registry` (idempotent by the id in
the request) run in a transaction of their own, run again after a transient database
failure.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from commission.application import registry as reg
from commission.application.ports import UnitOfWork, UnitOfWorkFactory
from commission.domain.agreements import Agreement
from commission.domain.bank import BankDetails
from commission.domain.brokers import BankChange, Broker
from commission.domain.errors import NotFound


@dataclass(frozen=True)
class BrokerRecord:
    """A broker, its active bank details (None before any approval) and every change."""

    broker: Broker
    active: BankChange | None
    changes: list[BankChange]


async def _record(tx: UnitOfWork, broker_id: str) -> BrokerRecord:
    found = await tx.registry.broker(broker_id)
    if found is None:
        raise NotFound(f"broker {broker_id} does not exist", field="broker_id")
    changes = await tx.registry.changes(broker_id)
    return BrokerRecord(found[0], reg.active_details(changes), changes)


async def register(
    uow: UnitOfWorkFactory, request: dict[str, Any], bank: BankDetails, actor: str, now: datetime
) -> tuple[BrokerRecord, bool]:
    """Register the broker; the broker as stored and whether this was a replay."""

    async def work(tx: UnitOfWork) -> tuple[BrokerRecord, bool]:
        outcome = await reg.register_broker(tx.registry, request, bank, actor, now)
        return await _record(tx, request["broker_id"]), outcome.replayed

    return await uow.run(work, what="register broker")


async def broker(uow: UnitOfWorkFactory, broker_id: str) -> BrokerRecord:
    async with uow.read() as tx:
        return await _record(tx, broker_id)


async def search(
    uow: UnitOfWorkFactory,
    *,
    text: str | None,
    jurisdiction: str | None,
    within: Collection[str] | None,
    after: tuple[Any, ...] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Brokers by name then id (``within``: the caller's jurisdictions, None for all)."""
    async with uow.read() as tx:
        return await tx.registry.search(
            text=text, jurisdiction=jurisdiction, within=within, after=after, limit=limit
        )


async def request_change(
    uow: UnitOfWorkFactory,
    broker_id: str,
    change_id: str,
    bank: BankDetails,
    actor: str,
    now: datetime,
) -> tuple[BankChange, bool]:
    async def work(tx: UnitOfWork) -> tuple[BankChange, bool]:
        change, outcome = await reg.request_bank_change(
            tx.registry, broker_id, change_id, bank, actor, now
        )
        return change, outcome.replayed

    return await uow.run(work, what="request bank change")


async def changes(uow: UnitOfWorkFactory, broker_id: str) -> list[BankChange]:
    """The history of the broker's bank details (NotFound for an unknown broker)."""
    async with uow.read() as tx:
        return (await _record(tx, broker_id)).changes


async def decide_change(
    uow: UnitOfWorkFactory,
    broker_id: str,
    change_id: str,
    *,
    approve: bool,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> BankChange:
    async def work(tx: UnitOfWork) -> BankChange:
        return await reg.decide_bank_change(
            tx.registry, broker_id, change_id, approve=approve, actor=actor, now=now, note=note
        )

    return await uow.run(work, what="decide bank change")


async def add_agreement(
    uow: UnitOfWorkFactory, broker_id: str, request: dict[str, Any], now: datetime
) -> tuple[Agreement, bool]:
    async def work(tx: UnitOfWork) -> tuple[Agreement, bool]:
        agreement, outcome = await reg.add_agreement(tx.registry, broker_id, request, now)
        return agreement, outcome.replayed

    return await uow.run(work, what="add agreement")


async def agreements(uow: UnitOfWorkFactory, broker_id: str) -> list[Agreement]:
    async with uow.read() as tx:
        await _record(tx, broker_id)
        return await tx.registry.agreements(broker_id)


async def accruals(
    uow: UnitOfWorkFactory, broker_id: str, first: date | None, last: date | None
) -> list[Any]:
    """The broker's accruals and clawbacks by entry date, between ``first`` and ``last``."""
    async with uow.read() as tx:
        await _record(tx, broker_id)
        return await tx.books.entries(broker_id, first, last)
