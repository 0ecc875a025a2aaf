"""The demo-portfolio read benchmark (bench/demo_reads.py) loads a small demo year without a
refusal and prints its figures. A smoke test, not a timed one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "demo_reads.py"


def test_the_read_benchmarks_run_on_the_demo_portfolio(pg_admin_url: str, tmp_path: Path) -> None:
    out_json = tmp_path / "demo.json"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--policies",
            "40",
            "--samples",
            "20",
            "--aging-runs",
            "1",
            "--database-url",
            pg_admin_url,
            "--json",
            str(out_json),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    figures = json.loads(out_json.read_text())
    assert set(figures) == {"load", "balance", "aging"}
    assert all(f["errors"] == 0 for f in figures.values())
    assert figures["balance"]["count"] == 20
    assert figures["aging"]["count"] == 1
    assert "demo portfolio load, 40 policies" in done.stdout
    assert "accounts in the report" in done.stdout
