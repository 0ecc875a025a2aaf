"""The write path of batches: many streams in one transaction, written in bulk.

Streams are locked in one statement, in one order (so two batches never deadlock), the
earlier runs of the batch's commands and the accounts' state are read in a few
statements, and the writes are three COPYs (events, journal, idempotency records) and
one statement of upserts (projections). The database moves each stream head as its
events are copied in (the append trigger, once per stream and statement; an event not linked
to the one before it or to the head is a conflict).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from operator import itemgetter

import asyncpg

from ledger.adapters.postgres.command_store import (
    _ACCOUNT_COLS,
    _ITEM_COLS,
    _PAYMENT_COLS,
    AsyncpgUnitOfWorkFactory,
    _json,
    _response,
    _rows,
    _upsert,
)
from ledger.application.ports import BatchWrite, CommandKey, Done, Locked, Needs
from ledger.application.projections import Row, state_from_rows
from ledger.application.records import StreamHead
from ledger.domain.errors import ConcurrencyConflict
from ledger.domain.state import Account

LOCK_MANY = """
SELECT stream_id, version, head_position, head_hash FROM streams
 WHERE stream_id = ANY($1::text[]) ORDER BY stream_id FOR UPDATE
"""

TX_ID = "SELECT pg_current_xact_id()::text::bigint"

# Every lookup below goes by the primary key (or the account's index) one key at a time
# (LATERAL ... OFFSET 0): the command pool plans each statement once per connection
# (force_generic_plan), often while the tables are still small, and a plan made then
# (a hash join over a scan of the whole table) would be kept as they grow.
FIND_MANY = """
SELECT c.account_id, c.command_type, c.command_id, c.request_hash, c.status_code,
       c.response::text
  FROM unnest($1::text[], $2::text[], $3::text[]) AS k(a, t, i)
 CROSS JOIN LATERAL (
     SELECT * FROM commands
      WHERE account_id = k.a AND command_type = k.t AND command_id = k.i OFFSET 0) AS c
"""

# As command_store.LOAD, for many accounts: everything open where a command needs it,
# and the named rows by their full primary key.
LOAD_MANY = """
SELECT (SELECT coalesce(jsonb_agg(a), '[]') FROM unnest($1::text[]) AS n(id)
         CROSS JOIN LATERAL (SELECT * FROM accounts WHERE account_id = n.id OFFSET 0) AS a)::text,
       (SELECT coalesce(jsonb_agg(i), '[]') FROM (
            SELECT o.* FROM unnest($2::text[]) AS n(id) CROSS JOIN LATERAL (
                SELECT * FROM open_items WHERE account_id = n.id AND open_amount <> 0
                OFFSET 0) AS o
            UNION
            SELECT o.* FROM unnest($3::text[], $4::text[]) AS n(a, id) CROSS JOIN LATERAL (
                SELECT * FROM open_items WHERE account_id = n.a AND item_id = n.id
                OFFSET 0) AS o) AS i)::text,
       (SELECT coalesce(jsonb_agg(p), '[]') FROM (
            SELECT o.* FROM unnest($5::text[]) AS n(id) CROSS JOIN LATERAL (
                SELECT * FROM payments WHERE account_id = n.id AND unapplied > 0
                OFFSET 0) AS o
            UNION
            SELECT o.* FROM unnest($6::text[], $7::text[]) AS n(a, id) CROSS JOIN LATERAL (
                SELECT * FROM payments WHERE account_id = n.a AND payment_id = n.id
                OFFSET 0) AS o) AS p)::text
"""

ITEMS_BY_KEY = """
SELECT coalesce(jsonb_agg(o), '[]')::text FROM unnest($1::text[], $2::text[]) AS n(a, id)
CROSS JOIN LATERAL (
    SELECT * FROM open_items WHERE account_id = n.a AND item_id = n.id OFFSET 0) AS o
"""

PAYMENTS_BY_KEY = """
SELECT coalesce(jsonb_agg(o), '[]')::text FROM unnest($1::text[], $2::text[]) AS n(a, id)
CROSS JOIN LATERAL (
    SELECT * FROM payments WHERE account_id = n.a AND payment_id = n.id OFFSET 0) AS o
"""

UPSERT_MANY = f"""
WITH acc AS ({_upsert("accounts", "account_id", _ACCOUNT_COLS, "$1::jsonb")}
), itm AS ({_upsert("open_items", "account_id, item_id", _ITEM_COLS, "$2::jsonb")}
), pay AS ({_upsert("payments", "account_id, payment_id", _PAYMENT_COLS, "$3::jsonb")}
)
SELECT 1
"""

EVENT_COLUMNS = [
    "position",
    "stream_id",
    "version",
    "event_id",
    "event_type",
    "schema_version",
    "data",
    "effective_date",
    "recorded_at",
    "actor",
    "correlation_id",
    "causation_id",
    "idempotency_key",
    "prev_hash",
    "hash",
    "hash_scheme",
]
JOURNAL_COLUMNS = [
    "position",
    "line_no",
    "account_id",
    "item_id",
    "ledger_account",
    "amount",
    "currency",
    "effective_date",
    "recorded_at",
    "event_type",
]
COMMAND_COLUMNS = [
    "account_id",
    "command_type",
    "command_id",
    "request_hash",
    "status_code",
    "response",
    "recorded_at",
]
_JOURNAL_ROW = itemgetter(*JOURNAL_COLUMNS)
_COMMAND_KEY = itemgetter(*COMMAND_COLUMNS[:5])  # then the response and recorded_at
assert COMMAND_COLUMNS[5:] == ["response", "recorded_at"]


def _pairs(keyed: dict[str, frozenset[str] | set[str]]) -> tuple[list[str], list[str]]:
    accounts, ids = [], []
    for account_id, names in keyed.items():
        for name in names:
            accounts.append(account_id)
            ids.append(name)
    return accounts, ids


def _by_account(rows: list[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in rows:
        out.setdefault(r["account_id"], []).append(r)
    return out


class AsyncpgBatchUnitOfWork:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock(self, stream_ids: list[str]) -> Locked:
        rows = await self._conn.fetch(LOCK_MANY, stream_ids)
        heads = {
            r["stream_id"]: StreamHead(r["version"], r["head_position"], bytes(r["head_hash"]))
            for r in rows
        }
        return Locked(heads=heads, tx_id=await self._conn.fetchval(TX_ID))

    async def find_commands(self, keys: list[CommandKey]) -> dict[CommandKey, Done]:
        columns = [list(k) for k in zip(*keys, strict=True)] if keys else [[], [], []]
        rows = await self._conn.fetch(FIND_MANY, *columns)
        return {(r[0], r[1], r[2]): Done(bytes(r[3]), r[4], json.loads(r[5])) for r in rows}

    async def load_states(self, needs: dict[str, Needs]) -> dict[str, Account]:
        named_items = _pairs({a: n.item_ids for a, n in needs.items()})
        named_pays = _pairs({a: n.payment_ids for a, n in needs.items()})
        accounts_json, items_json, pays_json = await self._conn.fetchrow(
            LOAD_MANY,
            list(needs),
            [a for a, n in needs.items() if n.open_items],
            *named_items,
            [a for a, n in needs.items() if n.credit],
            *named_pays,
        )
        items, pays = _by_account(_rows(items_json)), _by_account(_rows(pays_json))
        # what the named items and payments are tied to by allocations
        more_items: dict[str, set[str]] = {}
        more_pays: dict[str, set[str]] = {}
        for a, n in needs.items():
            have_items = {r["item_id"] for r in items.get(a, ())}
            have_pays = {r["payment_id"] for r in pays.get(a, ())}
            linked_pays = {
                p for r in items.get(a, ()) if r["item_id"] in n.item_ids for p in r["allocations"]
            }
            linked_items = {
                i
                for r in pays.get(a, ())
                if r["payment_id"] in n.payment_ids
                for i in r["allocations"]
            }
            more_items[a] = linked_items - have_items
            more_pays[a] = linked_pays - have_pays
        if any(more_items.values()):
            found = _rows(await self._conn.fetchval(ITEMS_BY_KEY, *_pairs(dict(more_items))))
            for r in found:
                items.setdefault(r["account_id"], []).append(r)
        if any(more_pays.values()):
            found = _rows(await self._conn.fetchval(PAYMENTS_BY_KEY, *_pairs(dict(more_pays))))
            for r in found:
                pays.setdefault(r["account_id"], []).append(r)
        return {
            r["account_id"]: state_from_rows(
                r, items.get(r["account_id"], []), pays.get(r["account_id"], [])
            )
            for r in _rows(accounts_json)
        }

    async def write_batch(self, batch: BatchWrite) -> None:
        events = [
            (
                s.position,
                s.stream_id,
                s.version,
                s.event_id,
                s.event_type,
                s.schema_version,
                _json(s.data),
                s.effective_date,
                s.recorded_at,
                s.actor,
                s.correlation_id,
                s.causation_id,
                s.idempotency_key,
                s.prev_hash,
                s.hash,
                s.hash_scheme,
            )
            for s in batch.events
        ]
        journal = list(map(_JOURNAL_ROW, batch.journal_lines))
        commands = [
            (*_COMMAND_KEY(c), _response(c["response"]), c["recorded_at"]) for c in batch.commands
        ]
        try:
            # A stream created meanwhile by someone else collides on (stream_id, version).
            await self._conn.copy_records_to_table("events", records=events, columns=EVENT_COLUMNS)
            await self._conn.copy_records_to_table(
                "journal", records=journal, columns=JOURNAL_COLUMNS
            )
            await self._conn.copy_records_to_table(
                "commands", records=commands, columns=COMMAND_COLUMNS
            )
            await self._conn.fetchval(
                UPSERT_MANY, _json(batch.accounts), _json(batch.items), _json(batch.pays)
            )
        except asyncpg.UniqueViolationError as e:
            raise ConcurrencyConflict(f"a stream of the batch moved on: {e}") from e


class AsyncpgBatchUnitOfWorkFactory:
    """One transaction per batch chunk, on the command path's pool."""

    def __init__(self, single: AsyncpgUnitOfWorkFactory) -> None:
        self._single = single

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncpgBatchUnitOfWork]:
        pool = await self._single.pool()
        async with pool.acquire() as conn, conn.transaction():
            yield AsyncpgBatchUnitOfWork(conn)
