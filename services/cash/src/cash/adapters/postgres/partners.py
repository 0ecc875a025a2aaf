"""SQL of partners' saved CSV mappings, and of the jurisdictions a partner pays into."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from cash.domain.partners import CsvMapping


async def save(
    conn: AsyncConnection,
    partner_id: str,
    mapping: CsvMapping,
    at: datetime,
    actor: str,
    jurisdiction: str,
) -> None:
    """``jurisdiction``: the partner's, that of the account its money settles on."""
    await conn.execute(
        text(
            "INSERT INTO partner_mappings (partner_id, mapping, saved_at, saved_by, jurisdiction) "
            "VALUES (:p, CAST(:m AS jsonb), :at, :by, :j) "
            "ON CONFLICT (partner_id) DO UPDATE SET mapping = EXCLUDED.mapping, "
            "saved_at = EXCLUDED.saved_at, saved_by = EXCLUDED.saved_by, "
            "jurisdiction = EXCLUDED.jurisdiction"
        ),
        {
            "p": partner_id,
            "m": mapping.model_dump_json(),
            "at": at,
            "by": actor,
            "j": jurisdiction,
        },
    )


async def load(conn: AsyncConnection, partner_id: str) -> tuple[CsvMapping, str | None] | None:
    """The partner's mapping and jurisdiction (None: not known), if one is saved."""
    row = (
        await conn.execute(
            text("SELECT mapping, jurisdiction FROM partner_mappings WHERE partner_id = :p"),
            {"p": partner_id},
        )
    ).first()
    if row is None:
        return None
    raw = row[0]
    return CsvMapping.model_validate(raw if isinstance(raw, dict) else json.loads(raw)), row[1]


def jurisdictions_sql(partner: str) -> str:
    """SQL: the jurisdictions of the bank accounts the partner (a SQL expression) pays
    into: its CSV mapping's ``bank_account`` and those of the files imported as its
    settlements."""
    return (
        f"(SELECT m.jurisdiction FROM partner_mappings m WHERE m.partner_id = {partner} "
        "AND m.jurisdiction IS NOT NULL "
        f"UNION SELECT unnest(i.jurisdictions) FROM imports i WHERE i.partner_id = {partner})"
    )


async def jurisdictions(conn: AsyncConnection, partner_id: str) -> frozenset[str]:
    """The jurisdictions the partner pays into (none: a partner cash knows nothing of)."""
    rows = await conn.execute(text(jurisdictions_sql(":p")), {"p": partner_id})
    return frozenset(j for (j,) in rows if j is not None)
