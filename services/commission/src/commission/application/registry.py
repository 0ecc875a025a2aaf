"""Use cases of the broker register: brokers, bank-detail changes, agreements.

Every write is idempotent by the id in its request: the same request again returns the
stored result (``replayed``), the same id with a different request is a ``Conflict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from commission.application.ports import Registry
from commission.domain import brokers as b
from commission.domain.agreements import Agreement, Basis, ProductRate, check_rates, parse_rate
from commission.domain.bank import BankDetails, validate_bank_details
from commission.domain.errors import Conflict, NotFound


@dataclass(frozen=True)
class Outcome:
    replayed: bool


async def _require_broker(reg: Registry, broker_id: str) -> b.Broker:
    found = await reg.broker(broker_id)
    if found is None:
        raise NotFound(f"broker {broker_id} does not exist", field="broker_id")
    return found[0]


def active_details(changes: list[b.BankChange]) -> b.BankChange | None:
    """The most recently approved bank details (what payouts use)."""
    approved = [c for c in changes if c.status is b.ChangeStatus.APPROVED]
    return max(approved, key=lambda c: c.decided_at or c.requested_at) if approved else None


async def register_broker(
    reg: Registry, request: dict[str, Any], bank: BankDetails, actor: str, now: datetime
) -> Outcome:
    details = validate_bank_details(bank)
    broker = b.Broker(
        broker_id=request["broker_id"],
        name=request["name"],
        jurisdiction=request["jurisdiction"],
        tax_id=request.get("tax_id"),
        contact_email=request.get("contact_email"),
        registered_at=now,
    )
    if not await reg.add_broker(broker, request):
        found = await reg.broker(broker.broker_id)
        if found is not None and found[1] == request:
            return Outcome(replayed=True)
        raise Conflict(f"broker {broker.broker_id} exists with other details", field="broker_id")
    await reg.add_change(b.initial_details(broker.broker_id, details, actor, now))
    return Outcome(replayed=False)


async def request_bank_change(
    reg: Registry, broker_id: str, change_id: str, bank: BankDetails, actor: str, now: datetime
) -> tuple[b.BankChange, Outcome]:
    await _require_broker(reg, broker_id)
    details = validate_bank_details(bank)
    change = b.request_change(change_id, broker_id, details, actor, now)
    if not await reg.add_change(change):
        existing = await reg.change(change_id)
        if existing is not None and existing.broker_id == broker_id and existing.details == details:
            return existing, Outcome(replayed=True)
        raise Conflict(f"change {change_id} exists with other details", field="change_id")
    return change, Outcome(replayed=False)


async def decide_bank_change(
    reg: Registry,
    broker_id: str,
    change_id: str,
    *,
    approve: bool,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> b.BankChange:
    change = await reg.change(change_id, lock=True)
    if change is None or change.broker_id != broker_id:
        raise NotFound(
            f"broker {broker_id} has no bank-detail change {change_id}", field="change_id"
        )
    wanted = b.ChangeStatus.APPROVED if approve else b.ChangeStatus.REJECTED
    if (
        change.status is wanted
        and change.decided_by is not None
        and b.same_identity(change.decided_by, actor)
    ):
        return change  # the same decision again: idempotent
    decided = b.decide_change(change, approve=approve, actor=actor, at=now, note=note)
    await reg.save_decision(decided)
    return decided


async def add_agreement(
    reg: Registry, broker_id: str, request: dict[str, Any], now: datetime
) -> tuple[Agreement, Outcome]:
    await _require_broker(reg, broker_id)
    rates = tuple(
        ProductRate(
            product=r["product"],
            first_year_rate=parse_rate(r["first_year_rate"], f"rates[{n}].first_year_rate"),
            renewal_rate=parse_rate(r["renewal_rate"], f"rates[{n}].renewal_rate"),
        )
        for n, r in enumerate(request["rates"])
    )
    check_rates(rates)
    agreement = Agreement(
        agreement_id=request["agreement_id"],
        broker_id=broker_id,
        effective_from=date.fromisoformat(request["effective_from"]),
        basis=Basis(request.get("basis") or Basis.COLLECTION),
        rates=rates,
        recorded_at=now,
    )
    if not await reg.add_agreement(agreement, {**request, "broker_id": broker_id}):
        found = await reg.agreement(agreement.agreement_id)
        if found is not None and found[1] == {**request, "broker_id": broker_id}:
            return found[0], Outcome(replayed=True)
        raise Conflict(
            f"agreement {agreement.agreement_id} exists with other terms", field="agreement_id"
        )
    return agreement, Outcome(replayed=False)
