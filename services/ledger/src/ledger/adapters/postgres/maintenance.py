"""Auditor and operator jobs: verify the hash chains, rebuild the projections."""

from __future__ import annotations

import logging
from collections.abc import Callable
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres import checkpoints, event_store
from ledger.adapters.postgres.schema import PROJECTION_TABLES
from ledger.application import checkpoints as cp
from ledger.application.audit import (
    Finding,
    ProjectionRows,
    VerifyReport,
    fold_problems,
    verify_stream,
)
from ledger.application.projections import Row

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


async def verify_all(
    conn: AsyncConnection, key: bytes, progress: Progress | None = None
) -> VerifyReport:
    """Every stream's chain, and every stream and tail the checkpoints saw still there."""
    report = VerifyReport()
    taken = await checkpoints.load_all(conn)
    report.findings += [Finding("(checkpoints)", None, p) for p in cp.check_chain(key, taken)]
    expected = cp.fold_heads(taken)
    coverage = cp.Coverage(horizon=taken[-1].horizon if taken else 0)
    seen: set[str] = set()
    async for head, stored, stream_id in event_store.scan_streams(conn):
        seen.add(stream_id)
        report.streams += 1
        report.events += len(stored)
        report.findings += verify_stream(stream_id, head, stored, key)
        coverage.add_stream(stream_id, stored, expected)
        if progress:
            progress(report.streams, report.events)
    report.findings += [Finding(k, None, p) for k, p in sorted(coverage.missing.items())]
    report.findings += [
        Finding(k, None, f"checkpointed at version {expected[k][0]}: the whole stream is gone")
        for k in cp.removed_streams(expected, seen)
    ]
    if taken:
        checked = cp.check_coverage(taken[-1], coverage)
        report.findings += [Finding("(checkpoints)", None, p) for p in checked]
        report.checkpoint = taken[-1]
    return report


# What a rebuild buffers before copying it into its scratch tables (rows of any table).
COPY_ROWS = 50_000


class _Scratch:
    """The rebuilt rows of one projection table, copied into a temporary table of the
    same columns as they come (nothing held in memory but the rows not yet copied)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.name = f"rebuilt_{table.name}"
        self.columns = [c.name for c in table.columns]
        # JSONB is a JSON: the driver takes its text
        self.json = [n for n, c in enumerate(table.columns) if isinstance(c.type, JSON)]
        self.keys = [c.name for c in table.primary_key.columns]
        self.values = itemgetter(*self.columns)
        self.pending: list[Any] = []

    def add(self, rows: list[Row]) -> None:
        records = map(self.values, rows)
        if self.json:
            records = map(self._json_as_text, records)
        self.pending += records

    def _json_as_text(self, values: tuple[Any, ...]) -> list[Any]:
        out = list(values)
        for n in self.json:
            out[n] = orjson.dumps(out[n]).decode()
        return out

    async def copy(self, driver: Any) -> None:
        if self.pending:
            await driver.copy_records_to_table(
                self.name, records=self.pending, columns=self.columns
            )
            self.pending = []

    def _same_key(self, a: str, b: str) -> str:
        return " AND ".join(f"{a}.{k} = {b}.{k}" for k in self.keys)

    def differing_sql(self) -> str:
        """Keys whose row differs between the rebuilt and the live table (or is in one)."""
        k = self.keys[0]
        return (
            f"SELECT count(*) FROM {self.name} r FULL JOIN {self.table.name} l "
            f"ON {self._same_key('r', 'l')} "
            f"WHERE r.{k} IS NULL OR l.{k} IS NULL OR ROW(r.*) IS DISTINCT FROM ROW(l.*)"
        )

    def replace_sql(self) -> list[str]:
        """Make the live table the rebuilt one, touching only the rows that differ."""
        live = self.table.name
        return [
            f"DELETE FROM {live} l WHERE NOT EXISTS (SELECT FROM {self.name} r "
            f"WHERE {self._same_key('r', 'l')} AND ROW(r.*) IS NOT DISTINCT FROM ROW(l.*))",
            f"INSERT INTO {live} SELECT * FROM {self.name} r "
            f"WHERE NOT EXISTS (SELECT FROM {live} l WHERE {self._same_key('r', 'l')})",
        ]


async def rebuild(
    conn: AsyncConnection,
    key: bytes,
    *,
    apply: bool,
    progress: Progress | None = None,
    page: int = event_store.SCAN_PAGE,
) -> tuple[dict[str, int], list[Finding]]:
    """Fold every stream again; return the number of differing rows per table, and the
    damage found in the events (a broken chain, or events that do not fold).

    The events are read ``page`` at a time and the rebuilt rows copied into temporary
    tables as they come; PostgreSQL compares them with the live tables. With ``apply``
    and no damage the live tables are made equal to the rebuilt rows (same transaction;
    only differing rows are touched); damaged events are never projected.
    """
    scratch = [_Scratch(t) for t in PROJECTION_TABLES]
    for s in scratch:
        await conn.execute(
            text(f"CREATE TEMPORARY TABLE {s.name} (LIKE {s.table.name}) ON COMMIT DROP")
        )
    driver: Any = (await conn.get_raw_connection()).driver_connection
    damaged: list[Finding] = []
    streams = events = 0
    async for scanned in event_store.scan_pages(conn, page):
        rebuilt = ProjectionRows()
        for head, stored, stream_id in scanned:
            found = verify_stream(stream_id, head, stored, key)
            if not found:
                found = fold_problems(stream_id, stored, rebuilt)
            damaged += found
            streams += 1
            events += len(stored)
        for s in scratch:
            s.add(getattr(rebuilt, s.table.name))
            if len(s.pending) >= COPY_ROWS:
                await s.copy(driver)
        if progress:
            progress(streams, events)
    differences: dict[str, int] = {}
    for s in scratch:
        await s.copy(driver)
        await driver.execute(f"ANALYZE {s.name}")
        differences[s.table.name] = diff = await driver.fetchval(s.differing_sql())
        if diff:
            log.warning("projection %s: %d rows differ from the events", s.table.name, diff)
    if damaged:
        return differences, damaged
    if apply:
        for s in scratch:
            if differences[s.table.name]:
                for sql in s.replace_sql():
                    await driver.execute(sql)
    return differences, damaged
