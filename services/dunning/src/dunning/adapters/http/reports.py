"""Report routes: the credit-control report and aging by dunning level, as JSON, CSV or
XLSX (``format=`` or the Accept header). A caller limited to some jurisdictions gets
their accounts only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from dunning.adapters.http import scopes as sc
from dunning.adapters.http.deps import DunningDep
from dunning.adapters.http.views import LEVEL_COLUMNS
from dunning.application import queries
from dunning.application.ports import AccountRecord, LevelFilter
from dunning.bootstrap import Dunning
from dunning.domain import reports as rp
from dunning.domain.money import format_minor
from servicekit.auth import Principal, requires
from servicekit.exports import AGING_COLUMNS, Column, Report, download, format_param
from servicekit.types import JurisdictionFilter

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Format = Annotated[str, format_param("json", "csv", "xlsx")]
Level = Annotated[int | None, Query(ge=0, le=99, description="exactly this dunning level")]
MinLevel = Annotated[int, Query(ge=0, le=99, description="this dunning level or higher")]
Currency = Annotated[str | None, Query(pattern="^[A-Z]{3}$")]


@dataclass(frozen=True)
class Selection:
    """The accounts a report covers, on which day."""

    day: date
    filter: LevelFilter

    def meta(self) -> list[tuple[str, str]]:
        f = self.filter
        shown = {
            "Jurisdiction": f.jurisdiction,
            "Currency": f.currency,
            "Level": f.level,
            "Minimum level": f.min_level or None,
            "Overdue only": "yes" if f.overdue_only else None,
        }
        return [("As of", self.day.isoformat())] + [
            (k, str(v)) for k, v in shown.items() if v is not None
        ]

    async def accounts(self, dunning: Dunning) -> list[AccountRecord]:
        return await queries.report_accounts(dunning.uow, self.filter)


async def selection(
    principal: Annotated[Principal, requires(sc.REPORTS)],
    dunning: DunningDep,
    jurisdiction: JurisdictionFilter = None,
    currency: Currency = None,
    level: Level = None,
    min_level: MinLevel = 0,
    overdue: Annotated[bool, Query(description="only accounts with something overdue")] = False,
) -> Selection:
    f = LevelFilter(
        level, min_level, jurisdiction, currency, overdue, within=principal.jurisdictions
    )
    return Selection(dunning.clock.today(), f)


SelectionDep = Annotated[Selection, Depends(selection)]


def _credit_row(a: AccountRecord, line: rp.CreditLine, level_name: str | None) -> dict[str, Any]:
    rec, cur = a.rec, a.rec.currency
    entry = a.blacklist if line.blacklisted else None
    return {
        "account_id": rec.account_id,
        "name": rec.name,
        "jurisdiction": rec.jurisdiction,
        "currency": cur,
        "broker_id": rec.broker_id,
        "level": line.level,
        "level_name": level_name,
        "days_past_due": line.days_past_due,
        "balance": format_minor(line.balance, cur),
        "overdue": format_minor(line.overdue, cur),
        "disputed": format_minor(line.disputed, cur),
        "credit_limit": format_minor(line.credit_limit, cur),
        "available": format_minor(line.available, cur),
        "utilisation_percent": line.utilisation,
        "over_limit": line.over_limit,
        "blacklisted": line.blacklisted,
        "blacklist_reason": entry.reason if entry else None,
        "blacklisted_until": entry.expires_on.isoformat() if entry and entry.expires_on else None,
        "paused": line.paused,
        "suspended_policies": line.suspended_policies,
        "promises": line.promises,
        "promised_open": format_minor(line.promised_open, cur),
        "payment_plans": line.plans,
        "plan_outstanding": format_minor(line.plan_outstanding, cur),
    }


def _credit_total(cur: str, t: rp.CreditTotals) -> dict[str, Any]:
    return {
        "currency": cur,
        "accounts": t.accounts,
        **{k: format_minor(v, cur) for k, v in t.money.items()},
        "utilisation_percent": t.utilisation,
        **t.counts,
        "promises": t.promises,
        "payment_plans": t.plans,
    }


CREDIT_COLUMNS = (
    *LEVEL_COLUMNS,
    Column("balance", "Balance", "money"),
    Column("overdue", "Overdue", "money"),
    Column("disputed", "Disputed", "money"),
    Column("credit_limit", "Credit limit", "money"),
    Column("available", "Available", "money"),
    Column("utilisation", "Utilisation", "percent"),
    Column("over_limit", "Over limit"),
    Column("blacklisted", "Blacklisted"),
    Column("blacklist_reason", "Blacklist reason"),
    Column("promises_open", "Promises open", "int"),
    Column("promises_kept", "Promises kept", "int"),
    Column("promises_broken", "Promises broken", "int"),
    Column("promised_open", "Promised (open)", "money"),
    Column("plans_open", "Plans open", "int"),
    Column("plans_completed", "Plans completed", "int"),
    Column("plans_broken", "Plans broken", "int"),
    Column("plan_outstanding", "Plan outstanding", "money"),
)


def _flat(row: dict[str, Any], fmt: str) -> dict[str, Any]:
    """A row for a table: counts per status as columns, utilisation a ratio in XLSX
    (formatted as a percentage there) and the percent figure in CSV."""
    percent = Decimal(row["utilisation_percent"])
    return {
        **row,
        "account_id": row.get("account_id", f"Total {row['currency']}"),
        "utilisation": percent / 100 if fmt == "xlsx" else row["utilisation_percent"],
        **{f"promises_{k}": v for k, v in row["promises"].items()},
        **{f"plans_{k}": v for k, v in row["payment_plans"].items()},
    }


@router.get(
    "/credit-control",
    summary="Credit control per account: overdue, limit utilisation, blacklist, level, "
    "promises, plans",
    description="Figures as of today (the service's clock), levels as of the latest run, "
    "totals per currency. Filters: `jurisdiction`, `currency`, `level` / `min_level`, "
    "`overdue`. `format=csv|xlsx` downloads it.",
)
async def credit_control(dunning: DunningDep, at: SelectionDep, fmt: Format) -> Any:
    by_id = {p.policy_id: p for p in dunning.policies.policies}
    pairs = []
    rows = []
    for a in await at.accounts(dunning):
        line = rp.credit_line(a.rec, a.state, a.blacklist, at.day)
        policy = by_id.get(a.state.policy_id or "")
        level = policy.level(line.level) if policy and line.level else None
        rows.append(_credit_row(a, line, level.name if level else None))
        pairs.append((a.rec.currency, line))
    totals = [_credit_total(cur, t) for cur, t in rp.credit_totals(pairs).items()]
    body = {"as_of": at.day.isoformat(), "accounts": rows, "totals": totals}
    report = Report(
        title="Credit control",
        columns=CREDIT_COLUMNS,
        rows=[_flat(r, fmt) for r in rows],
        totals=[_flat(t, fmt) for t in totals],
        meta=at.meta(),
        sheet="Credit control",
    )
    return download(fmt, report, f"credit-control-{at.day.isoformat()}", body)


def _aging_row(cur: str, f: rp.AgingFigures, **key: Any) -> dict[str, Any]:
    return {
        **key,
        "currency": cur,
        "accounts": f.accounts,
        **{k: format_minor(v, cur) for k, v in f.amounts.items()},
    }


@router.get(
    "/aging-by-level",
    summary="Aging of the open items per dunning level and currency",
    description="Open items by days past due (the ledger's buckets) of the accounts at "
    "each dunning level, as of today; per currency the levels add up to the ledger's "
    "aging of the same accounts. Filters as the credit-control report.",
)
async def aging_by_level(dunning: DunningDep, at: SelectionDep, fmt: Format) -> Any:
    accounts = await at.accounts(dunning)
    groups = rp.aging_by_level(((a.rec, a.state.level) for a in accounts), at.day)
    rows = [_aging_row(cur, f, level=level) for (level, cur), f in groups.items()]
    totals = [_aging_row(cur, f) for cur, f in rp.aging_totals(groups).items()]
    body = {
        "as_of": at.day.isoformat(),
        "buckets": list(rp.BUCKETS),
        "levels": rows,
        "totals": totals,
    }
    report = Report(
        title="Aging by dunning level",
        columns=(
            Column("level", "Level", "int"),
            Column("currency", "Currency"),
            Column("accounts", "Accounts", "int"),
            *AGING_COLUMNS,
        ),
        rows=rows,
        totals=[{**t, "level": None, "currency": f"Total {t['currency']}"} for t in totals],
        meta=at.meta(),
        sheet="By level",
    )
    return download(fmt, report, f"aging-by-level-{at.day.isoformat()}", body)
