"""The demo year against the real services: loaded without refusals, its reports show data,
and loading it again changes nothing."""

from __future__ import annotations

import httpx

from .conftest import LOADER, Demo


def test_reports_show_the_demo_year(demo: Demo) -> None:
    aging = httpx.get(f"{demo.ledger_url}/v1/reports/aging", headers=LOADER).json()
    currencies = {t["currency"] for t in aging["totals"]}
    assert currencies == {"SGD", "HKD"}
    assert len(aging["accounts"]) > 0
    worklist = httpx.get(f"{demo.dunning_url}/v1/worklist", headers=LOADER).json()
    assert worklist["total"] > 0
    period = demo.portfolio.periods[-1]
    settled = httpx.get(f"{demo.commission_url}/v1/settlements/{period}", headers=LOADER).json()
    assert settled["period"] == period
    found = httpx.get(
        f"{demo.ledger_url}/v1/invoices", params={"policy_id": "GP-SG-00001-1"}, headers=LOADER
    )
    if found.status_code == 200:  # invoices carry their policy
        assert all(i["policy_id"] == "GP-SG-00001-1" for i in found.json()["invoices"])


def test_loading_again_changes_nothing(demo: Demo) -> None:
    before = httpx.get(f"{demo.ledger_url}/v1/reports/trial-balance", headers=LOADER).json()
    again = demo.load_again()
    assert again.refused == []
    assert sum(again.created.values()) == 0, again.created
    assert again.replayed["invoice"] == demo.summary.created["invoice"]
    assert again.replayed["payment"] == demo.summary.created["payment"]
    after = httpx.get(f"{demo.ledger_url}/v1/reports/trial-balance", headers=LOADER).json()
    assert after == before
