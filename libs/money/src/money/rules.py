"""Decimal strings in, integer minor units inside, decimal strings out.

:class:`MoneyRules` holds the conversions and raises the error classes it is given, so a
service binds it once to its own ``InvalidAmount`` and ``UnknownCurrency``::

    RULES = MoneyRules(invalid_amount=InvalidAmount, unknown_currency=UnknownCurrency)

Only plain ``-?digits[.digits]`` strings are amounts (no exponent, ``+``, spaces, ``_`` or
thousands separators); an amount must be finite, at most ``MAX_MINOR`` minor units and
exact in the currency's minor unit (trailing zeros are not extra precision).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from money.currency import iso_exponent
from money.errors import ErrorFactory, InvalidAmount, UnknownCurrency
from money.limits import MAX_MINOR

SIGNED_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
UNSIGNED_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")


class MoneyRules:
    """The conversions, raising ``invalid_amount`` / ``unknown_currency`` on bad input.

    ``signed=False`` refuses a leading minus in parsed strings (amounts whose direction is
    said elsewhere, as on a bank statement line).
    """

    def __init__(
        self,
        *,
        invalid_amount: ErrorFactory = InvalidAmount,
        unknown_currency: ErrorFactory = UnknownCurrency,
        signed: bool = True,
    ) -> None:
        self._invalid_amount = invalid_amount
        self._unknown_currency = unknown_currency
        self._pattern = SIGNED_DECIMAL if signed else UNSIGNED_DECIMAL
        self._shape = "a plain decimal" if signed else "an unsigned decimal"
        self._formatters: dict[str, Callable[[int], str]] = {}

    def exponent(self, currency: str) -> int:
        """Digits of the minor unit of ``currency`` (2 for SGD, 0 for JPY, 3 for BHD)."""
        exp = iso_exponent(currency) if isinstance(currency, str) else None
        if exp is None:
            raise self._unknown_currency(
                f"{currency!r} is not an ISO 4217 currency code with a minor unit",
                field="currency",
            )
        return exp

    def is_currency(self, code: str) -> bool:
        return isinstance(code, str) and iso_exponent(code) is not None

    def parse_decimal(self, text: str, *, field: str = "amount") -> Decimal:
        """A plain decimal string as a ``Decimal``; anything else is refused."""
        if not isinstance(text, str) or self._pattern.fullmatch(text) is None:
            raise self._invalid_amount(
                f"{text!r} is not {self._shape} amount like 1250.00", field=field
            )
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits numbers only
            raise self._invalid_amount(f"{text!r} is not a number", field=field) from None

    def to_minor(self, amount: Decimal | str, currency: str, *, field: str = "amount") -> int:
        """A decimal amount (or a plain decimal string) in minor units of ``currency``;
        sub-minor precision, non-finite and too large amounts are refused."""
        value = self.parse_decimal(amount, field=field) if isinstance(amount, str) else amount
        exp = self.exponent(currency)
        if not value.is_finite():
            raise self._invalid_amount(f"{value} is not a finite amount", field=field)
        # Decimal arithmetic rounds to the context's 28 digits: bound the magnitude first
        # (comparisons are exact), then check that quantising loses nothing.
        largest, quantum = _bounds(exp)
        if value.copy_abs() > largest:
            raise self._invalid_amount(
                f"{value} is too large (at most {self.format_minor(MAX_MINOR, currency)})",
                field=field,
            )
        exact = value.quantize(quantum)
        if exact != value:
            raise self._invalid_amount(
                f"{value} has more decimal places than {currency} allows ({exp}, its minor unit)",
                field=field,
            )
        return int(exact.scaleb(exp))

    def to_decimal(self, minor: int, currency: str) -> Decimal:
        """Minor units as a decimal with exactly the currency's number of places."""
        exp = self.exponent(currency)
        return Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))

    def format_minor(self, minor: int, currency: str) -> str:
        """Minor units as the decimal string JSON carries: 125000 SGD -> ``"1250.00"``."""
        if not isinstance(minor, int):  # a Decimal from a SQL sum, say
            return str(self.to_decimal(minor, currency))
        return self.formatter(currency)(minor)

    def formatter(self, currency: str) -> Callable[[int], str]:
        """``format_minor`` for one currency, for formatting many amounts (a report's)."""
        fmt = self._formatters.get(currency)
        if fmt is None:  # only known currencies get here: the cache stays small
            fmt = self._formatters[currency] = _formatter(self.exponent(currency))
        return fmt


@lru_cache(maxsize=16)
def _bounds(exp: int) -> tuple[Decimal, Decimal]:
    """The largest amount and the minor unit of a currency of ``exp`` places (every
    conversion asks: made once per exponent)."""
    return Decimal(MAX_MINOR).scaleb(-exp), Decimal(1).scaleb(-exp)


def _formatter(exp: int) -> Callable[[int], str]:
    """``str(to_decimal(minor))`` for a currency of ``exp`` places, in integer arithmetic."""
    if exp == 0:
        return str
    unit = 10**exp
    zero = f"0.{0:0{exp}d}"

    def fmt(minor: int) -> str:
        if not minor:
            return zero
        if minor < 0:
            whole, part = divmod(-minor, unit)
            return f"-{whole}.{part:0{exp}d}"
        whole, part = divmod(minor, unit)
        return f"{whole}.{part:0{exp}d}"

    return fmt


RULES = MoneyRules()
