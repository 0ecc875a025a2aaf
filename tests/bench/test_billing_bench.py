"""The billing benchmark (bench/billing_run.py) still runs and prints every figure.

A smoke test, not a timed one: ``--quick`` bills 40 policies; no figure is compared with a
target, only that the run invoiced every policy once and the re-run invoiced nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "billing_run.py"


def test_quick_billing_benchmark_bills_every_policy_once(pg_admin_url: str, tmp_path: Path) -> None:
    out_json = tmp_path / "billing.json"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--quick",
            "--database-url",
            pg_admin_url,
            "--json",
            str(out_json),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    for label in (
        "raw PostgreSQL INSERT+COMMIT",
        "billing run, invoices posted",
        "billing re-run, nothing to bill",
        "billing invoices/s / raw ceiling",
    ):
        assert label in done.stdout, f"{label!r} missing from:\n{done.stdout}"
    result = json.loads(out_json.read_text())
    raw, raw1, run, rerun = result["figures"]
    assert run["count"] == 40  # one invoice per policy
    assert rerun["count"] == 40  # policies looked at, none billed again
    assert "invoice" not in rerun["note"]
    assert all(f["rate"] > 0 for f in (raw, raw1, run, rerun))
    assert result["billing_vs_raw"] > 0
