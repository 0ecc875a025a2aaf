"""GET /v1/brokers: the register by name or id, jurisdiction, cursor-paged."""

from __future__ import annotations

from typing import Any

from .conftest import World


async def _pages(w: World, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = await w.api.get(
            "/v1/brokers", params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert r.status_code == 200, r.text
        out += r.json()["brokers"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return out


async def test_brokers_by_name_paged_without_bank_details(world: World) -> None:
    w = world
    ids = [await w.broker(n) for n in ("Charlie", "Alpha", "Bravo")]
    pending = await w.broker("Delta", approve=False)
    await w.agreement(ids[0], "AG-1", "2026-01-01", "0.10", "0.05")

    found = await _pages(w, q=w.tag.lower(), limit=2)

    assert [b["broker_id"] for b in found] == [ids[1], ids[2], ids[0], pending]
    charlie = found[2]
    assert charlie["agreements"] == 1
    assert charlie["bank_details_active"] is True
    assert "bank" not in charlie
    assert found[3]["bank_details_active"] is False
    assert found[3]["pending_bank_changes"] == 1


async def test_broker_filters_and_refusals(world: World) -> None:
    w = world
    await w.broker("Echo")
    assert (await _pages(w, q=w.tag, jurisdiction="HK")) == []
    assert len(await _pages(w, q=f"{w.tag}-echo", jurisdiction="SG")) == 1
    for params, field in (({"cursor": "x"}, "cursor"), ({"jurisdiction": "sg"}, "jurisdiction")):
        r = await w.api.get("/v1/brokers", params=params)
        assert (r.status_code, r.json()["field"]) == (422, field)
