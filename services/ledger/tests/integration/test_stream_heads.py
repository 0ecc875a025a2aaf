"""The append trigger (DESIGN 1, 2, 8): one statement may append to many streams, in any
row order; each stream's new events must link one to the next and the first of them to
the stream's head, else the statement writes nothing; the head moves onto the newest.

Rows are written as the batch path writes them (a COPY) and as the single path does (an
INSERT), by the service's role, below the application: the database alone decides."""

from __future__ import annotations

import hashlib
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from devstack.pgurl import libpq_url
from devstack.pytest_plugin import DatabaseFactory
from ledger.adapters.postgres.batch_store import EVENT_COLUMNS, TX_ID
from ledger.application.sealing import ORDINAL_BITS
from ledger.testing import migrated

Row = tuple[Any, ...]


@pytest.fixture(scope="module")
def database(make_database: DatabaseFactory) -> str:
    """A database of this module's own: its streams hold made-up events (hashes no chain
    key made), which the shared database's verify and feed would trip over."""
    url = make_database("stream_heads")
    migrated(url)
    return url


@pytest.fixture
async def writer(database: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the service's role, as the ledger's pool makes them."""
    conn = await asyncpg.connect(libpq_url(database), server_settings={"role": "ledger_writer"})
    yield conn
    await conn.close()


def _digest(stream: str, version: int) -> bytes:
    return hashlib.sha256(f"{stream}/{version}".encode()).digest()


def _row(stream: str, version: int, prev: bytes | None) -> Row:
    return (
        0,  # the position: the writing transaction's, given as the rows are written
        stream,
        version,
        uuid4(),
        "InvoiceDisputed",
        1,
        '{"invoice_id": "INV-1"}',
        date(2026, 1, 2),
        datetime.now(UTC),
        "test",
        None,
        None,
        None,
        prev,
        _digest(stream, version),
        2,
    )


def _run(stream: str, first: int, last: int) -> list[Row]:
    """Events ``first`` to ``last`` of ``stream``, each linked to the one before."""
    return [
        _row(stream, v, None if v == 1 else _digest(stream, v - 1)) for v in range(first, last + 1)
    ]


async def _placed(conn: asyncpg.Connection, rows: list[Row]) -> list[Row]:
    """The rows at the positions the service would give them in this transaction (the
    feed reads by position: a position ahead of every transaction would hold it back)."""
    tx_id = await conn.fetchval(TX_ID)
    return [((tx_id << ORDINAL_BITS) + n, *r[1:]) for n, r in enumerate(rows)]


async def _copy(conn: asyncpg.Connection, rows: list[Row]) -> None:
    async with conn.transaction():
        placed = await _placed(conn, rows)
        await conn.copy_records_to_table("events", records=placed, columns=EVENT_COLUMNS)


async def _insert(conn: asyncpg.Connection, rows: list[Row]) -> None:
    async with conn.transaction():
        await _insert_placed(conn, await _placed(conn, rows))


async def _insert_placed(conn: asyncpg.Connection, rows: list[Row]) -> None:
    columns = ", ".join(EVENT_COLUMNS)
    values = ", ".join(
        "("
        + ", ".join(f"${n * len(EVENT_COLUMNS) + i + 1}" for i in range(len(EVENT_COLUMNS)))
        + ")"
        for n in range(len(rows))
    )
    await conn.execute(
        f"INSERT INTO events ({columns}) VALUES {values}", *[v for r in rows for v in r]
    )


Write = Callable[[asyncpg.Connection, list[Row]], Any]
WRITES = [pytest.param(_copy, id="copy"), pytest.param(_insert, id="insert")]


async def _heads(conn: asyncpg.Connection, streams: list[str]) -> dict[str, tuple[int, bytes]]:
    rows = await conn.fetch(
        "SELECT stream_id, version, head_hash FROM streams WHERE stream_id = ANY($1::text[])",
        streams,
    )
    return {r["stream_id"]: (r["version"], bytes(r["head_hash"])) for r in rows}


async def _count(conn: asyncpg.Connection, streams: list[str]) -> int:
    sql = "SELECT count(*) FROM events WHERE stream_id = ANY($1::text[])"
    return int(await conn.fetchval(sql, streams))


@pytest.mark.parametrize("write", WRITES)
async def test_one_statement_moves_each_head_onto_its_newest_event(
    writer: asyncpg.Connection, write: Write
) -> None:
    a, b, c = (f"HEAD-{uuid4().hex[:8]}" for _ in range(3))
    await write(writer, _run(c, 1, 2))
    rows = _run(a, 1, 3) + _run(b, 1, 1) + _run(c, 3, 5)
    random.Random(7).shuffle(rows)  # the rows' order in the statement does not matter
    await write(writer, rows)
    assert await _heads(writer, [a, b, c]) == {
        a: (3, _digest(a, 3)),
        b: (1, _digest(b, 1)),
        c: (5, _digest(c, 5)),
    }
    newest = await writer.fetchval(
        "SELECT head_position = (SELECT position FROM events WHERE stream_id = $1 AND version = 5)"
        " FROM streams WHERE stream_id = $1",
        c,
    )
    assert newest is True


def _broken_link(s: str) -> list[Row]:
    rows = _run(s, 3, 5)
    rows[1] = _row(s, 4, _digest(s, 1))  # event 4 links to event 1's hash
    return rows


def _gap(s: str) -> list[Row]:
    return _run(s, 3, 4) + _run(s, 6, 6)


def _not_from_the_head(s: str) -> list[Row]:
    return [_row(s, 3, _digest(s, 1)), *_run(s, 4, 4)]  # the head is event 2


def _past_the_head(s: str) -> list[Row]:
    return _run(s, 4, 5)


def _behind_the_head(s: str) -> list[Row]:
    return _run(s, 2, 3)  # event 2 is there already


def _new_stream_again(s: str) -> list[Row]:
    return [_row(s, 1, None)]


def _first_event_linked(s: str) -> list[Row]:
    new = f"{s}-NEW"
    return [_row(new, 1, _digest(new, 0)), *_run(new, 2, 2)]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize(
    ("rows", "error"),
    [
        (_broken_link, asyncpg.UniqueViolationError),
        (_gap, asyncpg.UniqueViolationError),
        (_not_from_the_head, asyncpg.UniqueViolationError),
        (_past_the_head, asyncpg.UniqueViolationError),
        (_behind_the_head, asyncpg.UniqueViolationError),
        (_new_stream_again, asyncpg.UniqueViolationError),
        (_first_event_linked, asyncpg.CheckViolationError),
    ],
)
async def test_a_statement_with_an_unlinked_event_writes_nothing(
    writer: asyncpg.Connection,
    write: Write,
    rows: Callable[[str], list[Row]],
    error: type[Exception],
) -> None:
    """Each break is refused with the code the service maps (a conflict, or a check), and
    the statement's other streams, linked as they should be, are not written either."""
    s, other = f"HEAD-{uuid4().hex[:8]}", f"HEAD-{uuid4().hex[:8]}"
    await write(writer, _run(s, 1, 2))
    before = await _heads(writer, [s])
    with pytest.raises(error):
        await write(writer, _run(other, 1, 2) + rows(s))
    assert await _heads(writer, [s, other]) == before
    assert await _count(writer, [s, other, f"{s}-NEW"]) == 2
