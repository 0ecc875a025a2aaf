"""Files that cannot be imported, over HTTP: each a 422 problem+json naming the fault, and
nothing kept (no import, no line)."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from .conftest import World
from .samples import Entry, camt053
from .test_formats import MAPPING, mt940


def _zipped(content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("statement.xml", content)
    return out.getvalue()


STATEMENT = camt053([Entry("R-1", "10.00", payer="Tan")])
BOMB = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>&c;</IBAN></Id></Acct></Stmt></BkToCstmrStmt>
</Document>"""
CSV_HEAD = "Transaction,Settled,Customer,Description,Net amount\n"

FILES = {
    # statement formats, read by the format they look like
    "empty": (b" \n", {}, "the file is empty"),
    "zip": (_zipped(STATEMENT), {}, "line 1: not well-formed XML"),  # names the camt inside
    "gzip": (gzip.compress(STATEMENT), {}, "neither camt"),
    "binary as camt": (bytes(range(256)), {"format": "camt.053"}, "line 1: not well-formed XML"),
    "entity expansion": (BOMB, {}, "the account has no Acct/Id"),
    "utf-16": (STATEMENT.replace(b"UTF-8", b"UTF-16").decode().encode("utf-16"), {}, "neither"),
    "unknown encoding": (STATEMENT.replace(b"UTF-8", b"X-NONE"), {}, "line 1: not well-formed"),
    "too large": (camt053([Entry("R-2", "1" + "0" * 30)]), {}, "is too large"),
    "too precise": (camt053([Entry("R-3", "10.001")]), {}, "more decimal places"),
    "unknown currency": (camt053([Entry("R-4", "10.00", currency="QQQ")]), {}, "ISO 4217"),
    "year 1": (camt053([Entry("R-5", "10.00", value_date="0001-01-01")]), {}, "value date"),
    "year 9999": (camt053([Entry("R-6", "10.00", value_date="9999-12-31")]), {}, "value date"),
    "1899": (camt053([Entry("R-7", "10.00", value_date="1899-12-31")]), {}, "value date"),
    "mt940 NUL": (mt940("N", "INV\x001"), {}, "line 6: a NUL character"),
    "mt940 latin-1": (mt940("L", "INV").replace(b"TRADING", b"TR\xc4DING"), {}, "not UTF-8"),
}
CSV_FILES = {
    "header only, other delimiter": (CSV_HEAD.replace(",", ";"), "line 1: the header has no"),
    "NUL in a name": (CSV_HEAD + "T1,10/02/2026,Bedok\x00Bakery,x,80.00\n", "line 2: a NUL"),
    "NUL in a reference": (CSV_HEAD + "T\x001,10/02/2026,A,x,80.00\n", "line 2: a NUL"),
    "year 1": (CSV_HEAD + "T1,10/02/0001,A,x,80.00\n", "line 2: the value date 0001-02-10"),
    "year 9999": (CSV_HEAD + "T1,10/02/9999,A,x,80.00\n", "line 2: the value date 9999-02-10"),
    "NaN": (CSV_HEAD + "T1,10/02/2026,A,x,NaN\n", "line 2: 'NaN' is not an amount"),
    "a row too short": (CSV_HEAD + "T1,10/02/2026\n", "line 2:"),
    "a cell past the header only": (CSV_HEAD + ",,,,,x\n", "line 2: '' is not an amount"),
}


async def _nothing_kept(world: World) -> None:
    assert await world.lines() == []
    r = await world.api.get("/v1/imports")
    assert r.json()["imports"] == []


@pytest.mark.parametrize(("raw", "params", "detail"), FILES.values(), ids=FILES.keys())
async def test_a_statement_that_cannot_be_imported_is_refused_and_keeps_nothing(
    world: World, raw: bytes, params: dict[str, str], detail: str
) -> None:
    r = await world.api.post("/v1/imports", params=params, content=raw)

    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert detail in r.json()["detail"], r.text
    await _nothing_kept(world)


@pytest.mark.parametrize(("text", "detail"), CSV_FILES.values(), ids=CSV_FILES.keys())
async def test_a_partner_csv_that_cannot_be_imported_is_refused_and_keeps_nothing(
    world: World, text: str, detail: str
) -> None:
    saved = await world.api.put("/v1/partners/GRABPAY/csv-mapping", json=MAPPING)
    assert saved.status_code == 200, saved.text

    r = await world.api.post(
        "/v1/imports", params={"format": "csv", "partner": "GRABPAY"}, content=text.encode()
    )

    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"].startswith(detail) or detail in r.json()["detail"], r.text
    await _nothing_kept(world)
