"""API keys for service-to-service calls: shown once, stored as argon2 hashes.

A key reads ``rk_<key id>_<secret>``. The table keeps the key id, a name, the roles and
jurisdictions it grants, the argon2 hash of the secret, and when it was created and
revoked. A verified key is remembered (by a SHA-256 of the whole key) for
``cache_seconds`` so that posting systems do not pay an argon2 hash per request; a revoked
key stops working within that time.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ARRAY, Column, DateTime, MetaData, Table, Text, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit.auth.errors import Unauthenticated
from servicekit.auth.principal import ROLES, TRUSTED_SERVICE, Principal, jurisdictions_of

PREFIX = "rk"

# The table as each version of it is created (its own database, its own table): a
# service's migration names the version it creates (servicekit.migrations.create_api_keys),
# so it creates the same table however a later version changes it. A change is a new
# version here and a new migration in each service; a version is never edited.
DDL_VERSIONS = {
    1: """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id        text PRIMARY KEY,
    name          text NOT NULL,
    roles         text[] NOT NULL,
    jurisdictions text[] NOT NULL,
    secret_hash   text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
)
""",
}
DDL = DDL_VERSIONS[max(DDL_VERSIONS)]  # the table as it is now

_metadata = MetaData()
api_keys = Table(
    "api_keys",
    _metadata,
    Column("key_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("jurisdictions", ARRAY(Text), nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
)

# OWASP's argon2id minimum (19 MiB, 2 passes): keys are long random secrets, and the
# cache keeps hashing off the request path.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    roles: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None

    def principal(self) -> Principal:
        return Principal(
            subject=self.name,
            roles=frozenset(self.roles),
            jurisdictions=jurisdictions_of(self.jurisdictions),
            via="api-key",
        )


def _parse(key: str) -> tuple[str, str]:
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        raise Unauthenticated("the API key is malformed")
    return parts[1], parts[2]


def _record(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        name=row.name,
        roles=tuple(row.roles),
        jurisdictions=tuple(row.jurisdictions),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class ApiKeyStore:
    """Create, list, revoke and check the keys of one service's database."""

    def __init__(self, engine: AsyncEngine, *, cache_seconds: float = 30) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._verified: dict[bytes, tuple[float, Principal]] = {}

    async def create(
        self, name: str, roles: Iterable[str], jurisdictions: Iterable[str]
    ) -> tuple[ApiKey, str]:
        """A new key; the plaintext is returned here and never stored."""
        granted = tuple(dict.fromkeys(roles))
        unknown = set(granted) - set(ROLES) - {TRUSTED_SERVICE}
        if not name.strip() or not granted or unknown:
            raise ValueError(f"a key needs a name and known roles (unknown: {sorted(unknown)})")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        codes = tuple(sorted({j.strip().upper() for j in jurisdictions if j.strip()}))
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    insert(api_keys)
                    .values(
                        key_id=key_id,
                        name=name.strip(),
                        roles=list(granted),
                        jurisdictions=list(codes),
                        secret_hash=_hasher.hash(secret),
                    )
                    .returning(*api_keys.c)
                )
            ).one()
        return _record(row), f"{PREFIX}_{key_id}_{secret}"

    async def list(self, *, include_revoked: bool = False) -> list[ApiKey]:
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        async with self.engine.connect() as conn:
            return [_record(row) for row in await conn.execute(query)]

    async def revoke(self, key_id: str) -> bool:
        async with self.engine.begin() as conn:
            done = await conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=func.now())
                .returning(api_keys.c.key_id)
            )
            found = done.first() is not None
        self._verified.clear()
        return found

    async def verify(self, key: str) -> Principal:
        digest = hashlib.sha256(key.encode()).digest()
        cached = self._verified.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        key_id, secret = _parse(key)
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(api_keys).where(api_keys.c.key_id == key_id))).first()
        if row is None or row.revoked_at is not None:
            raise Unauthenticated("the API key is unknown or revoked")
        try:
            await asyncio.to_thread(_hasher.verify, row.secret_hash, secret)
        except (VerificationError, InvalidHashError):
            raise Unauthenticated("the API key is unknown or revoked") from None
        principal = _record(row).principal()
        if self.cache_seconds > 0:
            self._verified[digest] = (time.monotonic() + self.cache_seconds, principal)
        return principal
