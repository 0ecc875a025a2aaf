"""What each page of the console shows, gathered from the backends (concurrently where the
calls are independent). Pure composition: the adapters do the I/O."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from console.application.ports import CommissionPort, Credential, Doc, DunningPort, LedgerPort
from console.domain import aging, money
from console.domain.errors import InvalidInput
from servicekit.types import JURISDICTION_PATTERN

ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$", re.ASCII)
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$", re.ASCII)
CURRENCY = re.compile(r"^[A-Z]{3}$", re.ASCII)
JURISDICTION = re.compile(JURISDICTION_PATTERN, re.ASCII)  # as the services filter


def check_id(value: str, field: str) -> str:
    if not ID.fullmatch(value):
        raise InvalidInput(
            f"{field}: an id of letters, digits and . _ : - (at most 64)", field=field
        )
    return value


def check_period(value: str, field: str = "period") -> str:
    if not PERIOD.fullmatch(value):
        raise InvalidInput(f"{field}: a month like 2026-11 (YYYY-MM)", field=field)
    return value


def check_filters(currency: str, jurisdiction: str) -> None:
    if currency and not CURRENCY.fullmatch(currency):
        raise InvalidInput("currency: an ISO 4217 code such as SGD", field="currency")
    if jurisdiction and not JURISDICTION.fullmatch(jurisdiction):
        raise InvalidInput(
            "jurisdiction: a code of 2 to 8 capital letters such as SG", field="jurisdiction"
        )


@dataclass(frozen=True)
class AccountPage:
    account: Doc
    balance: Doc
    invoices: list[Doc]
    history: list[Doc]
    dunning: Doc | None


async def account_page(
    ledger: LedgerPort, dunning: DunningPort, account_id: str, who: Credential
) -> AccountPage:
    check_id(account_id, "account_id")
    account = await ledger.account(account_id, who)  # 404 before anything else
    balance, invoices, history, dun = await asyncio.gather(
        ledger.balance(account_id, who),
        ledger.invoices(account_id, who, status="open"),
        ledger.history(account_id, who, limit=100),
        dunning.account(account_id, who),
    )
    return AccountPage(
        account=account,
        balance=balance,
        invoices=list(invoices.get("invoices", [])),
        history=list(reversed(history.get("events", []))),
        dunning=dun,
    )


@dataclass(frozen=True)
class AgingPage:
    report: Doc
    charts: list[tuple[str, list[aging.Bar]]]
    accounts: list[Doc]
    filters: dict[str, Any] = field(default_factory=dict)


def _oldest_first(row: Doc) -> tuple[Any, ...]:
    # most overdue money first: over 90 days, then 61-90, ... (per currency, exact)
    return tuple(-money.parse(row[name]) for name, _ in reversed(aging.BUCKETS))


async def aging_page(
    ledger: LedgerPort,
    who: Credential,
    *,
    as_of: date | None,
    currency: str,
    jurisdiction: str,
    rows: int = 100,
) -> AgingPage:
    check_filters(currency, jurisdiction)
    report = await ledger.aging(who, as_of=as_of, currency=currency, jurisdiction=jurisdiction)
    charts = [(t["currency"], aging.bars(t)) for t in report.get("totals", [])]
    accounts = sorted(report.get("accounts", []), key=_oldest_first)[:rows]
    filters = {"as_of": report.get("as_of"), "currency": currency, "jurisdiction": jurisdiction}
    return AgingPage(report=report, charts=charts, accounts=accounts, filters=filters)


@dataclass(frozen=True)
class BrokerPage:
    broker: Doc
    period: str
    accruals: Doc
    statement: Doc | None


async def broker_page(
    commission: CommissionPort, broker_id: str, period: str, who: Credential
) -> BrokerPage:
    check_id(broker_id, "broker_id")
    check_period(period)
    broker = await commission.broker(broker_id, who)
    accruals, statement = await asyncio.gather(
        commission.accruals(broker_id, who, period=period),
        commission.statement(broker_id, period, who),
    )
    return BrokerPage(broker=broker, period=period, accruals=accruals, statement=statement)
