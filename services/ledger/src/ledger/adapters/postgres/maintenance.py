"""Auditor and operator jobs: verify the hash chains, rebuild the projections."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres import checkpoints, event_store, read_models
from ledger.adapters.postgres.schema import PROJECTION_TABLES
from ledger.application import checkpoints as cp
from ledger.application.audit import (
    Finding,
    ProjectionRows,
    VerifyReport,
    fold_problems,
    verify_stream,
)

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


def _normalise(rows: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple(r[k] for k in keys))


async def rebuild(
    conn: AsyncConnection, key: bytes, *, apply: bool, progress: Progress | None = None
) -> tuple[dict[str, int], list[Finding]]:
    """Fold every stream again; return the number of differing rows per table, and the
    damage found in the events (a broken chain, or events that do not fold).

    With ``apply`` and no damage the live tables are replaced by the rebuilt rows (same
    transaction); damaged events are never projected.
    """
    rebuilt = ProjectionRows()
    damaged: list[Finding] = []
    streams = events = 0
    async for head, stored, stream_id in event_store.scan_streams(conn):
        found = verify_stream(stream_id, head, stored, key)
        if not found:
            found = fold_problems(stream_id, stored, rebuilt)
        damaged += found
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
    if damaged:
        return differences, damaged
    if apply:
        await read_models.clear_projections(conn)
        for table in PROJECTION_TABLES:
            rows = getattr(rebuilt, table.name)
            if rows:
                await conn.execute(table.insert(), rows)
    return differences, damaged
