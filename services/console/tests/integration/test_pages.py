"""The console's pages against the live stack with the demo year loaded: what a clerk,
a collector and a broker manager see."""

from __future__ import annotations

import csv
import io
import re

import httpx

from .conftest import COLLECTOR_TOKEN, LOADER, Demo

HTML = {"Accept": "text/html"}


def _customer(demo: Demo, index: int = 0) -> dict[str, str]:
    body: dict[str, str] = demo.portfolio.accounts[index][0].body
    return body


def test_the_demo_loaded_without_a_refusal(demo: Demo) -> None:
    assert demo.summary.refused == []
    assert demo.summary.pending == []
    assert demo.summary.created["account"] == len(demo.portfolio.accounts)
    assert demo.summary.created["invoice"] > 0
    assert demo.summary.created["payment"] > 0


def test_search_finds_an_account_by_part_of_its_name(demo: Demo, console: httpx.Client) -> None:
    customer = _customer(demo)
    word = customer["name"].split()[1].lower()
    r = console.get("/", params={"q": word}, headers=HTML)
    assert r.status_code == 200
    assert f'href="/accounts/{customer["account_id"]}"' in r.text
    assert customer["name"] in r.text


def test_search_without_a_match_says_so(console: httpx.Client) -> None:
    r = console.get("/", params={"q": "no such customer zzz"}, headers=HTML)
    assert r.status_code == 200
    assert 'id="no-results"' in r.text


def test_account_page_shows_balance_open_items_and_history(
    demo: Demo, console: httpx.Client
) -> None:
    customer = _customer(demo)
    ledger = httpx.get(
        f"{demo.ledger_url}/v1/accounts/{customer['account_id']}/balance", headers=LOADER
    ).json()
    r = console.get(f"/accounts/{customer['account_id']}", headers=HTML)
    assert r.status_code == 200
    assert customer["name"] in r.text
    assert 'id="balance-amount"' in r.text
    grouped = f"{int(ledger['balance'].split('.')[0]):,}.{ledger['balance'].split('.')[1]}"
    assert grouped in r.text
    assert "InvoiceIssued" in r.text  # the history
    assert "AccountOpened" in r.text


def test_statement_downloads_as_csv_with_opening_and_closing(
    demo: Demo, console: httpx.Client
) -> None:
    customer = _customer(demo)
    r = console.get(f"/accounts/{customer['account_id']}/statement")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert customer["account_id"] in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert any("Opening balance" in row for row in rows)
    assert any("Closing balance" in row for row in rows)
    assert any("InvoiceIssued" in row for row in rows)


def test_aging_page_draws_a_chart_per_currency(console: httpx.Client) -> None:
    r = console.get("/aging", headers=HTML)
    assert r.status_code == 200
    assert 'id="aging-chart-SGD"' in r.text
    assert 'id="aging-chart-HKD"' in r.text
    assert r.text.count("<rect ") >= 10
    assert 'id="aging-accounts"' in r.text


def test_aging_filters_by_currency(console: httpx.Client) -> None:
    r = console.get("/aging", params={"currency": "hkd"}, headers=HTML)
    assert r.status_code == 200
    assert 'id="aging-chart-HKD"' in r.text
    assert 'id="aging-chart-SGD"' not in r.text


def test_worklist_lists_overdue_accounts_after_the_dunning_run(console: httpx.Client) -> None:
    r = console.get("/worklist", headers=HTML)
    assert r.status_code == 200
    assert 'id="worklist"' in r.text
    assert 'href="/accounts/' in r.text
    # each row says what dunning does next, in words: a level and its date, or a pause
    assert re.search(r"<td>(level \d+ \(.+\) from \d{4}-\d{2}-\d{2}|paused until|none: )", r.text)


def test_collector_logs_a_contact_and_sees_it_on_the_account(
    demo: Demo, console: httpx.Client
) -> None:
    account_id = _customer(demo, 1)["account_id"]
    console.post("/signin", data={"name": "Mei Ling", "token": COLLECTOR_TOKEN})
    form = {"contact_id": "test-contact-1", "channel": "call", "outcome": "Cheque on Monday"}
    r = console.post(f"/accounts/{account_id}/contacts", data=form)
    assert r.status_code == 303
    again = console.post(f"/accounts/{account_id}/contacts", data=form)  # a double submit
    assert again.status_code == 303
    page = console.get(f"/accounts/{account_id}", headers=HTML).text
    assert page.count("Cheque on Monday") == 1
    assert "Mei Ling" in page


def test_broker_page_shows_last_months_statement(demo: Demo, console: httpx.Client) -> None:
    period = demo.portfolio.periods[-1]
    broker = next(
        call.body["broker_id"]
        for calls in demo.portfolio.accounts
        for call in calls[:1]
        if call.body.get("broker_id")
    )
    r = console.get(f"/brokers/{broker}", params={"period": period}, headers=HTML)
    assert r.status_code == 200
    assert 'id="broker-name"' in r.text
    csv_file = console.get(f"/brokers/{broker}/statement", params={"period": period})
    if 'id="not-settled"' in r.text:
        assert csv_file.status_code == 404
    else:
        assert csv_file.status_code == 200
        assert csv_file.headers["content-type"].startswith("text/csv")


def test_statement_as_pdf_and_excel(demo: Demo, console: httpx.Client) -> None:
    account_id = _customer(demo)["account_id"]
    pdf = console.get(f"/accounts/{account_id}/statement", params={"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.content.startswith(b"%PDF")
    xlsx = console.get(f"/accounts/{account_id}/statement", params={"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")  # a zip: the workbook


def test_aging_downloads_for_excel(console: httpx.Client) -> None:
    page = console.get("/aging", params={"jurisdiction": "sg"}, headers=HTML).text
    assert 'id="aging-xlsx"' in page
    assert 'id="aging-chart-SGD"' in page
    assert 'id="aging-chart-HKD"' not in page  # the jurisdiction filter, any case
    csv_file = console.get("/aging/export", params={"format": "csv", "currency": "SGD"})
    assert csv_file.status_code == 200
    assert "attachment" in csv_file.headers["content-disposition"]
    assert "SGD" in csv_file.content.decode("utf-8-sig")
    xlsx = console.get("/aging/export")
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
