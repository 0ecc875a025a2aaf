"""Every cash route needs an identity and its scope; statement lines belong to no
jurisdiction yet, so a caller limited to some is refused."""

from __future__ import annotations

import httpx

from cash.adapters.http.scopes import ROLES
from servicekit.auth import CASH_CLERK
from servicekit.auth.testing import assert_route_matrix

from .conftest import IDENTITY, World


async def test_route_matrix(world: World) -> None:
    """Every route x role; a mandate's routes also x jurisdiction (its account's)."""
    mandates = {}
    for where, iban in (("SG", "FR1420041010050500013M02606"), ("HK", "NL91ABNA0417164300")):
        account_id = world.id(where)
        await world.call(
            "/v1/accounts",
            {
                "account_id": account_id,
                "name": f"Client {where}",
                "currency": "EUR",
                "jurisdiction": where,
                "credit_limit": "0.00",
                "payment_terms_days": 30,
                "opened_on": "2026-01-01",
            },
        )
        await world.sync()
        r = await world.api.post(
            "/v1/mandates",
            json={
                "mandate_id": world.id(f"M{where}"),
                "account_id": account_id,
                "signed_on": "2026-01-15",
                "debtor_name": f"Client {where}",
                "iban": iban,
            },
        )
        assert r.status_code == 201, r.text
        mandates[where] = {"mandate_id": world.id(f"M{where}")}
    anonymous = httpx.AsyncClient(transport=world.api._transport, base_url="http://cash")
    app = world.api._transport.app  # type: ignore[attr-defined]
    sent = await assert_route_matrix(
        anonymous,
        app,
        ROLES,
        IDENTITY,
        objects=mandates,
        fill={
            "file_id": "0" * 64,
            "event_id": "00000000-0000-0000-0000-000000000000",
            "run_id": "DD-20260302",
        },
    )
    assert sent > 100


async def test_a_caller_limited_to_a_jurisdiction_is_refused(world: World) -> None:
    sg_clerk = IDENTITY.headers(CASH_CLERK, jurisdictions=["SG"])
    r = await world.api.get("/v1/lines", headers=sg_clerk)
    assert r.status_code == 403
    assert r.json()["rule"] == "forbidden"
    r = await world.api.get("/v1/lines", headers=IDENTITY.headers(CASH_CLERK))
    assert r.status_code == 200
