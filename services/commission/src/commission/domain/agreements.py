"""Commission agreements: effective-dated, per product, first-year vs renewal rates.

The agreement that prices an invoice line is the broker's one with the latest
``effective_from`` on or before the invoice's issue date, *among those already recorded
when the ledger recorded the invoice*. So a later change (even one back-dated) never
rewrites what was accrued, and replaying the ledger's events gives the same rates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from commission.domain.errors import InvalidAgreement, InvalidRate
from commission.domain.money import parse_decimal

ANY_PRODUCT = "*"  # a rate for every product the agreement does not name
RATE_PLACES = 6


class Basis(StrEnum):
    COLLECTION = "collection"  # earned as premium is paid (the default)
    BILLING = "billing"  # earned when premium is invoiced


@dataclass(frozen=True)
class ProductRate:
    product: str
    first_year_rate: Decimal
    renewal_rate: Decimal


@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    broker_id: str
    effective_from: date
    basis: Basis
    rates: tuple[ProductRate, ...]
    recorded_at: datetime

    def rate_for(self, product: str | None, policy_year: int | None) -> Decimal | None:
        """The rate for a line: first year when ``policy_year`` is 1 or unknown."""
        by_product = {r.product: r for r in self.rates}
        rate = by_product.get(product or ANY_PRODUCT) or by_product.get(ANY_PRODUCT)
        if rate is None:
            return None
        return rate.first_year_rate if (policy_year or 1) <= 1 else rate.renewal_rate


def parse_rate(text: str, field: str) -> Decimal:
    value = parse_decimal(text, field=field)
    if not Decimal(0) <= value <= Decimal(1):
        raise InvalidRate(f"{field} must be between 0 and 1 (0.15 is 15%)", field=field)
    if value != value.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise InvalidRate(f"{field} has more than {RATE_PLACES} decimal places", field=field)
    return value


def check_rates(rates: tuple[ProductRate, ...]) -> None:
    if not rates:
        raise InvalidAgreement("an agreement needs at least one rate", field="rates")
    seen: set[str] = set()
    for n, r in enumerate(rates):
        if r.product in seen:
            raise InvalidAgreement(
                f"product {r.product} is named twice", field=f"rates[{n}].product"
            )
        seen.add(r.product)


def select_agreement(
    agreements: Iterable[Agreement], on: date, known_at: datetime
) -> Agreement | None:
    candidates = [a for a in agreements if a.effective_from <= on and a.recorded_at <= known_at]
    if not candidates:
        return None
    return max(candidates, key=lambda a: (a.effective_from, a.recorded_at, a.agreement_id))
