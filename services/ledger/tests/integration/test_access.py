"""Authentication and authorisation of every route: the matrix, bad tokens, jurisdictions,
API keys, the recorded actor, and no credential in the logs."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from ledger.adapters.http.scopes import ROLES
from ledger.bootstrap import Ledger
from servicekit.auth import (
    ADMIN,
    AUDITOR,
    BILLING_CLERK,
    COLLECTOR,
    CREDIT_CONTROLLER,
    POSTER,
    TRUSTED_SERVICE,
)
from servicekit.auth.issuer import LocalIssuer
from servicekit.auth.testing import PROBLEM, TestIdentity, assert_served_route_matrix

from .api_support import unchanged
from .conftest import ClientAs, invoice, open_account


@pytest.fixture(scope="module")
async def sg_and_hk(client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    suffix = time.time_ns()
    out = {}
    for j in ("SG", "HK"):
        account = f"MX-{j}-{suffix}"
        await open_account(client, account, jurisdiction=j)
        await invoice(client, account, "INV-1", "10.00")
        out[j] = {"account_id": account}
    return out


async def test_route_matrix(
    client: httpx.AsyncClient, identity: TestIdentity, sg_and_hk: dict[str, dict[str, str]]
) -> None:
    await assert_served_route_matrix(
        client,
        ROLES,
        identity,
        objects=sg_and_hk,
        fill={"invoice_id": "INV-1", "payment_id": "PAY-NONE"},
        more_than=200,  # every route x (anonymous + 8 roles) + jurisdictions
    )


def _bad_tokens(identity: TestIdentity) -> dict[str, str]:
    stranger = LocalIssuer(identity.issuer.issuer, kid=identity.issuer.kid)
    good = identity.token(ADMIN)
    head, payload, sig = good.split(".")
    return {
        "expired": identity.token(ADMIN, issued_at=time.time() - 7200),
        "wrong issuer": LocalIssuer("urn:elsewhere", identity.issuer.key, kid="test-1").mint(
            "x", roles=[ADMIN], audience="ledger"
        ),
        "wrong audience": identity.token(ADMIN, audience="commission"),
        "unsigned": f"{head.replace(head, 'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0')}.{payload}.",
        "tampered": f"{head}.{payload[:-4]}AAAA.{sig}",
        "foreign key": stranger.mint("x", roles=[ADMIN], audience="ledger"),
        "garbage": "abc.def",
    }


@pytest.mark.parametrize(
    "case",
    ["expired", "wrong issuer", "wrong audience", "unsigned", "tampered", "foreign key", "garbage"],
)
async def test_bad_tokens_get_401_problem_with_a_challenge(
    anonymous: httpx.AsyncClient,
    identity: TestIdentity,
    sg_and_hk: dict[str, dict[str, str]],
    case: str,
) -> None:
    token = _bad_tokens(identity)[case]
    account = sg_and_hk["SG"]["account_id"]
    for method, path in [("GET", f"/v1/accounts/{account}"), ("POST", "/v1/accounts")]:
        r = await anonymous.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, json={}
        )
        assert r.status_code == 401, (case, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.headers["www-authenticate"].startswith('Bearer realm="ledger"')
        assert 'error="invalid_token"' in r.headers["www-authenticate"]
        assert r.json()["rule"] == "unauthenticated"
        assert token not in r.text


async def test_no_credential_is_401_and_health_stays_open(anonymous: httpx.AsyncClient) -> None:
    r = await anonymous.get("/v1/reports/aging")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == (
        'Bearer realm="ledger", error_description='
        '"send a bearer token (Authorization) or an API key (X-API-Key)"'
    )
    assert r.headers["content-type"].startswith(PROBLEM)
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await anonymous.get(path)).status_code == 200, path


async def test_a_user_of_one_jurisdiction_sees_nothing_of_another(
    client_as: ClientAs, sg_and_hk: dict[str, dict[str, str]]
) -> None:
    sg, hk = sg_and_hk["SG"]["account_id"], sg_and_hk["HK"]["account_id"]
    clerk = client_as(CREDIT_CONTROLLER, jurisdictions=["SG"], subject="sg-controller")
    assert (await clerk.get(f"/v1/accounts/{sg}")).status_code == 200
    r = await clerk.get(f"/v1/accounts/{hk}")
    assert r.status_code == 404
    assert r.json()["rule"] == "account-not-found"
    # a write on the other jurisdiction's account: 404 and nothing written
    async with unchanged(client_as(ADMIN), hk):
        r = await clerk.post(
            f"/v1/accounts/{hk}/write-offs",
            json={"write_off_id": "WO-X", "invoice_id": "INV-1", "reason": "gone"},
        )
        assert r.status_code == 404, r.text
    # reports cover the caller's jurisdictions only
    aging = (await clerk.get("/v1/reports/aging")).json()
    jurisdictions = {a["jurisdiction"] for a in aging["accounts"]}
    assert jurisdictions == {"SG"}
    assert sg in {a["account_id"] for a in aging["accounts"]}
    asked = (await clerk.get("/v1/reports/aging", params={"jurisdiction": "HK"})).json()
    assert asked["accounts"] == []
    everyone = (await client_as(AUDITOR).get("/v1/reports/aging")).json()
    assert {"SG", "HK"} <= {a["jurisdiction"] for a in everyone["accounts"]}
    hk_only = await client_as(AUDITOR, jurisdictions=["HK"]).get("/v1/reports/trial-balance")
    all_of_it = await client_as(AUDITOR).get("/v1/reports/trial-balance")
    assert hk_only.status_code == all_of_it.status_code == 200
    assert hk_only.json() != all_of_it.json()
    # what spans every jurisdiction is refused to a limited caller
    assert (await client_as(AUDITOR, jurisdictions=["SG"]).get("/v1/events")).status_code == 403
    assert (await clerk.get("/v1/audit/verify")).status_code == 403


async def test_opening_an_account_elsewhere_is_forbidden(
    client_as: ClientAs, account_id: str
) -> None:
    clerk = client_as(BILLING_CLERK, jurisdictions=["SG"])
    r = await clerk.post(
        "/v1/accounts",
        json={
            "account_id": account_id,
            "name": "x",
            "currency": "HKD",
            "jurisdiction": "HK",
            "credit_limit": "1.00",
            "payment_terms_days": 30,
        },
    )
    assert r.status_code == 403
    assert r.json()["rule"] == "forbidden"
    assert (await client_as(ADMIN).get(f"/v1/accounts/{account_id}")).status_code == 404


async def test_the_actor_is_the_authenticated_subject(client_as: ClientAs, account_id: str) -> None:
    await open_account(client_as(BILLING_CLERK, subject="carol"), account_id)
    # X-Actor from an ordinary caller is refused, not believed
    clerk = client_as(COLLECTOR, subject="dave")
    r = await clerk.post(
        f"/v1/accounts/{account_id}/invoices/NONE/dispute",
        json={"reason": "x"},
        headers={"X-Actor": "someone-else"},
    )
    assert r.status_code == 403
    assert "trusted service" in r.json()["detail"]
    # a trusted service names the user it acts for: recorded as on behalf of
    service = client_as(POSTER, TRUSTED_SERVICE, subject="billing-svc")
    r = await service.post(
        f"/v1/accounts/{account_id}/invoices",
        json={
            "invoice_id": "INV-1",
            "issue_date": "2026-01-01",
            "due_date": "2026-01-31",
            "lines": [{"description": "Premium", "amount": "5.00"}],
        },
        headers={"X-Actor": "erin"},
    )
    assert r.status_code == 201, r.text
    events = (await client_as(AUDITOR).get(f"/v1/accounts/{account_id}/events")).json()
    assert [e["actor"] for e in events["events"]] == ["carol", "billing-svc on behalf of erin"]


async def test_api_keys_authenticate_services(
    ledger: Ledger, anonymous: httpx.AsyncClient, account_id: str
) -> None:
    keys = ledger.authenticator.keys
    assert keys is not None
    record, key = await keys.create("policy-admin", [POSTER], ["SG"])
    headers = {"X-API-Key": key}
    body = {
        "account_id": account_id,
        "name": "x",
        "currency": "SGD",
        "jurisdiction": "SG",
        "credit_limit": "1.00",
        "payment_terms_days": 30,
    }
    assert (await anonymous.post("/v1/accounts", json=body, headers=headers)).status_code == 201
    r = await anonymous.get(f"/v1/accounts/{account_id}/events", headers=headers)
    assert r.json()["events"][0]["actor"] == "policy-admin"
    r = await anonymous.post(f"/v1/accounts/{account_id}/write-offs", json={}, headers=headers)
    assert r.status_code == 403  # a poster writes nothing off
    await keys.revoke(record.key_id)
    r = await anonymous.get(f"/v1/accounts/{account_id}", headers=headers)
    assert r.status_code == 401
    assert key not in r.text


async def test_credentials_never_reach_the_logs(
    ledger: Ledger,
    anonymous: httpx.AsyncClient,
    identity: TestIdentity,
    caplog: pytest.LogCaptureFixture,
    account_id: str,
) -> None:
    keys = ledger.authenticator.keys
    assert keys is not None
    _, key = await keys.create("logger-test", [ADMIN], ["*"])
    good = identity.token(ADMIN)
    bad = _bad_tokens(identity)
    caplog.set_level(logging.DEBUG)
    for credential in [{"Authorization": f"Bearer {good}"}, {"X-API-Key": key}] + [
        {"Authorization": f"Bearer {t}"} for t in bad.values()
    ]:
        await anonymous.get(f"/v1/accounts/{account_id}", headers=credential)
        await anonymous.post("/v1/accounts", json={"account_id": 1}, headers=credential)
    await anonymous.get("/v1/accounts/x", headers={"X-API-Key": key[:-3] + "xyz"})
    assert caplog.records, "the refusals are logged"
    logged = caplog.text
    for secret in [good, key, key.split("_", 2)[2], *bad.values()]:
        assert secret not in logged
