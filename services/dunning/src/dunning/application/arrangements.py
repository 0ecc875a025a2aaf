"""Collectors' commands on an account: promises, payment plans, contacts, profile.

Each is idempotent by the client's id: the same id with the same content replays, with
different content is an :class:`IdempotencyConflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dunning.application.ports import UnitOfWork, UnitOfWorkFactory
from dunning.application.recording import record
from dunning.domain import events as ev
from dunning.domain.arrangements import check_promise_fits, new_plan, new_promise
from dunning.domain.decide import Decision, add_plan, add_promise
from dunning.domain.errors import IdempotencyConflict, NotFound
from dunning.domain.money import to_minor
from dunning.domain.policies import Policy, PolicySet
from dunning.domain.receivables import Receivables
from dunning.domain.state import Contact, DunningState, Emitted, Plan, Promise
from servicekit.transient import retried


@dataclass
class Loaded:
    rec: Receivables
    state: DunningState
    contact: Contact
    policy: Policy | None


async def load(
    tx: UnitOfWork, policies: PolicySet, account_id: str, *, lock: bool = False
) -> Loaded:
    rec = await tx.accounts.load_receivables(account_id, lock=lock)
    state = await tx.accounts.load_state(account_id, lock=lock)
    if rec is None or state is None:
        raise NotFound(f"account {account_id} is not known to dunning (yet)", field="account_id")
    contact = await tx.credit.get_profile(account_id)
    return Loaded(
        rec, state, contact, policies.select(rec.jurisdiction, contact.segment, rec.currency)
    )


def _need_policy(acc: Loaded) -> Policy:
    if acc.policy is None:
        raise NotFound(
            f"no dunning policy covers jurisdiction {acc.rec.jurisdiction} "
            f"and currency {acc.rec.currency}",
            field="account_id",
        )
    return acc.policy


@retried
async def make_promise(
    uow: UnitOfWorkFactory,
    policies: PolicySet,
    account_id: str,
    *,
    promise_id: str,
    amount: str,
    promised_date: date,
    made_on: date,
    note: str | None,
) -> tuple[Promise, bool, str]:
    """Record a promise to pay; (promise, created, the account's currency) — created is
    False on a replay."""
    async with uow() as tx:
        acc = await load(tx, policies, account_id, lock=True)
        policy = _need_policy(acc)
        minor = to_minor(amount, acc.rec.currency)
        existing = acc.state.promises.get(promise_id)
        if existing is not None:
            same = (existing.amount, existing.promised_date, existing.note) == (
                minor,
                promised_date,
                note,
            )
            if not same:
                raise IdempotencyConflict(
                    f"promise {promise_id} exists with different content", field="promise_id"
                )
            return existing, False, acc.rec.currency
        promise = new_promise(promise_id, minor, promised_date, made_on, note)
        open_ids = [p.promise_id for p in acc.state.promises.values() if p.status == "open"]
        check_promise_fits(promise_id, minor, open_ids, acc.rec.balance, acc.rec.currency)
        await record(tx, add_promise(acc.state, promise, policy, acc.rec.currency), acc.rec)
        return promise, True, acc.rec.currency


@retried
async def make_plan(
    uow: UnitOfWorkFactory,
    policies: PolicySet,
    account_id: str,
    *,
    plan_id: str,
    installments: list[tuple[date, str]],
    agreed_on: date,
    note: str | None,
) -> tuple[Plan, bool, str]:
    """Agree a payment plan; (plan, created, the account's currency) as ``make_promise``."""
    async with uow() as tx:
        acc = await load(tx, policies, account_id, lock=True)
        _need_policy(acc)
        minor = [
            (d, to_minor(a, acc.rec.currency, field=f"installments[{i}].amount"))
            for i, (d, a) in enumerate(installments)
        ]
        existing = acc.state.plans.get(plan_id)
        if existing is not None:
            if [(i.due_date, i.amount) for i in existing.installments] != minor or (
                existing.note != note
            ):
                raise IdempotencyConflict(
                    f"plan {plan_id} exists with different content", field="plan_id"
                )
            return existing, False, acc.rec.currency
        plan = new_plan(plan_id, minor, agreed_on, note)
        await record(tx, add_plan(acc.state, plan, acc.rec.currency), acc.rec)
        return plan, True, acc.rec.currency


@retried
async def log_contact(
    uow: UnitOfWorkFactory,
    policies: PolicySet,
    account_id: str,
    *,
    contact_id: str,
    channel: str,
    outcome: str,
    note: str | None,
    on: date,
    actor: str,
) -> bool:
    """Record a call, e-mail or letter; False when this contact id was logged already."""
    async with uow() as tx:
        acc = await load(tx, policies, account_id, lock=True)
        existing = await tx.credit.get_contact(account_id, contact_id)
        if existing is not None:
            if (existing["channel"], existing["outcome"], existing["note"]) != (
                channel,
                outcome,
                note,
            ):
                raise IdempotencyConflict(
                    f"contact {contact_id} exists with different content", field="contact_id"
                )
            return False
        await tx.credit.add_contact(
            {
                "account_id": account_id,
                "contact_id": contact_id,
                "channel": channel,
                "outcome": outcome,
                "note": note,
                "contacted_on": on,
                "actor": actor,
            },
        )
        event = ev.ContactLogged(
            account_id=account_id,
            occurred_on=on,
            contact_id=contact_id,
            channel=channel,
            outcome=outcome,
            note=note,
        )
        await record(tx, Decision(acc.state, [Emitted.of(event, contact_id)]), acc.rec)
        return True


@retried
async def put_profile(uow: UnitOfWorkFactory, account_id: str, contact: Contact) -> None:
    async with uow() as tx:
        await tx.credit.put_profile(account_id, contact)
