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
from servicekit.auth import Actor as ActorDep
from servicekit.auth import Caller
from servicekit.auth import require_everywhere as everywhere


def get_billing(request: Request) -> Billing:
    billing: Billing = request.app.state.billing
    return billing


BillingDep = Annotated[Billing, Depends(get_billing)]


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

__all__ = ["ActorDep", "BillingDep", "Caller", "PolicyId", "everywhere", "get_billing"]
