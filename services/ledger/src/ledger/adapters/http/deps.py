"""FastAPI dependencies: the composition root's objects and per-request metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Header, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.http.schemas import ID_PATTERN
from ledger.application.handler import Presenter, request_hash
from ledger.application.records import Metadata
from ledger.bootstrap import Ledger
from ledger.domain import commands as cmd
from ledger.domain import errors as err


async def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
AccountId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]


@dataclass
class CommandContext:
    ledger: Ledger
    meta: Metadata
    path: dict[str, str] = field(default_factory=dict)  # the route's path parameters

    async def run(
        self,
        account_id: str,
        command: cmd.Command,
        *,
        command_id: str | None,
        id_field: str | None = None,
        payload: dict[str, Any],
        present: Presenter,
        status_code: int = 201,
        derive_key: bool = False,
    ) -> JSONResponse:
        """Run ``command`` once per ``command_id`` (named ``id_field`` in the request), or
        per Idempotency-Key when the request carries no id of its own.

        The idempotency digest covers the whole command, path parameters and body: the
        same id on another invoice is another command (409), not a replay. With
        ``derive_key`` a request without a key gets one derived from the command itself,
        so a plain retry replays instead of running twice.
        """
        whole = {"path": self.path, "body": payload}
        key = command_id or self.meta.idempotency_key
        if key is None and derive_key:
            key = derived_key(type(command).__name__, command.model_dump(mode="json"))
        if key is None:
            raise err.RuleViolation(
                "this command needs an id in its body or an Idempotency-Key header",
                field="Idempotency-Key",
            )
        try:
            outcome = await self.ledger.handler.handle(
                account_id,
                command,
                command_id=key,
                payload=whole,
                meta=self.meta,
                present=present,
                status_code=status_code,
            )
        except err.IdempotencyConflict as e:
            e.field = e.field or (id_field if command_id else "Idempotency-Key")
            raise
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
        return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


def derived_key(command_type: str, command: dict[str, Any]) -> str:
    """A deterministic command id for a command that has none of its own."""
    return f"derived-{command_type}-{request_hash(command).hex()[:32]}"


def _uuid(value: str | None, name: str) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise err.RuleViolation(f"{name} must be a UUID", field=name) from None


async def command_context(
    request: Request,
    ledger: LedgerDep,
    x_actor: Annotated[str | None, Header(max_length=128)] = None,
    x_correlation_id: Annotated[str | None, Header()] = None,
    x_causation_id: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> CommandContext:
    meta = Metadata(
        actor=x_actor or ledger.settings.default_actor,
        correlation_id=_uuid(x_correlation_id, "X-Correlation-Id"),
        causation_id=_uuid(x_causation_id, "X-Causation-Id"),
        idempotency_key=idempotency_key,
    )
    return CommandContext(ledger, meta, dict(request.path_params))


Ctx = Annotated[CommandContext, Depends(command_context)]


async def connection(ledger: LedgerDep) -> Any:
    async with ledger.engine.connect() as conn:
        yield conn


Conn = Annotated[AsyncConnection, Depends(connection)]
