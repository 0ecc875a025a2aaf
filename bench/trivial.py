"""The yardstick for the ledger's HTTP posts: a trivial FastAPI endpoint (``bench/run.py``).

It validates a payment-shaped body with pydantic and answers it back, under the same
uvicorn settings as ``ledger serve``: what FastAPI, uvicorn and JSON cost with no ledger
behind them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class PaymentBody(BaseModel):
    payment_id: str
    amount: str
    received_on: date
    method: str


@app.post("/v1/accounts/{account_id}/payments", status_code=201)
async def receive_payment(account_id: str, body: PaymentBody) -> dict[str, Any]:
    return {"account_id": account_id, **body.model_dump(mode="json")}


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ready"}
