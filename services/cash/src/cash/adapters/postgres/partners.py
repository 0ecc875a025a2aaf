"""SQL of partners' saved CSV mappings."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from cash.domain.partners import CsvMapping


async def save(
    conn: AsyncConnection, partner_id: str, mapping: CsvMapping, at: datetime, actor: str
) -> None:
    await conn.execute(
        text(
            "INSERT INTO partner_mappings VALUES (:p, CAST(:m AS jsonb), :at, :by) "
            "ON CONFLICT (partner_id) DO UPDATE SET mapping = EXCLUDED.mapping, "
            "saved_at = EXCLUDED.saved_at, saved_by = EXCLUDED.saved_by"
        ),
        {"p": partner_id, "m": mapping.model_dump_json(), "at": at, "by": actor},
    )


async def load(conn: AsyncConnection, partner_id: str) -> CsvMapping | None:
    raw = await conn.scalar(
        text("SELECT mapping FROM partner_mappings WHERE partner_id = :p"), {"p": partner_id}
    )
    if raw is None:
        return None
    return CsvMapping.model_validate(raw if isinstance(raw, dict) else json.loads(raw))
