"""Mandate commands: load the mandate's events, decide, append with the new state.

``visible(jurisdiction)`` says whether the caller may see an object of that jurisdiction;
an account or mandate the caller may not see is answered as not found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cash.application.debit_ports import DebitStore, DebitUnitOfWork
from cash.application.ports import Clock
from cash.domain.errors import Conflict, InvalidMandate, NotFound
from cash.domain.mandates import (
    AmendMandate,
    CancelMandate,
    Command,
    Details,
    Mandate,
    RegisterMandate,
    decide,
    evolve,
    fold,
)
from servicekit.transient import retried

Visible = Callable[[str], bool]


@dataclass(frozen=True)
class Outcome:
    mandate: Mandate
    replayed: bool  # nothing changed: the command had been carried out before


@dataclass
class Mandates:
    uow: DebitUnitOfWork
    clock: Clock

    @retried
    async def register(
        self,
        mandate_id: str,
        account_id: str,
        signed_on: date,
        details: Details,
        *,
        actor: str,
        reason: str,
        visible: Visible,
    ) -> Outcome:
        async with self.uow() as store:
            acc = await store.account(account_id)
            if acc is None or not visible(acc.jurisdiction):
                raise InvalidMandate(f"no account {account_id}", field="account_id")
            command = RegisterMandate(
                mandate_id,
                account_id,
                acc.currency,
                acc.jurisdiction,
                signed_on,
                details,
                actor,
                reason,
                self.clock.now(),
            )
            return await self._handle(store, command, visible)

    @retried
    async def amend(
        self,
        mandate_id: str,
        changes: dict[str, str | None],
        *,
        actor: str,
        reason: str,
        visible: Visible,
    ) -> Outcome:
        command = AmendMandate(mandate_id, changes, actor, reason, self.clock.now())
        async with self.uow() as store:
            return await self._handle(store, command, visible)

    @retried
    async def cancel(
        self, mandate_id: str, *, actor: str, reason: str, visible: Visible
    ) -> Outcome:
        command = CancelMandate(mandate_id, actor, reason, self.clock.now())
        async with self.uow() as store:
            return await self._handle(store, command, visible)

    async def _handle(self, s: DebitStore, command: Command, visible: Visible) -> Outcome:
        state = fold(await s.events(command.mandate_id))
        if state is not None and not visible(state.jurisdiction):
            raise NotFound(f"no mandate {command.mandate_id}", field="mandate_id")
        if state is None and not isinstance(command, RegisterMandate):
            raise NotFound(f"no mandate {command.mandate_id}", field="mandate_id")
        events = decide(command, state)
        if not events:
            assert state is not None
            return Outcome(state, True)
        if isinstance(command, RegisterMandate):
            active = await s.active_for(command.account_id)
            if active is not None:
                raise Conflict(
                    f"account {command.account_id} already has the active mandate "
                    f"{active.mandate_id}: amend it, or cancel it first",
                    field="account_id",
                )
        new = state
        for event in events:
            new = evolve(new, event)
        assert new is not None
        await s.append(new, events)
        return Outcome(new, False)
