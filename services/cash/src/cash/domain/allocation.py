"""Which order the ledger allocates money in when cash names no invoices.

The ledger knows three orders (its ``AllocationOrder``) and records the one used in the
``PaymentReceived`` event: ``oldest_due_first``; ``fees_first`` (debit notes -- dunning
fees, interest charges -- before premium invoices, each oldest due first); ``by_policy``
(one policy's items first, then the rest). The first two are configured per jurisdiction
and, within one, per customer segment (``{"SG": "fees_first", "SG/corporate":
"oldest_due_first"}``); ``by_policy`` needs the policy, so a clerk names it on the match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

OLDEST_DUE_FIRST = "oldest_due_first"
FEES_FIRST = "fees_first"
BY_POLICY = "by_policy"
CONFIGURABLE = (OLDEST_DUE_FIRST, FEES_FIRST)
KEY = re.compile(r"(?P<jurisdiction>[A-Z]{2,8})(/(?P<segment>[A-Za-z0-9._\-]{1,64}))?")


@dataclass(frozen=True)
class AllocationOrders:
    """``orders``: ``"SG"`` (a jurisdiction) or ``"SG/corporate"`` (a segment of one) ->
    order. Anything else, or an order the ledger does not know, is refused."""

    orders: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, order in self.orders.items():
            if not KEY.fullmatch(key):
                raise ValueError(
                    f"{key!r} is neither a jurisdiction (SG) nor one's segment (SG/corporate)"
                )
            if order not in CONFIGURABLE:
                raise ValueError(f"{key}: {order!r} is not {' or '.join(CONFIGURABLE)}")

    def order_for(self, jurisdiction: str, segment: str | None) -> str:
        """The segment's order, else the jurisdiction's, else oldest due first."""
        if segment and f"{jurisdiction}/{segment}" in self.orders:
            return self.orders[f"{jurisdiction}/{segment}"]
        return self.orders.get(jurisdiction, OLDEST_DUE_FIRST)


def allocation(order: str, policy_id: str | None) -> dict[str, str]:
    """The ledger's allocation options of a payment naming no invoices: the configured
    ``order``, or its ``policy_id``'s items first when one is named."""
    if policy_id:
        return {"allocation_order": BY_POLICY, "policy_id": policy_id}
    return {"allocation_order": order}
