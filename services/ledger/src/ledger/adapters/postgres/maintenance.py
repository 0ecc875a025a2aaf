"""Auditor and operator jobs: verify the hash chains, rebuild the projections."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres import event_store, read_models
from ledger.adapters.postgres.schema import PROJECTION_TABLES
from ledger.application.audit import ProjectionRows, VerifyReport, project_stream, verify_stream

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


async def verify_all(
    conn: AsyncConnection, key: bytes, progress: Progress | None = None
) -> VerifyReport:
    report = VerifyReport()
    async for head, stored, stream_id in event_store.scan_streams(conn):
        report.streams += 1
        report.events += len(stored)
        report.findings += verify_stream(stream_id, head, stored, key)
        if progress:
            progress(report.streams, report.events)
    return report


def _normalise(rows: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple(r[k] for k in keys))


async def rebuild(
    conn: AsyncConnection, *, apply: bool, progress: Progress | None = None
) -> dict[str, int]:
    """Fold every stream again; return the number of differing rows per table.

    With ``apply`` the live tables are replaced by the rebuilt rows (same transaction).
    """
    rebuilt = ProjectionRows()
    streams = events = 0
    async for _, stored, _ in event_store.scan_streams(conn):
        project_stream(stored, rebuilt)
        streams += 1
        events += len(stored)
        if progress:
            progress(streams, events)
    live = await read_models.dump_projections(conn)
    differences: dict[str, int] = {}
    for table in PROJECTION_TABLES:
        keys = [c.name for c in table.primary_key.columns]
        new = _normalise(getattr(rebuilt, table.name), keys)
        old = _normalise(live[table.name], keys)
        new_by_key = {tuple(r[k] for k in keys): r for r in new}
        old_by_key = {tuple(r[k] for k in keys): r for r in old}
        diff = sum(
            1
            for k in new_by_key.keys() | old_by_key.keys()
            if new_by_key.get(k) != old_by_key.get(k)
        )
        differences[table.name] = diff
        if diff:
            log.warning("projection %s: %d rows differ from the events", table.name, diff)
    if apply:
        await read_models.clear_projections(conn)
        for table in PROJECTION_TABLES:
            rows = getattr(rebuilt, table.name)
            if rows:
                await conn.execute(table.insert(), rows)
    return differences
