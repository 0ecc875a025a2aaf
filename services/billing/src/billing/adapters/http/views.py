"""JSON views of policies and their change log."""

from __future__ import annotations

from typing import Any

from billing.application.ports import Recorded
from billing.domain.money import fmt
from billing.domain.state import Policy, decimal_rate


def policy_view(policy: Policy) -> dict[str, Any]:
    c = policy.currency
    return {
        "policy_id": policy.policy_id,
        "account_id": policy.account_id,
        "broker_id": policy.broker_id,
        "currency": c,
        "jurisdiction": policy.jurisdiction,
        "frequency": policy.frequency.value,
        "billing_day": policy.billing_day,
        "status": policy.status,
        "terminated_on": policy.terminated_on.isoformat() if policy.terminated_on else None,
        "version": policy.version,
        "terms": [
            {
                "term_no": t.number,
                "start": t.start.isoformat(),
                "end": t.end.isoformat(),
                "products": [
                    {
                        "product": p.code,
                        "description": p.description,
                        "tax_label": p.tax_label,
                        "tax_rate": str(decimal_rate(p.tax_rate)),
                        "rates": [
                            {"tier": tier, "annual_premium": fmt(v, c)}
                            for tier, v in sorted(p.rates.items())
                        ],
                    }
                    for p in t.products
                ],
            }
            for t in policy.terms
        ],
        "members": [
            {
                "member_id": m.member_id,
                "name": m.name,
                "tier": m.spans[-1].tier,
                "start": m.start.isoformat(),
                "end": m.end.isoformat() if m.end else None,
                "cover": [
                    {
                        "tier": s.tier,
                        "start": s.start.isoformat(),
                        "end": s.end.isoformat() if s.end else None,
                    }
                    for s in m.spans
                ],
            }
            for m in sorted(policy.members.values(), key=lambda m: m.member_id)
        ],
    }


def change_log(recorded: list[Recorded]) -> list[dict[str, Any]]:
    return [
        {
            "version": r.version,
            "type": r.event.event_type(),
            "actor": r.actor,
            "recorded_at": r.recorded_at.isoformat(),
            "data": r.event.model_dump(mode="json", exclude={"policy_id"}),
        }
        for r in recorded
    ]
