"""``<service> api-keys create|list|revoke``: the same subcommand in every service's CLI."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit.auth.api_keys import ApiKeyStore
from servicekit.auth.principal import ROLES, TRUSTED_SERVICE


def add_parser(sub: Any) -> None:
    keys = sub.add_parser("api-keys", help="create, list or revoke API keys")
    action = keys.add_subparsers(dest="key_command", required=True)
    create = action.add_parser("create", help="make a key (printed once, stored hashed)")
    create.add_argument("name", help="who uses the key (recorded as the actor)")
    create.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[*ROLES, TRUSTED_SERVICE],
        help="a role the key grants (repeat for more)",
    )
    create.add_argument(
        "--jurisdiction",
        action="append",
        default=[],
        help="a jurisdiction the key may act in (repeat; '*' for all)",
    )
    listing = action.add_parser("list", help="list the keys (never their secrets)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    revoke = action.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")


async def run(args: argparse.Namespace, engine: AsyncEngine) -> int:
    store = ApiKeyStore(engine, cache_seconds=0)
    if args.key_command == "create":
        if not args.jurisdiction:
            print("name the key's jurisdictions with --jurisdiction (or '*' for all)")
            return 2
        record, key = await store.create(args.name, args.role, args.jurisdiction)
        print(f"key id {record.key_id} for {record.name}; the key is shown only this once:")
        print(key)
        return 0
    if args.key_command == "list":
        for k in await store.list(include_revoked=args.all):
            row: dict[str, Any] = {
                "key_id": k.key_id,
                "name": k.name,
                "roles": list(k.roles),
                "jurisdictions": list(k.jurisdictions),
                "created_at": k.created_at.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            print(json.dumps(row))
        return 0
    if await store.revoke(args.key_id):
        print(f"revoked {args.key_id}")
        return 0
    print(f"no active key {args.key_id}")
    return 1


def main(args: argparse.Namespace, database_url: str) -> int:
    """Run the ``api-keys`` subcommand on the service's database."""
    from sqlalchemy.ext.asyncio import create_async_engine

    async def go() -> int:
        engine = create_async_engine(database_url)
        try:
            return await run(args, engine)
        finally:
            await engine.dispose()

    return asyncio.run(go())
