"""Running a benchmark script of ``bench/`` as its smoke tests do: on the test server, with
its figures written to a JSON file, asserting that it exits 0 and prints what it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_bench(
    script: str,
    database_url: str,
    out_json: Path,
    *args: str,
    timeout: float,
    printed: Iterable[str] = (),
) -> Any:
    """``bench/<script> *args --database-url ... --json out_json``: the figures it wrote."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / script),
            *args,
            "--database-url",
            database_url,
            "--json",
            str(out_json),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    for label in printed:
        assert label in done.stdout, f"{label!r} missing from:\n{done.stdout}"
    return json.loads(out_json.read_text())
