"""The demo-portfolio read benchmark (bench/demo_reads.py) loads a small demo year without a
refusal and prints its figures. A smoke test, not a timed one."""

from __future__ import annotations

from pathlib import Path

from .support import run_bench


def test_the_read_benchmarks_run_on_the_demo_portfolio(pg_admin_url: str, tmp_path: Path) -> None:
    args = ("--policies", "40", "--samples", "20", "--aging-runs", "1")
    figures = run_bench(
        "demo_reads.py",
        pg_admin_url,
        tmp_path / "demo.json",
        *args,
        timeout=900,
        printed=("demo portfolio load, 40 policies", "accounts in the report"),
    )
    assert set(figures) == {"load", "balance", "aging"}
    assert all(f["errors"] == 0 for f in figures.values())
    assert figures["balance"]["count"] == 20
    assert figures["aging"]["count"] == 1
