"""``Money``: an amount in integer minor units and its currency, never one without the other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from money.errors import InvalidAmount
from money.limits import MAX_TOTAL
from money.rules import RULES
from money.split import split_largest_remainder


class CurrencyMismatch(InvalidAmount):
    rule = "currency-mismatch"


@dataclass(frozen=True, slots=True)
class Money:
    """``Money(125000, "SGD")`` is SGD 1,250.00. Arithmetic keeps the currency and refuses
    to mix two; a value beyond ``MAX_TOTAL`` minor units (an int64 total) is refused."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        RULES.exponent(self.currency)
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise InvalidAmount(f"{self.minor!r} is not a whole number of minor units")
        if abs(self.minor) > MAX_TOTAL:
            raise InvalidAmount(
                f"{self.minor} minor units exceed {MAX_TOTAL}, the largest total held"
            )

    @classmethod
    def parse(cls, text: str, currency: str, *, field: str = "amount") -> Money:
        """``Money.parse("1250.00", "SGD") == Money(125000, "SGD")``."""
        return cls(RULES.to_minor(text, currency, field=field), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def __str__(self) -> str:
        return RULES.format_minor(self.minor, self.currency)

    def to_decimal(self) -> Decimal:
        return RULES.to_decimal(self.minor, self.currency)

    def _same(self, other: Money) -> int:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other.minor

    def __add__(self, other: Money) -> Money:
        return Money(self.minor + self._same(other), self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor - self._same(other), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def split(self, weights: Sequence[int]) -> list[Money]:
        """Parts in proportion to ``weights`` that add up to this amount exactly."""
        return [Money(p, self.currency) for p in split_largest_remainder(self.minor, weights)]
