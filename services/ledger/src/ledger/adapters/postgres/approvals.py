"""The approvals queue: requests waiting for a second user, across accounts.

Pending requests live on their account's row (``accounts.pending``, kept by the command
that makes or decides them); the partial index ``accounts_pending`` finds the accounts
with any. Paged by keyset on ``(account_id, request_id)``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import Text

Key = tuple[Any, ...]

PENDING = text(
    """
SELECT a.account_id, a.name, a.currency, a.jurisdiction, a.credit_limit,
       r.key AS request_id, r.value AS request
  FROM accounts AS a CROSS JOIN LATERAL jsonb_each(a.pending) AS r
 WHERE a.pending <> '{}'::jsonb
   AND (CAST(:account_id AS text) IS NULL OR a.account_id = :account_id)
   AND (CAST(:kind AS text) IS NULL OR r.value ->> 'kind' = :kind)
   AND (CAST(:within AS text[]) IS NULL OR upper(a.jurisdiction) = ANY(:within))
   AND (CAST(:after_account AS text) IS NULL
        OR (a.account_id, r.key) > (:after_account, CAST(:after_request AS text)))
 ORDER BY a.account_id, r.key
 LIMIT :limit
"""
).bindparams(bindparam("within", type_=ARRAY(Text)))


@dataclass(frozen=True)
class RequestFilter:
    account_id: str | None = None
    kind: str | None = None


async def pending_requests(
    conn: AsyncConnection,
    f: RequestFilter,
    *,
    after: Key | None,
    limit: int,
    within: Collection[str] | None,
) -> list[dict[str, Any]]:
    """Pending requests in ``within``'s jurisdictions (None: all), oldest account first."""
    rows = await conn.execute(
        PENDING,
        {
            "account_id": f.account_id,
            "kind": f.kind,
            "within": None if within is None else sorted(within),
            "after_account": after[0] if after else None,
            "after_request": after[1] if after else None,
            "limit": limit,
        },
    )
    return [dict(r._mapping) for r in rows]
