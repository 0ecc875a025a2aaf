"""Request bodies of billing's HTTP API. Amounts are decimal strings; a JSON number is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from billing.domain.calendar import Frequency
from servicekit.types import Day

AMOUNT = r"^\d{1,13}(\.\d{1,6})?$"
SIGNED = r"^-?\d{1,13}(\.\d{1,6})?$"
RATE = r"^0(\.\d{1,6})?$"
ID = r"^[A-Za-z0-9._:\-]+$"
FORMATS = {
    AMOUNT: 'a decimal amount such as "1200.00" (a string)',
    SIGNED: 'a decimal amount such as "-150.00" (a string)',
    RATE: 'a fraction below 1 such as "0.09" (a string)',
    ID: "an id of letters, digits and . _ : -",
}

Amount = Annotated[str, StringConstraints(pattern=AMOUNT)]
Signed = Annotated[str, StringConstraints(pattern=SIGNED)]
PolicyId = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=ID)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ID)]
Tier = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^(\*|[A-Za-z0-9._\-]+)$")
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateBody(Body):
    tier: Tier = Field(description='a plan tier, or "*" for every member whatever the tier')
    annual_premium: Amount


class ProductBody(Body):
    product: Id = Field(examples=["group_medical"])
    description: Text
    rates: Annotated[list[RateBody], Field(min_length=1, max_length=50)]
    tax_rate: Annotated[str, StringConstraints(pattern=RATE)] | None = Field(
        None, description="unset: the jurisdiction's rate for the product (BILLING_TAX_RATES)"
    )
    tax_label: Annotated[str, StringConstraints(min_length=1, max_length=16)] = "GST"


class MemberBody(Body):
    member_id: Id
    name: Text
    tier: Tier
    start: Day
    end: Day | None = None


class PolicyBody(Body):
    policy_id: PolicyId
    account_id: Id = Field(description="the ledger account billed; its currency is the policy's")
    broker_id: Id | None = None
    frequency: Frequency
    billing_day: Annotated[int, Field(ge=1, le=31)] | None = Field(
        None, description="day of the month periods start (default: the term start's)"
    )
    term_start: Day
    term_end: Day | None = Field(None, description="default: one year after term_start")
    products: Annotated[list[ProductBody], Field(min_length=1, max_length=20)]
    members: Annotated[list[MemberBody], Field(max_length=10_000)] = []
    reason: Reason | None = None


class MembersBody(Body):
    members: Annotated[list[MemberBody], Field(min_length=1, max_length=10_000)]
    reason: Reason


class TierChangeBody(Body):
    tier: Tier
    changed_on: Day
    reason: Reason


class MemberTerminationBody(Body):
    end: Day = Field(description="the last day of cover")
    reason: Reason


class RenewalBody(Body):
    term_start: Day | None = Field(
        None, description="default and only choice: the day after the term"
    )
    term_end: Day | None = None
    products: Annotated[list[ProductBody], Field(min_length=1, max_length=20)]
    reason: Reason


class TerminationBody(Body):
    terminated_on: Day = Field(description="the last day of cover")
    reason: Reason


class RevisionBody(Body):
    revision_id: Id
    period_start: Day
    product: Id
    amount: Signed = Field(description="positive: debit note; negative: credit note")
    reason: Reason


class RunBody(Body):
    as_of: Day


def decimal(value: str) -> Decimal:
    return Decimal(value)
