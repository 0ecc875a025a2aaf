"""The ledger benchmark (bench/run.py) still runs and prints every figure it promises.

A smoke test, not a timed one: ``--quick`` shrinks every size so the whole script (raw
ceiling, ``ledger serve`` with 1 and 2 workers, the eventsourcing peer, latency against
history, batch ingest against raw COPY of events and of a batch's rows, reads at scale,
projection rebuild, dunning and commission consuming and replaying the ledger's feed) runs
in seconds on the test server. No figure is compared with a target here.
"""

from __future__ import annotations

import math
from pathlib import Path

from .support import run_bench

PRINTED = (
    "(1) ceiling",
    "raw PostgreSQL INSERT+COMMIT",
    "ledger HTTP posts, uvicorn --workers 1",
    "ledger HTTP posts, uvicorn --workers 2",
    "eventsourcing peer, commands",
    "ledger latency, 10 events, vacuumed",
    "ledger latency, 200 events, vacuumed",
    "ledger latency, 200 events, just built",
    "CPU ms/command",
    "ledger / raw ceiling",
    "ledger / eventsourcing peer",
    "latency@200 / latency@10",
    "trivial FastAPI endpoint",
    "ledger / trivial FastAPI",
    "(5) batch ingest",
    "raw COPY into events",
    "raw COPY of the batches' rows",
    "raw COPY of a batch's rows / raw COPY of events",
    "batch / raw COPY of a batch's rows",
    "(6) reads at scale",
    "aging report",
    "(7) projection rebuild",
    "batch ingest / raw COPY",
    "balance p99",
    "aim >=",
    "aim <=",
    "(8) consumers of the ledger's feed",
    "dunning consume (HTTP feed)",
    "dunning replay",
    "commission consume (HTTP feed)",
    "commission replay",
)


def test_quick_benchmark_prints_every_figure(pg_admin_url: str, tmp_path: Path) -> None:
    result = run_bench(
        "run.py", pg_admin_url, tmp_path / "bench.json", "--quick", timeout=900, printed=PRINTED
    )

    figures = result["figures"]
    assert set(figures) == {
        "raw",
        "ledger_w1",
        "ledger_w2",
        "latency_short",
        "latency_long",
        "latency_short_unvacuumed",
        "latency_long_unvacuumed",
        "peer",
        "peer_latency_short",
        "peer_latency_long",
        "trivial",
        "batch_ingest",
        "raw_copy",
        "raw_copy_batch_rows",
        "balance",
        "aging",
        "rebuild",
        "dunning_consume",
        "dunning_replay",
        "commission_consume",
        "commission_replay",
        "ledger_events_per_command",
    }
    for name, fig in figures.items():
        assert fig["count"] > 0, name
        assert fig["errors"] == 0, name
        assert fig["rate"] > 0, name
    scale = (
        "batch_vs_copy",
        "batch_rows_vs_copy",
        "batch_vs_batch_rows",
        "balance_p99_ms",
        "aging_s",
        "rebuild_events_per_s",
    )
    consumers = ("dunning_consume_vs_ledger", "commission_replay_vs_ledger")
    for name in (
        "ledger_vs_raw",
        "ledger_vs_peer",
        "latency_long_vs_short_p50",
        *scale,
        *consumers,
    ):
        value = result["ratios"][name]
        assert math.isfinite(value), name
        assert value > 0, name
