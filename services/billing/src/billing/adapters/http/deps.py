"""FastAPI dependencies: the composition root's objects, handed to routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from billing.bootstrap import Billing


def get_billing(request: Request) -> Billing:
    billing: Billing = request.app.state.billing
    return billing


BillingDep = Annotated[Billing, Depends(get_billing)]


def actor_or_default(
    billing: BillingDep,
    x_actor: Annotated[str | None, Header(description="who acts (staff id)", max_length=64)] = None,
) -> str:
    return x_actor or billing.settings.default_actor


ActorDep = Annotated[str, Depends(actor_or_default)]
