"""Development identities for ``make run``: no identity provider needed.

A signing key is kept in ``<data dir>/auth/dev-signing-key.pem`` (made on first use) and
its public key in ``<data dir>/auth/jwks.json``; every service is told to trust that issuer
(``<SVC>_AUTH_ISSUER`` / ``<SVC>_AUTH_JWKS``) unless its own is configured. The services
that call the ledger get a token of their own (``<SVC>_LEDGER_TOKEN``). A token per role
is written to ``<data dir>/auth/tokens.env`` for the shell (``source var/auth/tokens.env``)
and printed. None of this exists outside ``make run``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEV_ISSUER = "urn:receivables:dev-issuer"
TOKEN_HOURS = 24 * 7
# What a service calling the ledger may do there: post (fees, invoices, cash), read and
# follow the feed, and name the user it acts for.
SERVICE_ROLES = ("poster", "auditor", "trusted_service")
# More a service needs: cash writes off a short payment within tolerance.
EXTRA_ROLES = {"cash": ("credit_controller",)}


@dataclass(frozen=True)
class DevTokens:
    path: Path  # the tokens.env file
    lines: list[str]


def provision(env: dict[str, str], data_dir: Path, services: Sequence[str]) -> DevTokens:
    """Set the children's auth variables in ``env``; return the per-role tokens."""
    from servicekit.auth import ROLES
    from servicekit.auth.issuer import LocalIssuer

    auth_dir = data_dir / "auth"
    issuer = LocalIssuer.load_or_create(auth_dir / "dev-signing-key.pem", DEV_ISSUER)
    jwks = auth_dir / "jwks.json"
    jwks.write_text(issuer.jwks_json())
    seconds = TOKEN_HOURS * 3600
    for name in services:
        prefix = name.upper()
        if env.get(f"{prefix}_AUTH_JWKS"):
            continue  # a real identity provider is configured for this service
        env[f"{prefix}_AUTH_ISSUER"] = DEV_ISSUER
        env[f"{prefix}_AUTH_JWKS"] = str(jwks)
        if name != "ledger" and not env.get(f"{prefix}_LEDGER_API_KEY"):
            env.setdefault(
                f"{prefix}_LEDGER_TOKEN",
                issuer.mint(
                    name,
                    roles=SERVICE_ROLES + EXTRA_ROLES.get(name, ()),
                    audience="ledger",
                    expires_in=seconds,
                ),
            )
    if "console" in services:  # `console demo` loads data through every service's API
        env.setdefault(
            "CONSOLE_DEMO_TOKEN",
            issuer.mint(
                "console-demo",
                roles=("admin", "trusted_service"),
                audience=services,
                expires_in=seconds,
            ),
        )
    lines = []
    for role in ROLES:
        token = issuer.mint(f"dev-{role}", roles=[role], audience=services, expires_in=seconds)
        lines.append(f"export TOKEN_{role.upper()}={token}")
    for role, where in (("credit_controller", "SG"), ("credit_controller", "HK")):
        token = issuer.mint(
            f"dev-{role}-{where.lower()}",
            roles=[role],
            jurisdictions=[where],
            audience=services,
            expires_in=seconds,
        )
        lines.append(f"export TOKEN_{role.upper()}_{where}={token}")
    if env.get("CONSOLE_DEMO_TOKEN"):  # for `make demo` in another terminal
        lines.append(f"export CONSOLE_DEMO_TOKEN={env['CONSOLE_DEMO_TOKEN']}")
    path = auth_dir / "tokens.env"
    path.touch(mode=0o600)
    path.write_text("\n".join(lines) + "\n")
    return DevTokens(path, lines)
