"""Credit control: limit utilisation, blacklist and the credit check for policy systems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dunning.domain.money import format_minor


@dataclass(frozen=True)
class BlacklistEntry:
    account_id: str
    reason: str
    jurisdiction: str
    added_by: str
    added_on: date
    expires_on: date | None = None

    def active_on(self, day: date) -> bool:
        return self.expires_on is None or day < self.expires_on


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


@dataclass(frozen=True)
class CreditCheck:
    allowed: bool
    reasons: tuple[Reason, ...]
    balance: int
    credit_limit: int
    utilisation: str  # percent of the limit in use, e.g. "37.50"


def utilisation(balance: int, credit_limit: int) -> str:
    if credit_limit <= 0:
        return "100.00" if balance > 0 else "0.00"
    hundredths = (max(balance, 0) * 10000) // credit_limit
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def credit_check(
    *,
    balance: int,
    credit_limit: int,
    currency: str,
    amount: int,
    today: date,
    blacklist: BlacklistEntry | None,
    level: int,
    block_level: int | None,
) -> CreditCheck:
    """May the account take on ``amount`` more? Every reason against is listed."""
    reasons: list[Reason] = []
    if balance + amount > credit_limit:
        reasons.append(
            Reason(
                "over_limit",
                f"balance {format_minor(balance, currency)} plus {format_minor(amount, currency)} "
                f"exceeds the credit limit {format_minor(credit_limit, currency)} {currency}",
            )
        )
    if blacklist is not None and blacklist.active_on(today):
        until = f" until {blacklist.expires_on}" if blacklist.expires_on else ""
        reasons.append(Reason("blacklisted", f"blacklisted{until}: {blacklist.reason}"))
    if block_level is not None and level >= block_level:
        reasons.append(
            Reason(
                "dunning_level",
                f"at dunning level {level}; new business is refused from level {block_level}",
            )
        )
    return CreditCheck(
        allowed=not reasons,
        reasons=tuple(reasons),
        balance=balance,
        credit_limit=credit_limit,
        utilisation=utilisation(balance, credit_limit),
    )
