"""Every service's ``/docs`` is Swagger UI from the service itself (servicekit.docs)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from billing.adapters.http.app import create_app as billing
from cash.adapters.http.app import create_app as cash
from commission.adapters.http.app import create_app as commission
from console.adapters.web.app import create_app as console
from dunning.adapters.http.app import create_app as dunning
from ledger.adapters.http.app import create_app as ledger

SERVICES: dict[str, Callable[[], FastAPI]] = {
    "ledger": ledger,
    "dunning": dunning,
    "commission": commission,
    "billing": billing,
    "cash": cash,
    "console": console,
}


@pytest.mark.parametrize("service", SERVICES)
async def test_the_docs_of_each_service_load_nothing_from_elsewhere(service: str) -> None:
    app = SERVICES[service]()  # built, not started: the docs need no database
    transport = httpx.ASGITransport(app=app.router)  # the routes, without the middleware
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        page = await client.get("/docs")
        css = await client.get("/docs/assets/swagger-ui.css")
        redoc = await client.get("/redoc")
    assert page.status_code == 200
    assert "://" not in page.text
    assert 'src="/docs/assets/swagger-ui-bundle.js"' in page.text
    assert css.status_code == 200
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert redoc.status_code == 404
