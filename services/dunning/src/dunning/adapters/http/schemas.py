"""Request bodies. Amounts are decimal strings ("1250.00"); a JSON number is refused."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from servicekit.types import Day, Jurisdiction

_DECIMAL = re.compile(r"^\d{1,15}(\.\d{1,6})?$")


def _decimal_string(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "decimal_string", 'amounts are decimal strings such as "1250.00", not JSON numbers'
        )
    if not _DECIMAL.match(value):
        raise PydanticCustomError(
            "decimal_string", 'not a positive decimal amount; write it like "1250.00"'
        )
    return value


Money = Annotated[
    str,
    BeforeValidator(_decimal_string),
    Field(json_schema_extra={"pattern": _DECIMAL.pattern, "examples": ["1250.00"]}),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
Note = Annotated[str, StringConstraints(max_length=2000, strip_whitespace=True)] | None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PromiseBody(Body):
    promise_id: Id
    amount: Money
    promised_date: Day
    made_on: Day | None = Field(default=None, description="default: today")
    note: Note = None


class InstallmentBody(Body):
    due_date: Day
    amount: Money


class PlanBody(Body):
    plan_id: Id
    installments: Annotated[list[InstallmentBody], Field(min_length=1, max_length=120)]
    agreed_on: Day | None = Field(default=None, description="default: today")
    note: Note = None


class ContactBody(Body):
    contact_id: Id
    channel: Literal["call", "email", "letter", "sms", "visit", "other"]
    outcome: Text
    note: Note = None
    contacted_on: Day | None = None


class ProfileBody(Body):
    email: (
        Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)] | None
    ) = None
    language: Literal["en", "zh"] | None = None
    segment: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None


class BlacklistBody(Body):
    account_id: Id
    reason: Text
    jurisdiction: Jurisdiction
    expires_on: Day | None = None


class RunBody(Body):
    as_of: Day
