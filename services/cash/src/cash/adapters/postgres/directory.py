"""The account directory, followed from the ledger's events: who the accounts are (name,
currency, jurisdiction) and which invoice and policy references belong to which account.

Matching reads it to find candidates; the open amounts themselves are asked of the ledger
at matching time, so they are never stale. The consumer records each event in the same
transaction as its change (eventfeed), so a redelivered event changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from eventfeed import LedgerEvent


def references(data: Mapping[str, Any]) -> set[str]:
    """The ids a payer may quote for an invoice: its id and the policies it bills."""
    refs = {str(data["invoice_id"])}
    if data.get("policy_id"):
        refs.add(str(data["policy_id"]))
    for line in data.get("lines") or ():
        if line.get("policy_id"):
            refs.add(str(line["policy_id"]))
    return {r.upper() for r in refs}


async def apply(conn: AsyncConnection, event: LedgerEvent) -> None:
    d = event.data
    if event.type == "AccountOpened":
        await conn.execute(
            text(
                "INSERT INTO directory_accounts VALUES (:a, :n, :c, :j) ON CONFLICT (account_id) "
                "DO UPDATE SET name = EXCLUDED.name, jurisdiction = EXCLUDED.jurisdiction"
            ),
            {"a": event.account_id, "n": d["name"], "c": d["currency"], "j": d["jurisdiction"]},
        )
    elif event.type == "InvoiceIssued" or (
        event.type == "AdjustmentPosted" and d.get("invoice_id") is None and d.get("adjustment_id")
    ):
        refs = references(d) if event.type == "InvoiceIssued" else {str(d["adjustment_id"]).upper()}
        await conn.execute(
            text("INSERT INTO directory_refs VALUES (:r, :a) ON CONFLICT DO NOTHING"),
            [{"r": r, "a": event.account_id} for r in sorted(refs)],
        )


async def reset(conn: AsyncConnection) -> None:
    await conn.execute(text("TRUNCATE directory_accounts, directory_refs"))
