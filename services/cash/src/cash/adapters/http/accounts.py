"""An account's customer segment, and the allocation order that follows from it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cash.adapters.http import scopes as sc
from cash.adapters.http.deps import Actor, Caller, CashDep, hide_elsewhere
from cash.adapters.postgres.store import PostgresStore
from cash.bootstrap import Cash
from cash.domain.errors import NotFound
from servicekit.auth import requires

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])

AccountId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]


async def visible_account(account_id: AccountId, caller: Caller, service: CashDep) -> str:
    """The path's account (its jurisdiction, as the ledger says)."""
    missing = NotFound(f"cash knows no account {account_id} (yet)", field="account_id")
    await hide_elsewhere(service, caller, lambda c: PostgresStore(c).account(account_id), missing)
    return account_id


VisibleAccount = Annotated[str, Depends(visible_account)]


class SegmentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._\-]{1,64}$")] | None = Field(
        description="e.g. corporate, sme, individual; null: none (the jurisdiction's order)"
    )


async def _answer(service: Cash, store: PostgresStore, account_id: str) -> dict[str, Any]:
    acc = await store.account(account_id)
    if acc is None:
        raise NotFound(f"cash knows no account {account_id} (yet)", field="account_id")
    segment = await store.segment(account_id)
    return {
        "account_id": account_id,
        "jurisdiction": acc.jurisdiction,
        "segment": segment,
        "allocation_order": service.app.orders.order_for(acc.jurisdiction, segment),
    }


@router.get(
    "/{account_id}/segment",
    summary="The account's segment and the allocation order it gets",
    dependencies=[requires(sc.READ)],
)
async def get_segment(service: CashDep, account_id: VisibleAccount) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        return await _answer(service, PostgresStore(conn), account_id)


@router.put(
    "/{account_id}/segment",
    summary="Set the account's customer segment (its allocation order follows)",
    description="Money matched to the account without naming invoices is allocated by the "
    "ledger in the order configured for the account's jurisdiction and segment "
    "(CASH_ALLOCATION_ORDERS), recorded in the ledger's PaymentReceived event.",
    dependencies=[requires(sc.POST)],
)
async def put_segment(
    service: CashDep, account_id: VisibleAccount, body: SegmentBody, actor: Actor
) -> dict[str, Any]:
    async with service.engine.begin() as conn:
        store = PostgresStore(conn)
        await _answer(service, store, account_id)  # a known account
        await store.set_segment(account_id, body.segment, at=service.clock.now(), actor=actor)
        return await _answer(service, store, account_id)
