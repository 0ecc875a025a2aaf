"""SQL of payment-partner reconciliation: expected transactions, and the settled lines of
partners' files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from cash.adapters.postgres.partners import jurisdictions_sql
from cash.adapters.postgres.store import in_scope, in_scope_any
from cash.application.scope import Scope, param
from cash.domain.reconciliation import Expected, Settled


def _expected(r: RowMapping) -> Expected:
    return Expected(
        r["partner_id"],
        r["reference"],
        r["amount"],
        r["currency"],
        r["expected_on"],
        r["account_id"],
        r["description"],
    )


async def existing(
    conn: AsyncConnection, partner_id: str, references: Sequence[str]
) -> dict[str, Expected]:
    """What is expected already under ``references``, locked until the transaction ends."""
    rows = await conn.execute(
        text(
            "SELECT * FROM expected_payments WHERE partner_id = :p AND reference = ANY(:r) "
            "ORDER BY reference FOR UPDATE"
        ),
        {"p": partner_id, "r": list(references)},
    )
    return {r["reference"]: _expected(r) for r in rows.mappings()}


async def add(conn: AsyncConnection, items: Sequence[Expected], at: datetime, by: str) -> None:
    for start in range(0, len(items), 1000):
        await conn.execute(
            text(
                "INSERT INTO expected_payments (partner_id, reference, amount, currency, "
                "expected_on, account_id, description, added_at, added_by) VALUES "
                "(:p, :r, :amount, :ccy, :on, :acct, :d, :at, :by)"
            ),
            [
                {
                    "p": e.partner_id,
                    "r": e.reference,
                    "amount": e.amount,
                    "ccy": e.currency,
                    "on": e.expected_on,
                    "acct": e.account_id,
                    "d": e.description,
                    "at": at,
                    "by": by,
                }
                for e in items[start : start + 1000]
            ],
        )


async def remove(conn: AsyncConnection, partner_id: str, reference: str) -> bool:
    result = await conn.execute(
        text("DELETE FROM expected_payments WHERE partner_id = :p AND reference = :r"),
        {"p": partner_id, "r": reference},
    )
    return bool(result.rowcount)


_PARTNER = "(CAST(:p AS text) IS NULL OR {t}.partner_id = :p)"


async def expected(
    conn: AsyncConnection, partner_id: str | None, first: date, last: date, scope: Scope = None
) -> list[Expected]:
    """Expected in the period, or settled in it (the other side of a period's line), of the
    partners of the jurisdictions in ``scope``."""
    rows = await conn.execute(
        text(
            "SELECT * FROM expected_payments e WHERE " + _PARTNER.format(t="e") + " AND "
            "(e.expected_on BETWEEN :f AND :t OR EXISTS (SELECT 1 FROM lines l "
            "WHERE l.partner_id = e.partner_id AND l.entry_ref = e.reference "
            "AND l.value_date BETWEEN :f AND :t)) AND "
            + in_scope_any(jurisdictions_sql("e.partner_id"))
        ),
        {"p": partner_id, "f": first, "t": last, "scope": param(scope)},
    )
    return [_expected(r) for r in rows.mappings()]


async def settled(
    conn: AsyncConnection, partner_id: str | None, first: date, last: date, scope: Scope = None
) -> list[Settled]:
    """Partners' lines settled in the period, or expected in it, on the bank accounts of
    the jurisdictions in ``scope``."""
    rows = await conn.execute(
        text(
            "SELECT partner_id, entry_ref, line_id, direction, amount, fee, currency, value_date "
            "FROM lines l WHERE l.partner_id IS NOT NULL AND " + _PARTNER.format(t="l") + " AND "
            "(l.value_date BETWEEN :f AND :t OR EXISTS (SELECT 1 FROM expected_payments e "
            "WHERE e.partner_id = l.partner_id AND e.reference = l.entry_ref "
            "AND e.expected_on BETWEEN :f AND :t)) AND " + in_scope("l.jurisdiction")
        ),
        {"p": partner_id, "f": first, "t": last, "scope": param(scope)},
    )
    return [
        Settled(
            r["partner_id"],
            r["entry_ref"],
            r["line_id"],
            r["amount"] if r["direction"] == "credit" else -r["amount"],
            r["fee"],
            r["currency"],
            r["value_date"],
        )
        for r in rows.mappings()
    ]
