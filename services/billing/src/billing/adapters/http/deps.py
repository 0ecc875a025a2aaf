"""FastAPI dependencies: the composition root's objects, who acts, what they may see.

A caller limited to some jurisdictions sees only policies of those: any other answers 404
(as a policy that does not exist).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from billing.adapters.http import schemas as s
from billing.bootstrap import Billing
from billing.domain import errors as err
from servicekit.auth import Forbidden, Principal, current_principal


def get_billing(request: Request) -> Billing:
    billing: Billing = request.app.state.billing
    return billing


BillingDep = Annotated[Billing, Depends(get_billing)]
Caller = Annotated[Principal, Depends(current_principal)]


def actor_of(principal: Caller) -> str:
    """Who acts: the authenticated subject (or a trusted service's user, as such)."""
    return principal.actor


ActorDep = Annotated[str, Depends(actor_of)]


async def visible_policy(
    billing: BillingDep,
    principal: Caller,
    policy_id: Annotated[str, Path(max_length=40, pattern=s.ID)],
) -> str:
    """The path's policy, if the caller may see it."""
    if not principal.everywhere:
        policy, _ = await billing.policies.get(policy_id)
        if not principal.sees(policy.jurisdiction):
            raise err.NotFound(f"no policy {policy_id}", field="policy_id")
    return policy_id


PolicyId = Annotated[str, Depends(visible_policy)]


def everywhere(principal: Principal, what: str) -> None:
    if not principal.everywhere:
        raise Forbidden(f"{what} spans every jurisdiction; {principal.subject} is limited")
