"""Routes of policies: set up, read, change log, documents, renewal, termination, revision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from billing.adapters.http import schemas as s
from billing.adapters.http import scopes as sc
from billing.adapters.http.deps import ActorDep, BillingDep, Caller, PolicyId
from billing.adapters.http.views import change_log, policy_view
from billing.adapters.postgres import reads
from billing.domain import decide as cmd
from billing.domain import events as ev
from billing.domain.documents import Document
from billing.domain.money import fmt
from billing.domain.state import Policy
from servicekit.auth import Forbidden, requires

router = APIRouter(prefix="/v1/policies", tags=["policies"])


def products(bodies: list[s.ProductBody]) -> tuple[tuple[ev.ProductTerms, ...], list[bool]]:
    terms = tuple(
        ev.ProductTerms(
            product=p.product,
            description=p.description,
            rates=tuple(
                ev.TierRate(tier=r.tier, annual_premium=Decimal(r.annual_premium)) for r in p.rates
            ),
            tax_label=p.tax_label,
            tax_rate=Decimal(p.tax_rate or 0),
        )
        for p in bodies
    )
    return terms, [p.tax_rate is not None for p in bodies]


def documents_view(policy: Policy, docs: list[Document]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": d.document_id,
            "kind": d.kind,
            "invoice_id": d.invoice_id,
            "period_start": d.period.start.isoformat(),
            "period_end": d.period.end.isoformat(),
            "amount": fmt(d.amount, policy.currency),
            "reason": d.reason,
        }
        for d in docs
    ]


@router.post(
    "",
    status_code=201,
    summary="Set up a group policy (and enrol its first members)",
    dependencies=[requires(sc.POLICIES)],
)
async def create_policy(
    body: s.PolicyBody, billing: BillingDep, principal: Caller, actor: ActorDep
) -> JSONResponse:
    if not principal.everywhere:
        account = await billing.ledger.account(body.account_id)
        if account is not None and not principal.sees(account.jurisdiction):
            raise Forbidden(f"{principal.subject} may not bill in {account.jurisdiction}")
    terms, given = products(body.products)
    command = cmd.CreatePolicy(
        policy_id=body.policy_id,
        account_id=body.account_id,
        broker_id=body.broker_id,
        currency="",
        jurisdiction="",
        frequency=body.frequency,
        billing_day=body.billing_day,
        term_start=body.term_start,
        term_end=body.term_end,
        products=terms,
        reason=body.reason,
    )
    enrol = [
        cmd.EnrolMember(
            policy_id=body.policy_id, reason=body.reason or "policy set-up", **m.model_dump()
        )
        for m in body.members
    ]
    changed = await billing.policies.create(command, given, actor, enrol)
    policy = changed.policy
    status = 201 if changed.events else 200
    return JSONResponse(policy_view(policy), status_code=status)


@router.get(
    "/{policy_id}",
    summary="A policy: terms, rates, members, status",
    dependencies=[requires(sc.READ)],
)
async def get_policy(policy_id: PolicyId, billing: BillingDep) -> dict[str, Any]:
    policy, _ = await billing.policies.get(policy_id)
    return policy_view(policy)


@router.get(
    "/{policy_id}/events",
    summary="The policy's change log: every event, who, when, why",
    dependencies=[requires(sc.READ)],
)
async def policy_events(policy_id: PolicyId, billing: BillingDep) -> dict[str, Any]:
    _, recorded = await billing.policies.get(policy_id)
    return {"policy_id": policy_id, "events": change_log(recorded)}


@router.get(
    "/{policy_id}/documents",
    summary="Invoices and notes billed for the policy",
    dependencies=[requires(sc.READ)],
)
async def policy_documents(policy_id: PolicyId, billing: BillingDep) -> dict[str, Any]:
    await billing.policies.get(policy_id)
    return {
        "policy_id": policy_id,
        "documents": await reads.policy_documents(billing.engine, policy_id),
    }


@router.post(
    "/{policy_id}/renewals",
    status_code=201,
    summary="Renew for a new term with new rates",
    dependencies=[requires(sc.POLICIES)],
)
async def renew(
    policy_id: PolicyId, body: s.RenewalBody, billing: BillingDep, actor: ActorDep
) -> dict[str, Any]:
    policy, _ = await billing.policies.get(policy_id)
    terms, given = products(body.products)
    terms = billing.policies.with_tax(terms, given, policy.jurisdiction)
    command = cmd.RenewPolicy(
        policy_id=policy_id,
        term_start=body.term_start,
        term_end=body.term_end,
        products=terms,
        reason=body.reason,
    )
    return policy_view((await billing.policies.change(policy_id, [command], actor)).policy)


@router.post(
    "/{policy_id}/termination",
    status_code=201,
    summary="Terminate the policy; the unearned premium is credited at once",
    dependencies=[requires(sc.POLICIES)],
)
async def terminate(
    policy_id: PolicyId, body: s.TerminationBody, billing: BillingDep, actor: ActorDep
) -> dict[str, Any]:
    command = cmd.TerminatePolicy(
        policy_id=policy_id, terminated_on=body.terminated_on, reason=body.reason
    )
    policy = (await billing.policies.change(policy_id, [command], actor)).policy
    docs = await billing.policies.bill_now(
        policy, actor, f"Policy terminated after {body.terminated_on}: {body.reason}"
    )
    return {**policy_view(policy), "documents": documents_view(policy, docs)}


@router.post(
    "/{policy_id}/revisions",
    status_code=201,
    summary="Revise a billed period's premium: a credit or debit note, never an edited invoice",
    dependencies=[requires(sc.POLICIES)],
)
async def revise(
    policy_id: PolicyId, body: s.RevisionBody, billing: BillingDep, actor: ActorDep
) -> dict[str, Any]:
    command = cmd.RevisePremium(
        policy_id=policy_id,
        revision_id=body.revision_id,
        period_start=body.period_start,
        product=body.product,
        amount=Decimal(body.amount),
        reason=body.reason,
    )
    policy, _ = await billing.policies.get(policy_id)
    await billing.policies.require_invoiced(policy_id, body.period_start)
    policy = (await billing.policies.change(policy_id, [command], actor)).policy
    docs = await billing.policies.bill_now(
        policy, actor, f"Premium revision {body.revision_id}: {body.reason}"
    )
    return {
        "policy_id": policy_id,
        "revision_id": body.revision_id,
        "documents": documents_view(policy, docs),
    }
