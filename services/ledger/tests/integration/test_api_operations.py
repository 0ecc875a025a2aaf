"""HTTP contract: liveness, readiness, metrics, OpenAPI docs."""

from __future__ import annotations

import httpx

from .api_support import assert_problem
from .conftest import open_account


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


async def test_readyz_when_the_database_answers(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["database"]) == ("ready", "ok")


async def test_readyz_is_503_without_a_database(unreachable: httpx.AsyncClient) -> None:
    assert (await unreachable.get("/healthz")).status_code == 200  # alive, not ready
    r = await unreachable.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"


async def test_metrics_count_requests_by_route_template(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await client.get(f"/v1/accounts/{account_id}")
    await client.get("/v1/accounts/NO-SUCH-ACCOUNT-EVER")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'ledger_http_requests_total{method="POST",route="/v1/accounts",status="201"}' in text
    assert (
        'ledger_http_requests_total{method="GET",route="/v1/accounts/{account_id}",status="200"}'
        in text
    )
    assert (
        'ledger_http_requests_total{method="GET",route="/v1/accounts/{account_id}",status="404"}'
        in text
    )
    assert "ledger_http_request_seconds_bucket" in text
    assert account_id not in text  # ids never become label values


async def test_openapi_and_docs_are_served(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["info"]["title"] == "Receivables ledger"
    assert "/v1/accounts/{account_id}/payments" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404)
    assert_problem(await client.delete("/v1/accounts/X"), 405)
