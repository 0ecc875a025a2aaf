"""Section 2's yardstick: a trivial FastAPI endpoint under the same load as the ledger.

``bench/trivial.py`` served by uvicorn with the ledger's worker count, ``clients``
keep-alive clients posting a payment-shaped body for ``warmup`` (discarded) and then
``duration`` seconds. The ledger's posts/s over this rate says how much of what FastAPI
and uvicorn alone could serve the ledger keeps.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from harness import Figure, HttpClient, app_server, run_async

HERE = Path(__file__).resolve().parent
BODY = {
    "payment_id": "PAY-1",
    "amount": "100.00",
    "received_on": "2026-01-10",
    "method": "bank_transfer",
}


async def _load(port: int, clients: int, warmup: float, duration: float, fig: Figure) -> None:
    async def worker(n: int, stop: float, record: bool) -> None:
        client = HttpClient("127.0.0.1", port)
        try:
            while (t0 := time.perf_counter()) < stop:
                status, _ = await client.post(f"/v1/accounts/ACC-{n}/payments", BODY)
                if record:
                    fig.count += status == 201
                    fig.errors += status != 201
                    fig.latencies.append(time.perf_counter() - t0)
        finally:
            await client.close()

    for record, length in ((False, warmup), (True, duration)):
        begin = time.perf_counter()
        await asyncio.gather(*(worker(n, begin + length, record) for n in range(clients)))
        if record:
            fig.seconds = time.perf_counter() - begin


def run_trivial(workers: int, clients: int, warmup: float, duration: float) -> Figure:
    fig = Figure(f"trivial FastAPI endpoint, --workers {workers}")
    cmd = [sys.executable, "-m", "uvicorn", "trivial:app", "--app-dir", str(HERE)]
    cmd += ["--host", "127.0.0.1", "--workers", str(workers), "--log-level", "warning"]
    with app_server([*cmd, "--no-access-log"], dict(os.environ)) as server:
        run_async(lambda: _load(server.port, clients, warmup, duration, fig))
    fig.note = f"{clients} keep-alive clients, pydantic body, JSON answer"
    return fig
