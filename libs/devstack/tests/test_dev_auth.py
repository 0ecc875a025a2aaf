"""`make run`'s development identities: a key kept between runs, tokens the services accept."""

from pathlib import Path

import pytest

from devstack.dev_auth import provision
from servicekit.auth import Unauthenticated
from servicekit.auth.tokens import JwtVerifier

SERVICES = ["ledger", "dunning", "commission"]


def verifier(env: dict[str, str], service: str) -> JwtVerifier:
    prefix = service.upper()
    return JwtVerifier(
        issuer=env[f"{prefix}_AUTH_ISSUER"], audience=service, jwks=env[f"{prefix}_AUTH_JWKS"]
    )


def tokens(lines: list[str]) -> dict[str, str]:
    return dict(line.removeprefix("export ").split("=", 1) for line in lines)


async def test_services_trust_the_dev_issuer_and_callers_get_tokens(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    made = provision(env, tmp_path, SERVICES)
    by_role = tokens(made.lines)
    assert made.path.read_text().splitlines() == made.lines
    assert made.path.stat().st_mode & 0o077 == 0
    assert (tmp_path / "auth" / "dev-signing-key.pem").stat().st_mode & 0o077 == 0
    for service in SERVICES:
        p = await verifier(env, service).verify(by_role["TOKEN_ADMIN"])
        assert (p.subject, p.roles, p.everywhere) == ("dev-admin", {"admin"}, True)
    sg = await verifier(env, "ledger").verify(by_role["TOKEN_CREDIT_CONTROLLER_SG"])
    assert sg.jurisdictions == {"SG"}
    dunning = await verifier(env, "ledger").verify(env["DUNNING_LEDGER_TOKEN"])
    assert (dunning.subject, dunning.trusted_service) == ("dunning", True)
    assert "LEDGER_LEDGER_TOKEN" not in env
    with pytest.raises(Unauthenticated, match="audience"):  # a ledger token, not dunning's
        await verifier(env, "dunning").verify(env["DUNNING_LEDGER_TOKEN"])


async def test_the_key_survives_restarts_and_configured_issuers_are_kept(
    tmp_path: Path,
) -> None:
    first: dict[str, str] = {}
    old = tokens(provision(first, tmp_path, SERVICES).lines)["TOKEN_AUDITOR"]
    again: dict[str, str] = {"COMMISSION_AUTH_JWKS": "https://idp.example/jwks"}
    provision(again, tmp_path, SERVICES)
    assert (await verifier(again, "ledger").verify(old)).subject == "dev-auditor"
    assert again["COMMISSION_AUTH_JWKS"] == "https://idp.example/jwks"
    assert "COMMISSION_AUTH_ISSUER" not in again
    assert "COMMISSION_LEDGER_TOKEN" not in again


async def test_the_console_demo_gets_a_token_every_service_accepts(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    made = provision(env, tmp_path, [*SERVICES, "console"])
    demo = env["CONSOLE_DEMO_TOKEN"]
    assert f"export CONSOLE_DEMO_TOKEN={demo}" in made.lines  # for `make demo`
    for service in SERVICES:
        p = await verifier(env, service).verify(demo)
        assert (p.subject, p.trusted_service, p.everywhere) == ("console-demo", True, True)


async def test_cash_may_write_off_a_short_payment_within_tolerance(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    provision(env, tmp_path, ["ledger", "cash"])
    cash = await verifier(env, "ledger").verify(env["CASH_LEDGER_TOKEN"])
    assert {"poster", "credit_controller"} <= cash.roles  # payments; write-offs
