"""What a level does when the account reaches it, and which cover is suspended.

Pure: each function returns the events to emit; :mod:`dunning.domain.decide` calls them.
Suspension is scoped to the unpaid cover: only insurance policies with an item overdue
by at least the suspension level's days are suspended, and each is reinstated as soon
as it has no such item left (paid, credited, written off or disputed).
"""

from __future__ import annotations

from datetime import date

from dunning.domain import events as ev
from dunning.domain.aging import Overdue, item_days_past_due
from dunning.domain.money import format_minor
from dunning.domain.policies import Action, ActionKind, Level, Policy
from dunning.domain.receivables import Receivables
from dunning.domain.state import Contact, DunningState, Emitted, stable_id


def fee_adjustment_id(account_id: str, episode: int, level: int) -> str:
    """The ledger adjustment id of a fee: the same fee always posts under the same id."""
    return f"dunning-fee-{stable_id(account_id, episode, level)}"


def level_actions(
    s: DunningState,
    lvl: Level,
    policy: Policy,
    od: Overdue,
    currency: str,
    contact: Contact,
) -> list[Emitted]:
    out: list[Emitted] = []
    key = f"e{s.episode}/L{lvl.level}"
    common = {"account_id": s.account_id, "occurred_on": od.as_of}
    amount = format_minor(od.amount, currency)
    invoice_ids = tuple(i.item_id for i in od.items)
    for action in lvl.actions:
        if action.type in (ActionKind.REMINDER, ActionKind.FINAL_NOTICE):
            out.append(Emitted.of(_notice(s, lvl, action, policy, od, currency, contact), key))
        elif action.type is ActionKind.FEE:
            fee = ev.FeeCharged(
                **common,
                level=lvl.level,
                adjustment_id=fee_adjustment_id(s.account_id, s.episode, lvl.level),
                amount=format_minor(policy.fee(action), currency),
                currency=currency,
            )
            out.append(Emitted.of(fee, key))
        elif action.type is ActionKind.LEGAL_ESCALATION:
            legal = ev.EscalatedToLegal(
                **common,
                level=lvl.level,
                agency=action.agency,
                overdue_amount=amount,
                currency=currency,
                invoice_ids=invoice_ids,
            )
            out.append(Emitted.of(legal, key))
        elif action.type is ActionKind.WRITE_OFF_RECOMMENDATION:
            rec = ev.WriteOffRecommended(
                **common,
                level=lvl.level,
                overdue_amount=amount,
                currency=currency,
                invoice_ids=invoice_ids,
            )
            out.append(Emitted.of(rec, key))
        # SUSPENSION: see suspensions(), which also keeps the suspended set current
    return out


def _notice(
    s: DunningState,
    lvl: Level,
    action: Action,
    policy: Policy,
    od: Overdue,
    currency: str,
    contact: Contact,
) -> ev.DunningEvent:
    cls = ev.ReminderSent if action.type is ActionKind.REMINDER else ev.FinalNoticeSent
    return cls(
        account_id=s.account_id,
        occurred_on=od.as_of,
        notice_id=f"notice-{stable_id(s.account_id, s.episode, lvl.level, action.type)}",
        level=lvl.level,
        language=contact.language or policy.language,
        recipient=contact.email,
        overdue_amount=format_minor(od.amount, currency),
        currency=currency,
        invoices=tuple(
            ev.OverdueInvoice(
                invoice_id=i.item_id,
                due_date=i.due_date,
                days_past_due=item_days_past_due(i, od.as_of),
                open_amount=format_minor(i.open_amount, currency),
            )
            for i in od.items
        ),
    )


def overdue_cover(rec: Receivables, as_of: date, min_days: int) -> dict[str, list[str]]:
    """Insurance policy id -> its undisputed items overdue by at least ``min_days``."""
    cover: dict[str, list[str]] = {}
    for item in rec.open_items():
        if item.disputed or item_days_past_due(item, as_of) < min_days:
            continue
        for policy_id in item.policies:
            cover.setdefault(policy_id, []).append(item.item_id)
    return cover


def suspensions(
    s: DunningState,
    rec: Receivables,
    policy: Policy,
    as_of: date,
    *,
    may_suspend: bool,
    may_reinstate: bool = True,
) -> list[Emitted]:
    """Reinstate cover that is paid; suspend newly overdue cover when at the level."""
    lvl = policy.suspension_level
    cover = overdue_cover(rec, as_of, lvl.days_past_due if lvl else 0) if lvl else {}
    out: list[Emitted] = []
    for policy_id in sorted(set(s.suspended) - set(cover) if may_reinstate else ()):
        del s.suspended[policy_id]
        event = ev.ServiceReinstated(
            account_id=s.account_id,
            occurred_on=as_of,
            policy_id=policy_id,
            reason="overdue invoices settled",
        )
        out.append(Emitted.of(event, f"{policy_id}/{as_of}"))
    if lvl is None or not may_suspend or s.level < lvl.level:
        return out
    for policy_id in sorted(set(cover) - set(s.suspended)):
        s.suspended[policy_id] = as_of
        suspended = ev.ServiceSuspended(
            account_id=s.account_id,
            occurred_on=as_of,
            policy_id=policy_id,
            level=s.level,
            invoice_ids=tuple(sorted(cover[policy_id])),
        )
        out.append(Emitted.of(suspended, f"{policy_id}/{as_of}"))
    return out
