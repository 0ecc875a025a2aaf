"""The write path of commands: three statements and a commit, on a plain asyncpg pool.

1. lock the stream row, learn the transaction id and any earlier run of the command;
2. load the partial account state (one query returning JSON);
3. write events, projections, journal and the idempotency record in one statement of
   data-modifying CTEs; the database moves the stream head as the events are inserted
   (a trigger that refuses an event not linked to the current head: a conflict).

SQL is hand-written here (not SQLAlchemy Core) because this is the hot path: each command
costs three round trips plus the commit, instead of a dozen.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import asyncpg
import orjson
from sqlalchemy.engine import make_url

from ledger.application.ports import BatchWrite, Needs, Started, StreamBusy
from ledger.application.projections import Row, state_from_rows
from ledger.application.records import StoredEvent, StreamHead
from ledger.domain.errors import ConcurrencyConflict
from ledger.domain.state import Account

LOCK = """
SELECT s.version, s.head_position, s.head_hash,
       pg_current_xact_id()::text::bigint AS tx_id,
       (SELECT version FROM streams WHERE stream_id = $1) AS seen_version,
       c.request_hash, c.status_code, c.response::text AS response
FROM (SELECT 1) AS one
LEFT JOIN (SELECT * FROM streams WHERE stream_id = $1 FOR UPDATE) AS s ON true
LEFT JOIN commands AS c
       ON c.account_id = $1 AND c.command_type = $2 AND c.command_id = $3
"""

# Open items and payments with credit left only when the command needs them (auto
# allocation, refunds); named ones always. Each branch can use an index, so the cost
# follows what is open, never the length of the account's history.
LOAD = """
SELECT (SELECT to_jsonb(a) FROM accounts AS a WHERE a.account_id = $1)::text,
       (SELECT coalesce(jsonb_agg(i), '[]') FROM (
            SELECT * FROM open_items
             WHERE $4 AND account_id = $1 AND open_amount <> 0
            UNION ALL
            SELECT o.* FROM unnest($2::text[]) AS n(id) CROSS JOIN LATERAL (
                SELECT * FROM open_items WHERE account_id = $1 AND item_id = n.id
                OFFSET 0) AS o
             WHERE NOT ($4 AND o.open_amount <> 0)) AS i)::text,
       (SELECT coalesce(jsonb_agg(p), '[]') FROM (
            SELECT * FROM payments
             WHERE $5 AND account_id = $1 AND unapplied > 0
            UNION ALL
            SELECT o.* FROM unnest($3::text[]) AS n(id) CROSS JOIN LATERAL (
                SELECT * FROM payments WHERE account_id = $1 AND payment_id = n.id
                OFFSET 0) AS o
             WHERE NOT ($5 AND o.unapplied > 0)) AS p)::text
"""

# LOCK and LOAD in one statement (one round trip instead of two).
LOCK_LOAD = (
    """
SELECT s.version, s.head_position, s.head_hash,
       pg_current_xact_id()::text::bigint AS tx_id,
       (SELECT version FROM streams WHERE stream_id = $1) AS seen_version,
       c.request_hash, c.status_code, c.response::text AS response, l.*
FROM (SELECT 1) AS one
LEFT JOIN (SELECT * FROM streams WHERE stream_id = $1 FOR UPDATE) AS s ON true
LEFT JOIN commands AS c
       ON c.account_id = $1 AND c.command_type = $6 AND c.command_id = $7
CROSS JOIN ("""
    + LOAD
    + """) AS l
"""
)

# The same, refusing at once (LockNotAvailable) when another transaction holds the stream.
LOCK_NOWAIT, LOCK_LOAD_NOWAIT = (
    q.replace("FOR UPDATE) AS s", "FOR UPDATE NOWAIT) AS s") for q in (LOCK, LOCK_LOAD)
)

FIND_COMMAND = """
SELECT request_hash, status_code, response::text FROM commands
 WHERE account_id = $1 AND command_type = $2 AND command_id = $3
"""

LOAD_ITEMS = """
SELECT coalesce(jsonb_agg(i), '[]')::text FROM unnest($2::text[]) AS n(id) CROSS JOIN LATERAL (
    SELECT * FROM open_items WHERE account_id = $1 AND item_id = n.id OFFSET 0) AS i
"""

LOAD_PAYMENTS = """
SELECT coalesce(jsonb_agg(p), '[]')::text FROM unnest($2::text[]) AS n(id) CROSS JOIN LATERAL (
    SELECT * FROM payments WHERE account_id = $1 AND payment_id = n.id OFFSET 0) AS p
"""


def _upsert(table: str, key: str, columns: str, param: str) -> str:
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns.split(", "))
    return (
        f"INSERT INTO {table} SELECT * FROM jsonb_populate_recordset(NULL::{table}, {param})"
        f" ON CONFLICT ({key}) DO UPDATE SET {sets} RETURNING 1"
    )


_ACCOUNT_COLS = (
    "name, currency, jurisdiction, credit_limit, payment_terms_days, broker_id, status, "
    "opened_on, version, invoiced, received, reversed, credited, adjusted, written_off, "
    "recovered, refunded, open, unapplied, pending"
)
_ITEM_COLS = (
    "kind, issue_date, due_date, amount, adjusted, credited, written_off, recovered, paid, "
    "open_amount, status, disputed, dispute_reason, policy_id, broker_id, allocations"
)
_PAYMENT_COLS = "amount, received_on, method, reference, allocations, refunded, reversed, unapplied"

WRITE = f"""
WITH ev AS (
    INSERT INTO events SELECT * FROM jsonb_populate_recordset(NULL::events, $1::jsonb)
    RETURNING 1
), acc AS ({_upsert("accounts", "account_id", _ACCOUNT_COLS, "$2::jsonb")}
), itm AS ({_upsert("open_items", "account_id, item_id", _ITEM_COLS, "$3::jsonb")}
), pay AS ({_upsert("payments", "account_id, payment_id", _PAYMENT_COLS, "$4::jsonb")}
), jrn AS (
    INSERT INTO journal SELECT * FROM jsonb_populate_recordset(NULL::journal, $5::jsonb)
    RETURNING 1
), cmd AS (
    -- the responses as text beside the records, so a replay answers the very same JSON
    INSERT INTO commands
    SELECT c.account_id, c.command_type, c.command_id, c.request_hash, c.status_code,
           r.body::json, c.recorded_at
      FROM unnest($7::text[]) WITH ORDINALITY AS r(body, n)
     CROSS JOIN LATERAL jsonb_populate_record(NULL::commands, $6::jsonb -> (r.n::int - 1)) AS c
    RETURNING 1
)
SELECT (SELECT count(*) FROM ev)
"""

_DATE_FIELDS = ("opened_on", "issue_date", "due_date", "received_on")


def _json(value: Any) -> str:
    """Parameters for ``jsonb_populate_recordset``: dates, times and UUIDs as orjson writes
    them, bytes in PostgreSQL's hex form, decimals as their digits."""
    return orjson.dumps(value, default=_encode).decode()


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return str(value)  # Decimal


def _response(body: Any) -> str:
    """A response as the HTTP layer renders it, so a replay sends the same bytes."""
    return orjson.dumps(body).decode()


def _command_records(commands: list[Row]) -> tuple[str, list[str]]:
    """Idempotency records for WRITE: the records but their responses, and the responses."""
    records = [{k: v for k, v in c.items() if k != "response"} for c in commands]
    return _json(records), [_response(c["response"]) for c in commands]


def _rows(text: str | None) -> list[Row]:
    if not text:
        return []
    rows = orjson.loads(text)
    for row in rows if isinstance(rows, list) else [rows]:
        for f in _DATE_FIELDS:
            if isinstance(row.get(f), str):
                row[f] = date.fromisoformat(row[f])
    return rows if isinstance(rows, list) else [rows]


def _event_row(s: StoredEvent) -> Row:
    return {
        "position": s.position,
        "stream_id": s.stream_id,
        "version": s.version,
        "event_id": s.event_id,
        "event_type": s.event_type,
        "schema_version": s.schema_version,
        "data": s.data,
        "effective_date": s.effective_date,
        "recorded_at": s.recorded_at,
        "actor": s.actor,
        "correlation_id": s.correlation_id,
        "causation_id": s.causation_id,
        "idempotency_key": s.idempotency_key,
        "prev_hash": s.prev_hash,
        "hash": s.hash,
        "hash_scheme": s.hash_scheme,
    }


class AsyncpgUnitOfWork:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self._loaded: Any = None
        self._version: int | None = None

    async def begin(
        self,
        account_id: str,
        command_type: str,
        command_id: str,
        needs: Needs | None = None,
        *,
        wait: bool = True,
    ) -> Started:
        try:
            r = await self._lock(account_id, command_type, command_id, needs, wait)
        except asyncpg.LockNotAvailableError as e:
            raise StreamBusy(f"stream {account_id} is held by another transaction") from e
        self._version = r["version"]
        command = (r["request_hash"], r["status_code"], r["response"])
        if r["seen_version"] != r["version"]:
            # We waited for the lock: the statement's snapshot predates the writer we
            # waited for, so its reads are stale. Look for the command again; state is
            # reloaded by load_state.
            self._loaded = None
            found = await self._conn.fetchrow(FIND_COMMAND, account_id, command_type, command_id)
            command = tuple(found) if found else (None, None, None)
        head = (
            None
            if r["version"] is None
            else StreamHead(r["version"], r["head_position"], bytes(r["head_hash"]))
        )
        done = None
        request_hash, status_code, response = command
        if request_hash is not None:
            done = {
                "request_hash": bytes(request_hash),
                "status_code": status_code,
                "response": orjson.loads(response),
            }
        return Started(head=head, tx_id=r["tx_id"], done=done)

    async def _lock(
        self,
        account_id: str,
        command_type: str,
        command_id: str,
        needs: Needs | None,
        wait: bool,
    ) -> asyncpg.Record:
        if needs is None:
            return await self._conn.fetchrow(
                LOCK if wait else LOCK_NOWAIT, account_id, command_type, command_id
            )
        # The statement's snapshot predates its wait for the lock: load_state uses the
        # rows only if they are of the version now locked, else reads them again.
        r = await self._conn.fetchrow(
            LOCK_LOAD if wait else LOCK_LOAD_NOWAIT,
            account_id,
            list(needs.item_ids),
            list(needs.payment_ids),
            needs.open_items,
            needs.credit,
            command_type,
            command_id,
        )
        self._loaded = (needs, r[8], r[9], r[10])
        return r

    async def load_state(self, account_id: str, needs: Needs) -> Account | None:
        item_ids, payment_ids = needs.item_ids, needs.payment_ids
        account = None
        if self._loaded is not None and self._loaded[0] == needs and self._loaded[1]:
            account = _rows(self._loaded[1])[0]
            items_json, pays_json = self._loaded[2], self._loaded[3]
        self._loaded = None
        if account is None or account["version"] != self._version:
            account_json, items_json, pays_json = await self._conn.fetchrow(
                LOAD,
                account_id,
                list(item_ids),
                list(payment_ids),
                needs.open_items,
                needs.credit,
            )
            if account_json is None:
                return None
            account = _rows(account_json)[0]
        items, pays = _rows(items_json), _rows(pays_json)
        have_items = {r["item_id"] for r in items}
        have_pays = {r["payment_id"] for r in pays}
        # what the named items and payments are tied to by allocations
        more_pays = {p for r in items if r["item_id"] in item_ids for p in r["allocations"]}
        more_items = {i for r in pays if r["payment_id"] in payment_ids for i in r["allocations"]}
        if more_items - have_items:
            items += _rows(
                await self._conn.fetchval(LOAD_ITEMS, account_id, list(more_items - have_items))
            )
        if more_pays - have_pays:
            pays += _rows(
                await self._conn.fetchval(LOAD_PAYMENTS, account_id, list(more_pays - have_pays))
            )
        return state_from_rows(account, items, pays)

    async def write(
        self,
        *,
        head: StreamHead | None,
        stored: list[StoredEvent],
        account: Row | None,
        items: list[Row],
        pays: list[Row],
        journal_lines: list[Row],
        command: Row | None,
    ) -> None:
        await write_all(
            self._conn,
            BatchWrite(
                events=stored,
                accounts=[account] if account else [],
                items=items,
                pays=pays,
                journal_lines=journal_lines,
                commands=[command] if command else [],
            ),
        )


async def write_all(conn: asyncpg.Connection, rows: BatchWrite) -> None:
    """Events, projections, journal and idempotency records of any number of streams in
    one statement; ConcurrencyConflict if a stream moved on."""
    try:
        events_written = await conn.fetchval(
            WRITE,
            _json([_event_row(s) for s in rows.events]),
            _json(rows.accounts),
            _json(rows.items),
            _json(rows.pays),
            _json(rows.journal_lines),
            *_command_records(rows.commands),
        )
    except asyncpg.UniqueViolationError as e:
        raise ConcurrencyConflict(f"a stream moved on: {e}") from e
    if events_written != len(rows.events):
        raise ConcurrencyConflict("a stream moved on")


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The libpq-style DSN asyncpg takes, from the service's SQLAlchemy URL."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query on release: the command path changes no session state
    (an open transaction is still rolled back by the pool)."""


class AsyncpgUnitOfWorkFactory:
    """Hands out one transaction per command from a pool made on first use."""

    def __init__(self, url: str, *, role: str = "", pool_size: int = 20) -> None:
        self._dsn = asyncpg_dsn(url)
        # Generic plans only: the statements are prepared once per connection, and custom
        # plans would be re-planned on every execution.
        self._settings = {"plan_cache_mode": "force_generic_plan"}
        if role:
            self._settings["role"] = role
        self._size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=1,
                        max_size=self._size,
                        server_settings=self._settings,
                        reset=_keep_session,
                    )
        return self._pool

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncpgUnitOfWork]:
        pool = await self.pool()
        async with pool.acquire() as conn, conn.transaction():
            yield AsyncpgUnitOfWork(conn)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
