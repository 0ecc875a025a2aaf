"""Dunning policies: per jurisdiction and customer segment, a ladder of levels.

Each level is reached at a number of days past due (counted from the earliest unpaid due
date) when at least ``min_overdue`` is overdue, and carries actions. Policies are
validated when loaded; every error names the place in the file and the rule it breaks.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dunning.domain.errors import InvalidAmount
from dunning.domain.money import exponent, to_minor

LANGUAGES = ("en", "zh")


class ActionKind(StrEnum):
    REMINDER = "reminder"
    FINAL_NOTICE = "final_notice"
    FEE = "fee"
    SUSPENSION = "suspension"
    LEGAL_ESCALATION = "legal_escalation"
    WRITE_OFF_RECOMMENDATION = "write_off_recommendation"


NOTICE_ACTIONS = (ActionKind.REMINDER, ActionKind.FINAL_NOTICE, ActionKind.SUSPENSION)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Action(_Strict):
    type: ActionKind
    amount: str | None = Field(default=None, description="the fee, for type fee")
    agency: str | None = Field(default=None, description="who takes the case, for legal")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"type": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _fee_has_amount(self) -> Action:
        if (self.type is ActionKind.FEE) != (self.amount is not None):
            raise ValueError("a fee action needs an amount, and only a fee action has one")
        return self


class Level(_Strict):
    level: Annotated[int, Field(ge=1)]
    name: Annotated[str, StringConstraints(min_length=1)]
    days_past_due: Annotated[int, Field(ge=1)]
    min_overdue: str = "0"
    actions: tuple[Action, ...] = ()

    def has(self, kind: ActionKind) -> bool:
        return any(a.type is kind for a in self.actions)


class Policy(_Strict):
    policy_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._\-]+$")]
    jurisdiction: Annotated[str, StringConstraints(min_length=2, max_length=8)]
    segment: str = "default"
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    language: Literal["en", "zh"] = "en"
    promise_grace_days: Annotated[int, Field(ge=0, le=90)] = 3
    plan_grace_days: Annotated[int, Field(ge=0, le=90)] = 3
    credit_block_level: Annotated[int, Field(ge=1)] | None = None
    levels: Annotated[tuple[Level, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _ladder(self) -> Policy:
        try:
            self._check_ladder()
        except InvalidAmount as e:
            raise ValueError(e.detail) from None
        return self

    def _check_ladder(self) -> None:
        exponent(self.currency)
        for i, lvl in enumerate(self.levels):
            where = f"levels[{i}]"
            if lvl.level != i + 1:
                raise ValueError(
                    f"{where}.level: levels are numbered 1, 2, 3 … in order; "
                    f"expected {i + 1}, got {lvl.level}"
                )
            if i and lvl.days_past_due <= self.levels[i - 1].days_past_due:
                raise ValueError(
                    f"{where}.days_past_due: must be greater than level {i}'s "
                    f"({self.levels[i - 1].days_past_due})"
                )
            if to_minor(lvl.min_overdue, self.currency, field=f"{where}.min_overdue") < 0:
                raise ValueError(f"{where}.min_overdue: must not be negative")
            for j, action in enumerate(lvl.actions):
                if action.amount is not None:
                    fee = to_minor(
                        action.amount, self.currency, field=f"{where}.actions[{j}].amount"
                    )
                    if fee <= 0:
                        raise ValueError(f"{where}.actions[{j}].amount: a fee must be positive")
        if self.credit_block_level is not None and self.credit_block_level > len(self.levels):
            raise ValueError(f"credit_block_level: there is no level {self.credit_block_level}")

    def level(self, number: int) -> Level | None:
        return self.levels[number - 1] if 1 <= number <= len(self.levels) else None

    def min_overdue(self, lvl: Level) -> int:
        return to_minor(lvl.min_overdue, self.currency)

    def fee(self, action: Action) -> int:
        return to_minor(action.amount or "0", self.currency)

    @property
    def suspension_level(self) -> Level | None:
        return next((lv for lv in self.levels if lv.has(ActionKind.SUSPENSION)), None)


class PolicySet(_Strict):
    policies: Annotated[tuple[Policy, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> PolicySet:
        seen: dict[tuple[str, str], str] = {}
        ids: set[str] = set()
        for i, p in enumerate(self.policies):
            key = (p.jurisdiction, p.segment)
            if key in seen:
                raise ValueError(
                    f"policies[{i}]: jurisdiction {p.jurisdiction} segment "
                    f"{p.segment} is already covered by {seen[key]}"
                )
            if p.policy_id in ids:
                raise ValueError(f"policies[{i}].policy_id: {p.policy_id} is used twice")
            seen[key] = p.policy_id
            ids.add(p.policy_id)
        return self

    def select(self, jurisdiction: str, segment: str | None, currency: str) -> Policy | None:
        """The policy of a jurisdiction and segment (falling back to segment ``default``)."""
        for seg in (segment or "default", "default"):
            for p in self.policies:
                if p.jurisdiction == jurisdiction and p.segment == seg and p.currency == currency:
                    return p
        return None
