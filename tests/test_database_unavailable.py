"""Every service whose database does not answer (nothing listens on its port) says so:
a read is ``503 database-unavailable`` problem+json with ``Retry-After``, counted in
/metrics, and /readyz is 503; never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from billing.adapters.http.app import create_app as billing_app
from billing.bootstrap import build as billing_build
from billing.settings import Settings as BillingSettings
from cash.adapters.http.app import create_app as cash_app
from cash.bootstrap import build as cash_build
from cash.settings import Settings as CashSettings
from commission.adapters.http.app import create_app as commission_app
from commission.bootstrap import build as commission_build
from commission.settings import Settings as CommissionSettings
from dunning.adapters.http.app import create_app as dunning_app
from dunning.bootstrap import build as dunning_build
from dunning.settings import Settings as DunningSettings
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

CLOSED = "postgresql+asyncpg://nobody@127.0.0.1:1/down"

# service: (settings, build, app, a read route)
SERVICES: dict[str, tuple[Any, Callable[..., Any], Callable[..., FastAPI], str]] = {
    "dunning": (DunningSettings, dunning_build, dunning_app, "/v1/blacklist"),
    "commission": (CommissionSettings, commission_build, commission_app, "/v1/brokers"),
    "billing": (BillingSettings, billing_build, billing_app, "/v1/billing-runs"),
    "cash": (CashSettings, cash_build, cash_app, "/v1/imports"),
}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_read_on_an_unreachable_database_is_503(service: str) -> None:
    settings_type, build, create_app, path = SERVICES[service]
    identity = TestIdentity(service)
    built = build(settings_type(database_url=CLOSED, **identity.settings()))
    transport = httpx.ASGITransport(app=create_app(built))  # no lifespan: no background work
    headers = identity.headers(ADMIN, subject="admin@test")
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://svc", headers=headers
        ) as client:
            r = await client.get(path)
            ready = await client.get("/readyz")
            metrics = (await client.get("/metrics")).text
    finally:
        await built.close()
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["Retry-After"].isdigit()
    assert r.json()["type"] == f"urn:receivables-{service}:problem:database-unavailable"
    assert ready.status_code == 503, ready.text
    assert f'{service}_db_unavailable_total{{reason="unavailable"}} 1.0' in metrics
