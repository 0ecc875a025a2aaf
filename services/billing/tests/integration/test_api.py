"""The HTTP edge: bad input is a 4xx problem naming the field and writes nothing; set-up
is idempotent; the operational endpoints answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from billing.cli import _run
from billing.settings import Settings
from devstack.pytest_plugin import DatabaseFactory
from ledger.testing import InProcessLedger
from servicekit.edge import MiB

from .conftest import World, make_world

PRODUCT = {
    "product": "gm",
    "description": "Group medical",
    "rates": [{"tier": "A", "annual_premium": "1200.00"}],
}


def body(world: World, account: str, **fields: Any) -> dict[str, Any]:
    return {
        "policy_id": world.id("P"),
        "account_id": account,
        "frequency": "monthly",
        "term_start": "2026-01-01",
        "products": [PRODUCT],
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"frequency": "weekly"}, 422, "frequency"),
        ({"billing_day": 32}, 422, "billing_day"),
        ({"term_end": "2027-01-01"}, 422, "term_end"),
        ({"term_start": "2026-02-30"}, 422, "term_start"),
        ({"products": []}, 422, "products"),
        (
            {"products": [{**PRODUCT, "rates": [{"tier": "A", "annual_premium": 1200}]}]},
            422,
            "products[0].rates[0].annual_premium",
        ),
        (
            {"products": [{**PRODUCT, "rates": [{"tier": "A", "annual_premium": "1.001"}]}]},
            422,
            "products[0].rates[0].annual_premium",
        ),
        ({"products": [PRODUCT, PRODUCT]}, 422, "products"),
        ({"products": [{**PRODUCT, "tax_rate": "1.5"}]}, 422, "products[0].tax_rate"),
        ({"account_id": "NO-SUCH-ACCOUNT"}, 422, "account_id"),
        ({"policy_id": "bad id!"}, 422, "policy_id"),
        (
            {"members": [{"member_id": "M1", "name": "A", "tier": "Z", "start": "2026-01-01"}]},
            422,
            "tier",
        ),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
async def test_a_bad_policy_is_refused_naming_the_field(
    world: World, fields: dict[str, Any], status: int, field: str
) -> None:
    account = await world.account()
    r = await world.api.post("/v1/policies", json=body(world, account, **fields))
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == field, r.json()
    assert (await world.api.get(f"/v1/policies/{world.id('P')}")).status_code == 404


async def test_setting_up_twice_is_one_policy_and_another_body_is_a_conflict(world: World) -> None:
    account = await world.account()
    first = await world.api.post("/v1/policies", json=body(world, account))
    assert first.status_code == 201
    again = await world.api.post("/v1/policies", json=body(world, account))
    assert again.status_code == 200
    assert again.json() == first.json()
    other = await world.api.post("/v1/policies", json=body(world, account, frequency="annual"))
    assert other.status_code == 409
    assert other.json()["field"] == "policy_id"


async def test_member_changes_are_checked_against_the_cover(world: World) -> None:
    policy = await world.policy()
    path = f"/v1/policies/{policy}/members"
    ann = {"member_id": "M1", "name": "Ann", "tier": "A", "start": "2026-01-01"}
    assert (await world.api.post(path, json={"members": [ann], "reason": "x"})).status_code == 201
    cases = [
        (
            path,
            {"members": [{**ann, "member_id": "M2", "start": "2027-01-01"}], "reason": "x"},
            "start",
        ),
        (path, {"members": [{**ann, "tier": "B", "name": "Other"}], "reason": "x"}, "member_id"),
        (f"{path}/M1/tier", {"tier": "B", "changed_on": "2025-12-01", "reason": "x"}, "changed_on"),
        (f"{path}/M1/termination", {"end": "2025-06-01", "reason": "x"}, "end"),
        (f"{path}/M1/termination", {"end": "2026-06-01"}, "reason"),
    ]
    for url, payload, field in cases:
        r = await world.api.post(url, json=payload)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["field"] == field, (url, r.json())
    missing = await world.api.post(
        f"{path}/NOPE/termination", json={"end": "2026-06-01", "reason": "x"}
    )
    assert missing.status_code == 404
    assert (await world.api.get("/v1/policies/NOPE")).status_code == 404
    view = (await world.api.get(f"/v1/policies/{policy}")).json()
    assert [(m["member_id"], m["end"]) for m in view["members"]] == [("M1", None)]


async def test_health_readiness_and_metrics(world: World) -> None:
    assert (await world.api.get("/healthz")).json() == {"status": "ok"}
    ready = await world.api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ledger"] == "ok"
    await world.api.get("/v1/policies/NOPE")
    metrics = (await world.api.get("/metrics")).text
    assert (
        'billing_http_requests_total{method="GET",route="/v1/policies/{policy_id}",status="404"}'
        in metrics
    )


async def test_the_cli_run_reports_a_ledger_outage_and_exits_non_zero(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    await world.policy()
    url = world.service.settings.database_url
    settings = Settings(database_url=url, ledger_url="http://127.0.0.1:9", max_days_ahead=10_000)
    assert await _run(settings, world.clock.at.date(), "cli") == 1
    out = capsys.readouterr()
    assert "failed" in out.out
    assert "unreachable" in out.err
    # stderr is not a terminal here: no progress bar, the summary line only
    assert out.err.startswith("billing run: 0 policies in ")


async def test_a_member_list_over_a_mib_takes_a_larger_body_limit(
    world: World,
    make_database: DatabaseFactory,
    billing_template: str,
    ledger: InProcessLedger,
) -> None:
    """BILLING_MAX_BODY_BYTES: a large group's members in one request."""
    members = [
        {
            "member_id": f"M{i}",
            "name": f"Member {i} " + "x" * 280,
            "tier": "A",
            "start": "2026-01-01",
        }
        for i in range(4000)
    ]
    body = {"members": members, "reason": "annual census"}
    assert len(httpx.Request("POST", "/", json=body).content) > MiB
    policy = await world.policy()
    r = await world.api.post(f"/v1/policies/{policy}/members", json=body)
    assert (r.status_code, r.json()["rule"]) == (413, "body-too-large")  # the default, 1 MiB

    async for larger in make_world(
        make_database, billing_template, ledger.client, max_body_bytes=4 * MiB
    ):
        policy = await larger.policy()
        r = await larger.api.post(f"/v1/policies/{policy}/members", json=body)
        assert r.status_code == 201, r.text[:500]
