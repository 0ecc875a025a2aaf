"""Every cash route needs an identity and its scope; statement lines belong to no
jurisdiction yet, so a caller limited to some is refused."""

from __future__ import annotations

import httpx

from cash.adapters.http.scopes import ROLES
from servicekit.auth import CASH_CLERK
from servicekit.auth.testing import assert_route_matrix

from .conftest import IDENTITY, World


async def test_route_matrix(world: World) -> None:
    anonymous = httpx.AsyncClient(transport=world.api._transport, base_url="http://cash")
    app = world.api._transport.app  # type: ignore[attr-defined]
    sent = await assert_route_matrix(
        anonymous,
        app,
        ROLES,
        IDENTITY,
        fill={"file_id": "0" * 64, "event_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert sent > 100


async def test_a_caller_limited_to_a_jurisdiction_is_refused(world: World) -> None:
    sg_clerk = IDENTITY.headers(CASH_CLERK, jurisdictions=["SG"])
    r = await world.api.get("/v1/lines", headers=sg_clerk)
    assert r.status_code == 403
    assert r.json()["rule"] == "forbidden"
    r = await world.api.get("/v1/lines", headers=IDENTITY.headers(CASH_CLERK))
    assert r.status_code == 200
