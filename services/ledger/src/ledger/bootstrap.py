"""The composition root: builds the adapters once and hands them down."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from ledger.adapters.http.scopes import ROLES
from ledger.adapters.postgres.batch_store import AsyncpgBatchUnitOfWorkFactory
from ledger.adapters.postgres.command_store import AsyncpgUnitOfWorkFactory
from ledger.adapters.postgres.engine import make_engine
from ledger.adapters.postgres.group_store import AsyncpgGroupUnitOfWorkFactory
from ledger.application.approvals import ApprovalPolicy
from ledger.application.batch import BatchHandler
from ledger.application.clock import Clock, SystemClock
from ledger.application.group import GroupCommit
from ledger.application.handler import CommandHandler
from ledger.settings import Settings
from servicekit.auth import ApiKeyStore, Authenticator, authenticator_from

log = logging.getLogger(__name__)

WEAK_KEY = (
    "LEDGER_CHAIN_KEY is a publicly known placeholder: anyone with database access can "
    "forge events that verify. Set a secret key of your own"
)


@dataclass
class Ledger:
    settings: Settings
    engine: AsyncEngine
    clock: Clock
    handler: CommandHandler
    commands: GroupCommit  # the single commands of the HTTP routes, group-committed
    batches: BatchHandler
    chain_key: bytes
    uow: AsyncpgUnitOfWorkFactory
    authenticator: Authenticator

    async def close(self) -> None:
        # the commands taken are answered before the database goes away
        await self.commands.drain()
        await self.uow.close()
        await self.engine.dispose()


def check_chain_key(settings: Settings) -> None:
    """Refuse a placeholder chain key outside development; warn loudly within it."""
    if not settings.weak_chain_key():
        return
    if settings.environment != "development":
        raise SystemExit(f"{WEAK_KEY} (or LEDGER_ENVIRONMENT=development for a local run).")
    log.warning("%s before leaving development.", WEAK_KEY)


def build(settings: Settings, *, clock: Clock | None = None) -> Ledger:
    check_chain_key(settings)
    url = settings.required_database_url()
    engine = make_engine(url, role=settings.db_role, pool_size=settings.db_pool_size)
    uow = AsyncpgUnitOfWorkFactory(url, role=settings.db_role, pool_size=settings.db_pool_size)
    key = settings.chain_key.get_secret_value().encode()
    clock = clock or SystemClock()
    policy = ApprovalPolicy(settings.write_off_approval_threshold)
    handler = CommandHandler(uow, clock, key, policy)
    commands = GroupCommit(
        handler,
        AsyncpgGroupUnitOfWorkFactory(uow),
        clock,
        key,
        policy,
        in_flight=settings.group_commit_in_flight,
        max_queue=settings.group_commit_max_queue,
    )
    batches = BatchHandler(AsyncpgBatchUnitOfWorkFactory(uow), clock, key, policy)
    keys = ApiKeyStore(engine, cache_seconds=settings.auth_api_key_cache_seconds)
    return Ledger(
        settings=settings,
        engine=engine,
        clock=clock,
        handler=handler,
        commands=commands,
        batches=batches,
        chain_key=key,
        uow=uow,
        authenticator=authenticator_from(settings, ROLES, keys),
    )
