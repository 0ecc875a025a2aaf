"""A local token issuer: development (``make run``) and tests, never production.

It holds one EC P-256 key (ES256), publishes it as a JWKS and mints access tokens with the
claims the services read. ``LocalIssuer.load_or_create(path)`` keeps the key in a PEM file
(mode 0600) so tokens survive restarts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "ES256"


class LocalIssuer:
    def __init__(
        self,
        issuer: str = "urn:receivables:local-issuer",
        key: ec.EllipticCurvePrivateKey | None = None,
        kid: str = "local-1",
    ) -> None:
        self.issuer = issuer
        self.key = key or ec.generate_private_key(ec.SECP256R1())
        self.kid = kid

    @classmethod
    def load_or_create(cls, path: Path, issuer: str = "urn:receivables:dev-issuer") -> LocalIssuer:
        if path.exists():
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(loaded, ec.EllipticCurvePrivateKey)
            return cls(issuer, loaded, kid="dev-1")
        made = cls(issuer, kid="dev-1")
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = made.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.touch(mode=0o600)
        path.write_bytes(pem)
        return made

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": ALGORITHM}]}

    def jwks_json(self) -> str:
        return json.dumps(self.jwks())

    def mint(
        self,
        subject: str,
        *,
        roles: Iterable[str] = (),
        jurisdictions: Iterable[str] = ("*",),
        audience: str | Iterable[str] = (),
        expires_in: float = 3600,
        issued_at: float | None = None,
        scope: str | None = None,
        **claims: Any,
    ) -> str:
        now = time.time() if issued_at is None else issued_at
        aud = audience if isinstance(audience, str) else list(audience)
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": aud,
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now + expires_in),
            "roles": list(roles),
            "jurisdictions": list(jurisdictions),
            **claims,
        }
        if scope is not None:
            payload["scope"] = scope
        return jwt.encode(payload, self.key, algorithm=ALGORITHM, headers={"kid": self.kid})
