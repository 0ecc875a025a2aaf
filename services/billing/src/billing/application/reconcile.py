"""Premium reconciliation: the client's member list for a period against what was billed.

Per member: on the list but not billed, billed but not on the list, in another tier, or
billed another premium for the period than the list says (when it has a premium column).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from billing.application.members import Row
from billing.domain import errors as err
from billing.domain.documents import Billed
from billing.domain.money import fmt, to_minor
from billing.domain.state import Policy

COLUMNS = (
    "member_id",
    "issue",
    "listed_tier",
    "billed_tier",
    "listed_premium",
    "billed_premium",
    "difference",
)


def reconcile(
    policy: Policy, billed: Billed, period_start: date, rows: list[Row]
) -> dict[str, Any]:
    if period_start not in billed.invoices:
        raise err.NotFound(f"no invoiced period starts on {period_start}", field="period_start")
    c = policy.currency
    amounts: dict[str, int] = defaultdict(int)
    tiers: dict[str, set[str]] = defaultdict(set)
    for key, amount in billed.amounts.get(period_start, {}).items():
        if key.kind == "premium":
            amounts[key.member_id] += amount
            if amount:
                tiers[key.member_id].add(key.tier)
    billed_members = {m for m, v in amounts.items() if v}
    listed = {r.member_id: r for r in rows}
    issues: list[dict[str, Any]] = []
    for member_id in sorted(billed_members | listed.keys()):
        row, got = listed.get(member_id), amounts.get(member_id, 0)
        billed_tier = ",".join(sorted(tiers.get(member_id, ())))
        entry = {
            "member_id": member_id,
            "listed_tier": row.tier if row else None,
            "billed_tier": billed_tier or None,
            "listed_premium": str(row.premium) if row and row.premium is not None else None,
            "billed_premium": fmt(got, c) if member_id in billed_members else None,
        }
        if row is None:
            issues.append({**entry, "issue": "billed_not_listed", "difference": fmt(-got, c)})
            continue
        if member_id not in billed_members:
            issues.append({**entry, "issue": "listed_not_billed", "difference": None})
            continue
        if row.tier not in tiers[member_id]:
            issues.append({**entry, "issue": "tier_differs", "difference": None})
        if row.premium is not None:
            expected = to_minor(row.premium, c, field="premium")
            if expected != got:
                issues.append(
                    {**entry, "issue": "premium_differs", "difference": fmt(expected - got, c)}
                )
    return {
        "policy_id": policy.policy_id,
        "currency": c,
        "period_start": period_start.isoformat(),
        "invoice_id": billed.invoices[period_start][0],
        "billed_members": len(billed_members),
        "listed_members": len(listed),
        "billed_premium": fmt(sum(amounts.values()), c),
        "discrepancies": issues,
    }
