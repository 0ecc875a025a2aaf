"""Credit control: the blacklist and the credit check for policy systems."""

from __future__ import annotations

from datetime import date

from dunning.application.ports import UnitOfWork, UnitOfWorkFactory
from dunning.domain import events as ev
from dunning.domain.credit import BlacklistEntry, CreditCheck, credit_check
from dunning.domain.errors import InvalidAmount, NotFound, RuleViolation
from dunning.domain.money import to_minor
from dunning.domain.policies import PolicySet
from dunning.domain.state import Emitted
from servicekit.transient import retried


async def _emit(tx: UnitOfWork, account_id: str, emitted: Emitted) -> None:
    await tx.accounts.load_state(account_id, lock=True)  # serialises the stream versions
    await tx.accounts.append_events(account_id, [emitted])


@retried
async def blacklist_add(uow: UnitOfWorkFactory, entry: BlacklistEntry) -> None:
    if entry.expires_on is not None and entry.expires_on <= entry.added_on:
        raise RuleViolation(
            f"expires_on {entry.expires_on} is not after today ({entry.added_on})",
            field="expires_on",
        )
    async with uow() as tx:
        await tx.credit.put_blacklist(entry)
        event = ev.AccountBlacklisted(
            account_id=entry.account_id,
            occurred_on=entry.added_on,
            reason=entry.reason,
            jurisdiction=entry.jurisdiction,
            added_by=entry.added_by,
            expires_on=entry.expires_on,
        )
        key = f"{entry.added_on}/{entry.reason}/{entry.jurisdiction}/{entry.expires_on}"
        await _emit(tx, entry.account_id, Emitted.of(event, key))


@retried
async def blacklist_remove(uow: UnitOfWorkFactory, account_id: str, by: str, on: date) -> None:
    async with uow() as tx:
        if not await tx.credit.remove_blacklist(account_id):
            raise NotFound(f"account {account_id} is not on the blacklist", field="account_id")
        event = ev.BlacklistEntryRemoved(account_id=account_id, occurred_on=on, removed_by=by)
        await _emit(tx, account_id, Emitted.of(event, f"{on}/{by}"))


async def check(
    uow: UnitOfWorkFactory, policies: PolicySet, account_id: str, amount: str | None, today: date
) -> tuple[CreditCheck, int, str]:
    """The check of taking on ``amount`` more (None: the account as it stands), that amount
    in minor units and the account's currency. An amount given is more than zero."""
    async with uow.read() as tx:
        rec = await tx.accounts.load_receivables(account_id)
        state = await tx.accounts.load_state(account_id)
        if rec is None or state is None:
            raise NotFound(f"account {account_id} is not known to dunning", field="account_id")
        contact = await tx.credit.get_profile(account_id)
        entry = await tx.credit.get_blacklist(account_id)
    minor = 0 if amount is None else to_minor(amount, rec.currency)
    if amount is not None and minor <= 0:
        raise InvalidAmount(
            f"amount: {amount} is nothing to take on; give more than zero, or leave the amount "
            "out to check the account as it stands",
            field="amount",
        )
    policy = policies.select(rec.jurisdiction, contact.segment, rec.currency)
    result = credit_check(
        balance=rec.balance,
        credit_limit=rec.credit_limit,
        currency=rec.currency,
        amount=minor,
        today=today,
        blacklist=entry,
        level=state.level,
        block_level=policy.credit_block_level if policy else None,
    )
    return result, minor, rec.currency
