"""The billing benchmark (bench/billing_run.py) still runs and prints every figure.

A smoke test, not a timed one: ``--quick`` bills 40 policies; no figure is compared with a
target, only that the run invoiced every policy once and the re-run invoiced nothing.
"""

from __future__ import annotations

from pathlib import Path

from .support import run_bench


def test_quick_billing_benchmark_bills_every_policy_once(pg_admin_url: str, tmp_path: Path) -> None:
    result = run_bench(
        "billing_run.py",
        pg_admin_url,
        tmp_path / "billing.json",
        "--quick",
        timeout=240,
        printed=(
            "raw PostgreSQL INSERT+COMMIT",
            "billing run, invoices posted",
            "billing re-run, nothing to bill",
            "billing invoices/s / raw ceiling",
        ),
    )
    raw, raw1, run, rerun = result["figures"]
    assert run["count"] == 40  # one invoice per policy
    assert rerun["count"] == 40  # policies looked at, none billed again
    assert "invoice" not in rerun["note"]
    assert all(f["rate"] > 0 for f in (raw, raw1, run, rerun))
    assert result["billing_vs_raw"] > 0
