"""Lists: accounts by dunning level, run history with what each run did, worklist exports."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from .conftest import Stack, invoice, open_account, pay


async def _pages(s: Stack, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        q = {**params, **({"cursor": cursor} if cursor else {})}
        r = await s.api.get(path, params=q)
        assert r.status_code == 200, r.text
        out += r.json()[key]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return out


async def _portfolio(s: Stack) -> None:
    for acc, due in (("L1", "2026-01-31"), ("L2", "2026-01-10"), ("L3", "2026-01-31")):
        await open_account(s, acc)
        await invoice(s, acc, "I1", "1000.00", due=due)
    await open_account(s, "L4", jurisdiction="HK", currency="HKD")
    await invoice(s, "L4", "I1", "800.00", due="2026-01-10")
    await pay(s, "L3", "P1", "1000.00", on="2026-01-20", invoice_id="I1")
    await s.run("2026-02-01")
    await s.run("2026-02-02")


async def test_accounts_by_level_highest_first_and_paged(stack: Stack) -> None:
    s = stack
    await _portfolio(s)

    every = await _pages(s, "/v1/accounts", "accounts", limit=1)
    levels = {a["account_id"]: a["level"] for a in every}
    hk = await _pages(s, "/v1/accounts", "accounts", jurisdiction="HK")
    top = max(levels.values())
    at_top = await _pages(s, "/v1/accounts", "accounts", level=top)
    overdue = await _pages(s, "/v1/accounts", "accounts", overdue="true")

    assert [a["level"] for a in every] == sorted(levels.values(), reverse=True)
    assert levels["L2"] > levels["L1"] > 0
    assert levels["L3"] == 0
    assert {a["account_id"] for a in at_top} == {k for k, v in levels.items() if v == top}
    assert [a["account_id"] for a in hk] == ["L4"]
    assert hk[0]["overdue"] == "800.00"
    assert hk[0]["currency"] == "HKD"
    assert "L3" not in {a["account_id"] for a in overdue}


async def test_run_history_says_what_each_run_did(stack: Stack) -> None:
    s = stack
    await _portfolio(s)
    first = (await s.api.get("/v1/dunning-runs/2026-02-01")).json()

    runs = await _pages(s, "/v1/dunning-runs", "runs", limit=1)
    window = await _pages(s, "/v1/dunning-runs", "runs", **{"from": "2026-02-02"})

    assert [r["as_of"] for r in runs] == ["2026-02-02", "2026-02-01"]
    assert [r["as_of"] for r in window] == ["2026-02-02"]
    assert first["accounts"] == 4
    assert first["actions"]["DunningLevelReached"] >= 3
    assert sum(first["actions"].values()) == first["total_actions"]
    assert len(first["events"]) == first["total_actions"]
    assert {e["type"] for e in first["events"]} == set(first["actions"])
    assert all(e["occurred_on"] == "2026-02-01" for e in first["events"])
    missing = await s.api.get("/v1/dunning-runs/2025-01-01")
    assert (missing.status_code, missing.json()["field"]) == (404, "as_of")


async def test_a_rerun_adds_nothing_to_what_the_date_did(stack: Stack) -> None:
    s = stack
    await _portfolio(s)
    before = (await s.api.get("/v1/dunning-runs/2026-02-02")).json()
    await s.run("2026-02-02")
    after = (await s.api.get("/v1/dunning-runs/2026-02-02")).json()
    assert after["runs"] == before["runs"] + 1
    assert after["actions"] == before["actions"]


async def test_worklist_as_csv_and_xlsx(stack: Stack) -> None:
    s = stack
    await _portfolio(s)
    body = (await s.api.get("/v1/worklist")).json()

    r = await s.api.get("/v1/worklist", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    x = await s.api.get(
        "/v1/worklist",
        headers={"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    ws = load_workbook(io.BytesIO(x.content)).active

    assert r.headers["content-type"].startswith("text/csv")
    assert [(w["Account"], w["Overdue"]) for w in rows] == [
        (a["account_id"], a["overdue"]) for a in body["accounts"]
    ]
    assert x.status_code == 200
    assert ws.freeze_panes is not None
    ids = [c.value for c in ws["A"]]
    assert all(a["account_id"] in ids for a in body["accounts"])


async def test_unknown_formats_and_bad_cursors_are_refused(stack: Stack) -> None:
    s = stack
    r = await s.api.get("/v1/worklist", params={"format": "pdf"})
    assert (r.status_code, r.json()["field"]) == (422, "format")
    r = await s.api.get("/v1/worklist", headers={"Accept": "application/pdf"})
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/problem+json"
    for path in ("/v1/accounts", "/v1/dunning-runs"):
        r = await s.api.get(path, params={"cursor": "garbage"})
        assert (r.status_code, r.json()["field"]) == (422, "cursor")
    r = await s.api.get("/v1/dunning-runs", params={"from": "2026-03-01", "to": "2026-02-01"})
    assert (r.status_code, r.json()["field"]) == (422, "to")
