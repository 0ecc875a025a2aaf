"""The composition root: builds the adapters once and hands them down."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from ledger.adapters.postgres.engine import make_engine
from ledger.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from ledger.application.clock import Clock, SystemClock
from ledger.application.handler import CommandHandler
from ledger.settings import Settings


@dataclass
class Ledger:
    settings: Settings
    engine: AsyncEngine
    clock: Clock
    handler: CommandHandler
    chain_key: bytes

    async def close(self) -> None:
        await self.engine.dispose()


def database_url(settings: Settings) -> str:
    if not settings.database_url:
        raise SystemExit(
            "LEDGER_DATABASE_URL is not set; `make run` starts an embedded PostgreSQL and "
            "sets it for you"
        )
    return settings.database_url


def build(settings: Settings, *, clock: Clock | None = None) -> Ledger:
    engine = make_engine(
        database_url(settings), role=settings.db_role, pool_size=settings.db_pool_size
    )
    key = settings.chain_key.get_secret_value().encode()
    clock = clock or SystemClock()
    handler = CommandHandler(PostgresUnitOfWorkFactory(engine, key), clock)
    return Ledger(settings=settings, engine=engine, clock=clock, handler=handler, chain_key=key)
