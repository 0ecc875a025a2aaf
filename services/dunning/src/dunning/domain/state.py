"""Dunning's own state of an account: level, episode, pauses, suspended cover.

Held as one document per account beside the receivables projection. Money is in minor
units of the account's currency.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict

from dunning.domain.events import DunningEvent

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:receivables:dunning")

Status = Literal["open", "kept", "broken", "completed"]


class Promise(BaseModel):
    promise_id: str
    amount: int
    promised_date: date
    made_on: date
    note: str | None = None
    status: Status = "open"
    resolved_on: date | None = None


class PlanInstallment(BaseModel):
    due_date: date
    amount: int


class Plan(BaseModel):
    plan_id: str
    installments: list[PlanInstallment]
    agreed_on: date
    note: str | None = None
    status: Status = "open"
    resolved_on: date | None = None
    missed_due_date: date | None = None


class Contact(BaseModel):
    """Where and how notices reach the customer."""

    model_config = ConfigDict(frozen=True)

    email: str | None = None
    language: str | None = None
    segment: str | None = None


class DunningState(BaseModel):
    account_id: str
    level: int = 0
    level_since: date | None = None
    in_episode: bool = False
    episode: int = 0
    actioned: list[int] = []
    suspended: dict[str, date] = {}
    promises: dict[str, Promise] = {}
    plans: dict[str, Plan] = {}
    evaluated_on: date | None = None
    last_run_on: date | None = None  # the latest business date a dunning run evaluated
    days_past_due: int = 0
    overdue: int = 0
    policy_id: str | None = None

    @property
    def paused(self) -> bool:
        return any(p.status == "open" for p in self.promises.values()) or any(
            p.status == "open" for p in self.plans.values()
        )


class Emitted(BaseModel):
    """An event this service decided on, with its deterministic id.

    The id derives from the account and the decision (episode, level, action …), so
    deciding the same thing twice yields the same id and the outbox keeps one copy.
    """

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    event: DunningEvent

    @classmethod
    def of(cls, event: DunningEvent, key: str) -> Emitted:
        name = f"{event.account_id}/{event.event_type()}/{key}"
        return cls(event_id=uuid5(_NAMESPACE, name), event=event)


def stable_id(*parts: object) -> str:
    """A short deterministic id (for notices and fee adjustments) from its parts."""
    return uuid5(_NAMESPACE, "/".join(map(str, parts))).hex[:20]
