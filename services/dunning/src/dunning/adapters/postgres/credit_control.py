"""SQL of the collectors' records: contact profiles, the contact log and the blacklist."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from dunning.adapters.postgres.schema import blacklist, contacts, profiles
from dunning.domain.credit import BlacklistEntry
from dunning.domain.state import Contact


def entry_of(row: Any) -> BlacklistEntry:
    return BlacklistEntry(
        account_id=row.account_id,
        reason=row.reason,
        jurisdiction=row.jurisdiction,
        added_by=row.added_by,
        added_on=row.added_on,
        expires_on=row.expires_on,
    )


class PostgresCreditControl:
    """Profiles, the contact log and the blacklist, in the caller's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get_profile(self, account_id: str) -> Contact:
        row = (
            await self._conn.execute(select(profiles).where(profiles.c.account_id == account_id))
        ).first()
        if row is None:
            return Contact()
        return Contact(email=row.email, language=row.language, segment=row.segment)

    async def get_profiles(self, account_ids: list[str]) -> dict[str, Contact]:
        """The profiles of several accounts (an account without one is absent)."""
        rows = await self._conn.execute(
            select(profiles).where(profiles.c.account_id.in_(account_ids))
        )
        return {
            r.account_id: Contact(email=r.email, language=r.language, segment=r.segment)
            for r in rows
        }

    async def put_profile(self, account_id: str, contact: Contact) -> None:
        values = {"account_id": account_id, **contact.model_dump(), "updated_at": func.now()}
        stmt = insert(profiles).values(values)
        await self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[profiles.c.account_id],
                set_={k: stmt.excluded[k] for k in ("email", "language", "segment", "updated_at")},
            )
        )

    async def get_contact(self, account_id: str, contact_id: str) -> dict[str, Any] | None:
        q = select(contacts).where(
            contacts.c.account_id == account_id, contacts.c.contact_id == contact_id
        )
        row = (await self._conn.execute(q)).first()
        return None if row is None else dict(row._mapping)

    async def add_contact(self, values: dict[str, Any]) -> None:
        await self._conn.execute(insert(contacts).values(**values, recorded_at=func.now()))

    async def list_contacts(self, account_id: str) -> list[dict[str, Any]]:
        q = (
            select(contacts)
            .where(contacts.c.account_id == account_id)
            .order_by(contacts.c.recorded_at, contacts.c.contact_id)
        )
        return [dict(r._mapping) for r in await self._conn.execute(q)]

    async def get_blacklist(self, account_id: str) -> BlacklistEntry | None:
        q = select(blacklist).where(blacklist.c.account_id == account_id)
        row = (await self._conn.execute(q)).first()
        return None if row is None else entry_of(row)

    async def put_blacklist(self, entry: BlacklistEntry) -> None:
        values = {**entry.__dict__, "recorded_at": func.now()}
        stmt = insert(blacklist).values(values)
        await self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[blacklist.c.account_id],
                set_={k: stmt.excluded[k] for k in values if k != "account_id"},
            )
        )

    async def remove_blacklist(self, account_id: str) -> bool:
        result = await self._conn.execute(
            delete(blacklist).where(blacklist.c.account_id == account_id)
        )
        return bool(result.rowcount)

    async def list_blacklist(self, today: date) -> list[BlacklistEntry]:
        q = select(blacklist).order_by(blacklist.c.account_id)
        return [e for e in map(entry_of, await self._conn.execute(q)) if e.active_on(today)]
