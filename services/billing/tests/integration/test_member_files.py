"""Member lists uploaded as CSV and XLSX, and the reconciliation report in three formats."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from billing.adapters.files import XLSX

from .conftest import World

CSV = b"""member_id,name,tier,start
M1,Ann Tan,A,2026-01-01
M2,Bob Lim,B,2026-01-01
M3,Cho Wong,A,2026-01-15
"""


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(world: World, policy: str, content: bytes, kind: str, **params: str) -> dict:  # type: ignore[type-arg]
    r = await world.api.post(
        f"/v1/policies/{policy}/members/upload",
        content=content,
        headers={"Content-Type": kind},
        params={"reason": "monthly list", **params},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_a_csv_sets_up_members_and_an_xlsx_list_changes_them(world: World) -> None:
    policy = await world.policy()
    out = await upload(world, policy, CSV, "text/csv")
    assert [(m["member_id"], m["tier"]) for m in out["members"]] == [
        ("M1", "A"),
        ("M2", "B"),
        ("M3", "A"),
    ]
    again = await upload(world, policy, CSV, "text/csv")
    assert again["changes"] == 0  # the same list twice changes nothing
    from datetime import date

    sheet = xlsx(
        [
            ["Member_ID", "Name", "Tier", "Start", "End"],
            ["M1", "Ann Tan", "B", date(2026, 1, 1), None],  # moves to tier B on 1 March
            ["M2", "Bob Lim", "B", date(2026, 1, 1), date(2026, 2, 14)],
            ["M4", "Dev Rao", "A", date(2026, 3, 1), None],
        ]
    )
    out = await upload(world, policy, sheet, XLSX, effective_on="2026-03-01", complete="true")
    members = {m["member_id"]: m for m in out["members"]}
    assert [(c["tier"], c["end"]) for c in members["M1"]["cover"]] == [
        ("A", "2026-02-28"),
        ("B", None),
    ]
    assert members["M2"]["end"] == "2026-02-14"
    assert members["M3"]["end"] == "2026-02-28"  # not on the complete list
    assert members["M4"]["start"] == "2026-03-01"
    log = (await world.api.get(f"/v1/policies/{policy}/events")).json()["events"]
    assert {e["data"].get("reason") for e in log[1:]} == {"monthly list"}


async def test_bad_member_files_are_refused_naming_the_row(world: World) -> None:
    policy = await world.policy()
    cases = [
        (b"", "body"),
        (b"name,start\nAnn,2026-01-01\n", "body"),
        (b"member_id,name,tier,start\nM1,Ann,A,01/02/2026\n", "row 2.start"),
        (b"member_id,name,tier,start\nM1,Ann,A,2026-01-01T99:99\n", "row 2.start"),
        (b"member_id,name,tier,start\nM1,Ann,A,2026-01-01 09:30:00\n", "row 2.start"),
        (b"member_id,name,tier,start,end\nM1,Ann,A,2026-01-01,9999-12-31\n", "row 2.end"),
        (b"member_id,name,tier,start\nM1,Ann,A,1899-12-31\n", "row 2.start"),
        (
            b"member_id,name,tier,start\nM1,Ann,A,2026-01-01\nM1,Ann,A,2026-01-01\n",
            "row 3.member_id",
        ),
        (b"member_id,name,tier,start\nM1,Ann,Z,2026-01-01\n", "tier"),
        (  # a blank line is skipped, and still counted
            b"member_id,name,tier,start\nM1,Ann,A,2026-01-01\n\nM2,Bob,A,soon\n",
            "row 4.start",
        ),
        (b"PK\x03\x04 not really a workbook", "body"),
        (b"\xff\xfe\x00bad", "body"),
        (b"member_id,name,tier,start\nM1,Ann\x00Tan,A,2026-01-01\n", "row 2.name"),
        (
            b"member_id,name,tier,start\nM1,Ann,A,2026-01-01\n\nM\x002,Bob,A,2026-01-01\n",
            "row 4.member_id",
        ),
    ]
    for content, field in cases:
        r = await world.api.post(
            f"/v1/policies/{policy}/members/upload",
            content=content,
            headers={"Content-Type": "text/csv"},
            params={"reason": "x"},
        )
        assert r.status_code == 422, (content, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["field"] == field, (content, r.json())
    view = (await world.api.get(f"/v1/policies/{policy}")).json()
    assert view["members"] == []


async def test_reconciliation_lists_every_discrepancy_in_json_csv_and_xlsx(world: World) -> None:
    policy = await world.policy()
    await upload(world, policy, CSV, "text/csv")
    await world.run("2026-01-01")
    client_list = b"""member_id,name,tier,start,premium
M1,Ann Tan,A,2026-01-01,310.00
M2,Bob Lim,A,2026-01-01,155.00
M5,Eve Ng,A,2026-01-01,310.00
"""
    path = f"/v1/policies/{policy}/reconciliations"
    params = {"period_start": "2026-01-01"}
    r = await world.api.post(
        path, content=client_list, headers={"Content-Type": "text/csv"}, params=params
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["billed_members"] == 3
    assert [(d["member_id"], d["issue"], d["difference"]) for d in report["discrepancies"]] == [
        ("M2", "tier_differs", None),
        ("M3", "billed_not_listed", "-170.00"),  # 17 of 31 days of 3650.00 a year
        ("M5", "listed_not_billed", None),
    ]
    as_csv = await world.api.post(
        path,
        content=client_list,
        headers={"Content-Type": "text/csv"},
        params={**params, "format": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["issue"] for r in rows] == ["tier_differs", "billed_not_listed", "listed_not_billed"]
    as_xlsx = await world.api.post(
        path,
        content=client_list,
        headers={"Content-Type": "text/csv"},
        params={**params, "format": "xlsx"},
    )
    assert as_xlsx.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [c.value for c in sheet[1]][:2] == ["member_id", "issue"]
    assert sheet.max_row == 4
    unbilled = await world.api.post(
        path,
        content=client_list,
        headers={"Content-Type": "text/csv"},
        params={"period_start": "2026-06-01"},
    )
    assert unbilled.status_code == 404


async def test_a_premium_that_is_not_an_amount_is_refused(world: World) -> None:
    policy = await world.policy()
    await upload(world, policy, CSV, "text/csv")
    for premium in ("NaN", "Infinity", "-310.00", "abc", "sNaN"):
        client_list = f"member_id,name,tier,start,premium\nM1,Ann Tan,A,2026-01-01,{premium}\n"
        r = await world.api.post(
            f"/v1/policies/{policy}/reconciliations",
            content=client_list.encode(),
            headers={"Content-Type": "text/csv"},
            params={"period_start": "2026-01-01"},
        )
        assert r.status_code == 422, (premium, r.text)
        assert r.json()["field"] == "row 2.premium", premium


async def test_a_spreadsheets_date_at_midnight_is_a_date(world: World) -> None:
    policy = await world.policy()
    content = b"member_id,name,tier,start\nM1,Ann,A,2026-01-01 00:00:00\n"
    out = await upload(world, policy, content, "text/csv")
    assert [m["start"] for m in out["members"]] == ["2026-01-01"]
