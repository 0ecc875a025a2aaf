"""Request bodies. Amounts and rates are decimal strings; a JSON number is refused."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from commission.domain.bank import BankDetails
from commission.domain.settlement import PERIOD_PATTERN
from servicekit.types import Day, Jurisdiction

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
Rate = Annotated[StrictStr, Field(examples=["0.15"], description="decimal string, 0..1")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BankIn(Body):
    account_holder: Annotated[str, Field(min_length=1, max_length=140)]
    country: Annotated[str, Field(min_length=2, max_length=2, examples=["SG"])]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["SGD"])]
    iban: str | None = None
    bic: str | None = None
    account_number: str | None = None
    bank_code: str | None = None
    branch_code: str | None = None

    def details(self) -> BankDetails:
        return BankDetails(**self.model_dump())


class BrokerIn(Body):
    broker_id: Id
    name: Annotated[str, Field(min_length=1, max_length=200)]
    jurisdiction: Jurisdiction
    tax_id: str | None = None
    contact_email: str | None = None
    bank: BankIn


class BankChangeIn(Body):
    change_id: Id
    bank: BankIn


class DecisionIn(Body):
    note: str | None = None


class RateIn(Body):
    product: Annotated[str, Field(min_length=1, max_length=64, description='"*": any product')]
    first_year_rate: Rate
    renewal_rate: Rate


class AgreementIn(Body):
    agreement_id: Id
    effective_from: Day
    basis: Literal["collection", "billing"] = "collection"
    rates: Annotated[list[RateIn], Field(min_length=1)]


class SettlementIn(Body):
    period: Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2026-11"])]


class PaidIn(Body):
    reference: Annotated[str, Field(min_length=1, max_length=140)]
    paid_on: Day
