"""Bad input and missing things: a 4xx naming the field, as HTML for a browser and as
problem+json for any other client; nothing is written."""

from __future__ import annotations

import httpx

HTML = {"Accept": "text/html"}


def test_unknown_account_is_404_in_both_forms(console: httpx.Client) -> None:
    page = console.get("/accounts/NO-SUCH-ACCOUNT", headers=HTML)
    assert page.status_code == 404
    assert 'id="problem"' in page.text
    problem = console.get("/accounts/NO-SUCH-ACCOUNT")
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["field"] == "account_id"


def test_malformed_ids_and_dates_are_422_naming_the_field(console: httpx.Client) -> None:
    cases = [
        ("/accounts/bad%20id", "account_id"),
        ("/accounts/X/statement?from=2026-13-01", "from"),
        ("/aging?as_of=yesterday", "as_of"),
        ("/aging/export?as_of=0", "as_of"),  # not seconds since 1970
        ("/accounts/X/statement?to=0001-01-01", "to"),
        ("/aging?currency=S1", "currency"),
        ("/aging?jurisdiction=S1", "jurisdiction"),
        ("/aging/export?format=pdf", "format"),
        ("/brokers/B1?period=2026-1", "period"),
        ("/worklist?min_level=-1", "min_level"),
    ]
    for path, field in cases:
        r = console.get(path)
        assert r.status_code == 422, (path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["field"] == field, (path, r.json())


def test_a_statement_period_ending_before_it_starts_is_refused(console: httpx.Client) -> None:
    r = console.get("/accounts/SG-00001/statement?from=2026-03-01&to=2026-02-01")
    assert r.status_code == 422
    assert r.json()["field"] == "to"


def test_a_promise_the_backend_refuses_shows_its_rule(console: httpx.Client) -> None:
    form = {"promise_id": "p-too-much", "amount": "999999999.00", "promised_date": "2099-01-01"}
    r = console.post("/accounts/SG-00001/promises", data=form)
    assert 400 <= r.status_code < 500
    assert r.headers["content-type"] == "application/problem+json"


def test_a_contact_without_outcome_is_422(console: httpx.Client) -> None:
    r = console.post("/accounts/SG-00001/contacts", data={"contact_id": "c1", "channel": "call"})
    assert r.status_code == 422
    assert r.json()["field"] == "outcome"


def test_sign_in_keeps_the_name_and_redirects_only_on_this_site(console: httpx.Client) -> None:
    r = console.post("/signin", data={"name": "Ahmad", "next": "https://evil.example/"})
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    assert 'id="signed-in-as">Ahmad<' in console.get("/", headers=HTML).text
    console.post("/signout")
    assert "signed-in-as" not in console.get("/", headers=HTML).text


def test_health_readiness_and_metrics(console: httpx.Client) -> None:
    assert console.get("/healthz").json() == {"status": "ok"}
    ready = console.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["backends"] == {"ledger": "ok", "dunning": "ok", "commission": "ok"}
    assert "console_http_requests_total" in console.get("/metrics").text
