"""Account routes: the dunning view, promises, payment plans, contacts, profile."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from dunning.adapters.http import schemas as s
from dunning.adapters.http import scopes as sc
from dunning.adapters.http.deps import ActorDep, DunningDep, VisibleAccount
from dunning.adapters.http.views import account_view, event_view, plan_view, promise_view
from dunning.application import arrangements as arr
from dunning.application import queries
from dunning.domain.state import Contact
from servicekit.auth import requires

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


def _created(body: dict[str, Any], created: bool) -> JSONResponse:
    """201 for the first request and for its replays (as the ledger answers), a replay
    marked ``Idempotent-Replayed: true``."""
    headers = {} if created else {"Idempotent-Replayed": "true"}
    return JSONResponse(body, status_code=201, headers=headers)


@router.get(
    "/{account_id}/dunning",
    summary="Level per invoice, pauses and action history",
    dependencies=[requires(sc.READ)],
)
async def get_dunning(dunning: DunningDep, account_id: VisibleAccount) -> dict[str, Any]:
    record = await queries.account_record(dunning.uow, dunning.policies, account_id)
    acc = record.account
    view = account_view(acc.state, acc.rec, acc.policy, dunning.clock.today())
    view["profile"] = acc.contact.model_dump()
    view["contacts"] = [
        {
            **c,
            "contacted_on": c["contacted_on"].isoformat(),
            "recorded_at": c["recorded_at"].isoformat(),
        }
        for c in record.contacts
    ]
    view["notices"] = [
        {
            k: n[k]
            for k in (
                "notice_id",
                "kind",
                "language",
                "recipient",
                "status",
                "delivered_via",
                "attempts",
                "last_error",
            )
        }
        for n in record.notices
    ]
    view["fees"] = [
        {
            "adjustment_id": f["adjustment_id"],
            "amount": f["amount"],
            "currency": f["currency"],
            "effective_on": f["effective_on"].isoformat(),
            "status": f["status"],
            "last_error": f["last_error"],
        }
        for f in record.fees
    ]
    view["history"] = [event_view(h) for h in record.history]
    return view


@router.post(
    "/{account_id}/promises",
    status_code=201,
    summary="Record a promise to pay",
    dependencies=[requires(sc.COLLECT)],
)
async def post_promise(
    body: s.PromiseBody, dunning: DunningDep, account_id: VisibleAccount
) -> JSONResponse:
    promise, created, currency = await arr.make_promise(
        dunning.uow,
        dunning.policies,
        account_id,
        promise_id=body.promise_id,
        amount=body.amount,
        promised_date=body.promised_date,
        made_on=body.made_on or dunning.clock.today(),
        note=body.note,
    )
    return _created(promise_view(promise, currency), created)


@router.post(
    "/{account_id}/payment-plans",
    status_code=201,
    summary="Agree a payment plan",
    dependencies=[requires(sc.COLLECT)],
)
async def post_plan(
    body: s.PlanBody, dunning: DunningDep, account_id: VisibleAccount
) -> JSONResponse:
    plan, created, currency = await arr.make_plan(
        dunning.uow,
        dunning.policies,
        account_id,
        plan_id=body.plan_id,
        installments=[(i.due_date, i.amount) for i in body.installments],
        agreed_on=body.agreed_on or dunning.clock.today(),
        note=body.note,
    )
    return _created(plan_view(plan, currency), created)


@router.post(
    "/{account_id}/contacts",
    status_code=201,
    summary="Log a call, e-mail or letter",
    dependencies=[requires(sc.COLLECT)],
)
async def post_contact(
    body: s.ContactBody, dunning: DunningDep, actor: ActorDep, account_id: VisibleAccount
) -> JSONResponse:
    on = body.contacted_on or dunning.clock.today()
    created = await arr.log_contact(
        dunning.uow,
        dunning.policies,
        account_id,
        contact_id=body.contact_id,
        channel=body.channel,
        outcome=body.outcome,
        note=body.note,
        on=on,
        actor=actor,
    )
    out = {
        **body.model_dump(mode="json"),
        "contacted_on": on.isoformat(),
        "actor": actor,
        "account_id": account_id,
    }
    return _created(out, created)


@router.put(
    "/{account_id}/profile",
    summary="Where notices go: e-mail, language, segment",
    dependencies=[requires(sc.COLLECT)],
)
async def put_profile(
    body: s.ProfileBody, dunning: DunningDep, account_id: VisibleAccount
) -> dict[str, Any]:
    await arr.put_profile(dunning.uow, account_id, Contact(**body.model_dump()))
    return {"account_id": account_id, **body.model_dump()}
