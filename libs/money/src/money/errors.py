"""What the money kernel refuses.

MoneyError             root (a ValueError); ``detail`` says why, ``field`` names the input
├── InvalidAmount      not a plain decimal, not finite, too precise for the currency or
│                      larger than the largest amount
└── UnknownCurrency    not an ISO 4217 currency with a minor unit

A service hands its own error classes to :class:`money.MoneyRules`, so what the kernel
refuses arrives as that service's ``InvalidAmount`` / ``UnknownCurrency`` (under the
service's root error, mapped to problem+json at its HTTP edge). These classes are the
defaults, for callers with no error tree of their own.
"""

from __future__ import annotations

from typing import Protocol


class ErrorFactory(Protocol):
    """An error class taking a detail and the field at fault (every service's errors do)."""

    def __call__(self, detail: str, *, field: str | None = None) -> Exception: ...


class MoneyError(ValueError):
    """``rule`` is a stable slug, as in every service's errors."""

    rule = "money-error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail, self.field = detail, field


class InvalidAmount(MoneyError):
    rule = "invalid-amount"


class UnknownCurrency(MoneyError):
    rule = "unknown-currency"
