"""Bearer token verification: what is accepted, and every way a token is refused."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest

from servicekit.auth import Unauthenticated
from servicekit.auth.issuer import LocalIssuer
from servicekit.auth.tokens import JwtVerifier

ISSUER = LocalIssuer("urn:test:issuer", kid="k1")


def verifier(jwks: str | None = None, **kw: object) -> JwtVerifier:
    options: dict[str, object] = {
        "issuer": ISSUER.issuer,
        "audience": "ledger",
        "jwks": jwks or ISSUER.jwks_json(),
        "leeway_seconds": 5,
        **kw,
    }
    return JwtVerifier(**options)  # type: ignore[arg-type]


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_valid_token_becomes_a_principal() -> None:
    token = ISSUER.mint(
        "alice", roles=["collector"], jurisdictions=["sg"], audience=["ledger", "dunning"]
    )
    p = await verifier().verify(token)
    assert (p.subject, p.roles, p.jurisdictions) == ("alice", {"collector"}, {"SG"})
    assert p.sees("SG")
    assert not p.sees("HK")
    assert not p.everywhere


async def test_star_means_every_jurisdiction_and_scope_claims_are_read() -> None:
    token = ISSUER.mint("svc", jurisdictions=["*"], audience="ledger", scope="ledger:read x")
    p = await verifier().verify(token)
    assert p.everywhere
    assert p.sees("HK")
    assert p.scopes == {"ledger:read", "x"}


async def test_no_jurisdictions_claim_means_none() -> None:
    token = ISSUER.mint("bob", jurisdictions=[], audience="ledger")
    p = await verifier().verify(token)
    assert not p.sees("SG")
    assert not p.everywhere


@pytest.mark.parametrize(
    ("token", "why"),
    [
        (ISSUER.mint("a", audience="ledger", issued_at=time.time() - 7200), "expired"),
        (LocalIssuer("urn:other", ISSUER.key, kid="k1").mint("a", audience="ledger"), "issuer"),
        (ISSUER.mint("a", audience="dunning"), "audience"),
        (LocalIssuer("urn:test:issuer", kid="k1").mint("a", audience="ledger"), "signature"),
        (LocalIssuer("urn:test:issuer", kid="k9").mint("a", audience="ledger"), "unknown key"),
        ("not-a-jwt", "not a JWT"),
    ],
)
async def test_bad_tokens_are_refused(token: str, why: str) -> None:
    with pytest.raises(Unauthenticated, match=why):
        await verifier().verify(token)


async def test_alg_none_is_refused() -> None:
    header = {"alg": "none", "typ": "JWT", "kid": "k1"}
    claims = {"iss": ISSUER.issuer, "aud": "ledger", "sub": "root", "roles": ["admin"]}
    unsigned = f"{_b64(header)}.{_b64({**claims, 'iat': 1, 'exp': 2**40})}."
    with pytest.raises(Unauthenticated, match="'none'"):
        await verifier().verify(unsigned)


async def test_a_symmetric_algorithm_is_refused() -> None:
    """HS256 with the public key as secret is the classic confusion attack."""
    forged = jwt.encode(
        {"iss": ISSUER.issuer, "aud": "ledger", "sub": "x", "iat": 1, "exp": 2**40},
        "secret-long-enough-for-hmac-sha-256!",
        algorithm="HS256",
        headers={"kid": "k1"},
    )
    with pytest.raises(Unauthenticated, match="HS256"):
        await verifier().verify(forged)
    with pytest.raises(ValueError, match="asymmetric"):
        verifier(algorithms=["HS256"])


async def test_a_tampered_payload_is_refused() -> None:
    token = ISSUER.mint("clerk", roles=["collector"], audience="ledger")
    head, _, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    payload["roles"] = ["admin"]
    with pytest.raises(Unauthenticated, match="signature"):
        await verifier().verify(f"{head}.{_b64(payload)}.{sig}")


async def test_required_claims_are_required() -> None:
    token = jwt.encode(
        {"iss": ISSUER.issuer, "aud": "ledger", "iat": int(time.time()), "exp": 2**40},
        ISSUER.key,
        algorithm="ES256",
        headers={"kid": "k1"},
    )
    with pytest.raises(Unauthenticated, match="sub"):
        await verifier().verify(token)


async def test_clock_skew_is_tolerated_within_the_leeway() -> None:
    token = ISSUER.mint("a", audience="ledger", issued_at=time.time() - 3603)  # expired 3 s ago
    assert (await verifier().verify(token)).subject == "a"


async def test_a_key_file_is_reread_when_the_key_rotates(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    path = tmp_path / "jwks.json"
    path.write_text(ISSUER.jwks_json())
    v = verifier(jwks=str(path))
    assert (await v.verify(ISSUER.mint("a", audience="ledger"))).subject == "a"
    rotated = LocalIssuer(ISSUER.issuer, kid="k2")
    path.write_text(rotated.jwks_json())
    assert (await v.verify(rotated.mint("b", audience="ledger"))).subject == "b"


@pytest.fixture
def jwks_server() -> Iterator[str]:
    body = ISSUER.jwks_json().encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


async def test_keys_are_fetched_from_the_issuers_jwks_url(jwks_server: str) -> None:
    v = verifier(jwks=jwks_server)
    assert (await v.verify(ISSUER.mint("a", audience="ledger"))).subject == "a"
    with pytest.raises(Unauthenticated):
        await v.verify(LocalIssuer(ISSUER.issuer, kid="k9").mint("a", audience="ledger"))


async def test_a_verified_token_is_remembered_only_until_it_expires() -> None:
    v = verifier(leeway_seconds=0)
    soon = ISSUER.mint("a", audience="ledger", expires_in=1)
    assert (await v.verify(soon)).subject == "a"
    assert (await v.verify(soon)).subject == "a"  # from the cache
    await asyncio.sleep(1.1)
    with pytest.raises(Unauthenticated, match="expired"):
        await v.verify(soon)
    # a tampered token never matches a remembered one
    good = ISSUER.mint("b", roles=["collector"], audience="ledger")
    await v.verify(good)
    with pytest.raises(Unauthenticated):
        await v.verify(good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
