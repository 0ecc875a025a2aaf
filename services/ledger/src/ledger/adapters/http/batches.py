"""``POST /v1/batches``: up to 10,000 commands in one request, as a JSON array or NDJSON.

Each item names an operation (``op``), the account and the single route's other path
parameters, an optional ``idempotency_key`` and the single route's ``body``. It is
validated, identified and answered exactly as that route would, so a batch retried (or a
command posted singly before) replays instead of writing twice. An account's commands
apply in order and all-or-nothing; every item gets its own result (``?results=errors``:
only the items that were not run, the written and replayed ones counted).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints, ValidationError, create_model

from ledger.adapters.http import schemas as s
from ledger.adapters.http import scopes as sc
from ledger.adapters.http.access import outside
from ledger.adapters.http.deps import Ctx
from ledger.adapters.http.operations import OPERATIONS, derived_key, whole_command
from ledger.adapters.http.problems import PROBLEMS
from ledger.application.batch import BatchCommand, not_applied
from ledger.domain import errors as err
from servicekit.auth import requires
from servicekit.collector import paused_collector
from servicekit.edge import nul_field
from servicekit.problems import Problem

router = APIRouter(prefix="/v1/batches", tags=["commands"])

MAX_COMMANDS = 10_000
NDJSON = ("application/x-ndjson", "application/jsonl", "application/ndjson")
Json = dict[str, Any]


class BatchItem(s.Body):
    op: Literal[tuple(OPERATIONS)] = Field(  # type: ignore[valid-type]
        description="the operation: " + ", ".join(OPERATIONS)
    )
    account_id: s.Id | None = Field(None, description="required except for open_account")
    invoice_id: s.Id | None = Field(
        None, description="recover_write_off, dispute, resolve_dispute: the invoice"
    )
    payment_id: s.Id | None = Field(None, description="reverse_payment: the payment")
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    body: Json = Field(description="the single route's request body")


def _typed(op: str, body: type[s.Body]) -> type[BatchItem]:
    """The item of one operation with its body's own model: a valid item is validated once."""
    return create_model(
        f"BatchItem_{op}",
        __base__=BatchItem,
        op=(Literal[op], ...),  # type: ignore[arg-type]
        body=(body, ...),
    )


# A valid item is validated by its operation's model alone; an invalid one again by
# BatchItem then the body model, so its refusal names the errors it always did.
_TYPED = {op: _typed(op, o.body) for op, o in OPERATIONS.items()}


class BatchResultOut(BaseModel):
    index: int = Field(description="the item's place in the request, from 0")
    status: int = Field(description="what the single route would have answered")
    replayed: bool = Field(False, description="an earlier run's answer (Idempotent-Replayed)")
    body: Json | None = Field(None, description="the single route's answer")
    problem: Problem | None = Field(
        None, description="why it was refused; not-applied: another command of its account was"
    )


class BatchOut(BaseModel):
    written: int = Field(description="commands run and written now")
    replayed: int
    failed: int
    results: list[BatchResultOut]


class _Refused(Exception):
    pass


def _parse(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)  # refuses nesting past 1,024 levels: a JSONDecodeError
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _items(raw: bytes, content_type: str) -> list[Any]:
    if content_type.split(";")[0].strip().lower() in NDJSON:
        out: list[Any] = []
        for n, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                try:
                    out.append(_parse(line))
                except ValueError as e:
                    out.append(_Unreadable(f"line {n} is not valid JSON: {e}"))
        return out
    try:
        items = _parse(raw)
    except ValueError as e:
        raise _Refused(f"not valid JSON: {e}") from None
    if not isinstance(items, list):
        raise _Refused("a JSON array of commands (or NDJSON, one command a line)")
    return items


class _Unreadable:
    def __init__(self, why: str) -> None:
        self.why = why


def _invalid(index: int, errors: list[Any]) -> Json:
    return {"index": index, "status": 422, "problem": PROBLEMS.validation(errors)}


def _error(index: int, e: Exception) -> Json:
    details = PROBLEMS.details(e)
    return {"index": index, "status": details["status"], "problem": details}


def _forbidden(index: int, detail: str) -> Json:
    problem = {
        "type": f"urn:receivables-{PROBLEMS.service}:problem:forbidden",
        "title": "Forbidden",
        "status": 403,
        "detail": detail,
        "rule": "forbidden",
    }
    return {"index": index, "status": 403, "problem": problem}


def _refused(index: int, raw: Any, ctx: Ctx) -> Json | None:
    """A command the caller may not run: its single route's scope, or (opening an
    account) a jurisdiction of someone else's."""
    op = raw.get("op") if isinstance(raw, dict) else None
    scope = sc.OP_SCOPES.get(op) if isinstance(op, str) else None
    if scope is None:
        return None  # not a command: _prepare says why
    principal = ctx.principal
    if not ctx.ledger.authenticator.roles.allows(principal, scope):
        return _forbidden(index, f"{principal.subject} lacks the scope {scope}")
    body = raw.get("body") if isinstance(raw, dict) else None
    where = body.get("jurisdiction") if op == "open_account" and isinstance(body, dict) else None
    if isinstance(where, str) and not principal.sees(where):
        return _forbidden(index, f"{principal.subject} may not open accounts in {where}")
    return None


def _account_of(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    body = raw.get("body")
    value = raw.get("account_id") or (body.get("account_id") if isinstance(body, dict) else None)
    return value if isinstance(value, str) else None


def _missing(index: int, name: str, why: str) -> Json:
    return _invalid(index, [{"type": "missing", "loc": (name,), "msg": why}])


def _validated(index: int, raw: Any) -> tuple[BatchItem, s.Body] | Json:
    """The item and its body, or why not."""
    op = raw.get("op") if isinstance(raw, dict) else None
    typed = _TYPED.get(op) if isinstance(op, str) else None
    if typed is not None:
        try:
            item = typed.model_validate(raw)
        except ValidationError:
            pass  # said below as it always was
        else:
            return item, item.body  # type: ignore[return-value]
    try:
        item = BatchItem.model_validate(raw)
    except ValidationError as e:
        return _invalid(index, list(e.errors()))
    try:
        return item, OPERATIONS[item.op].body.model_validate(item.body)
    except ValidationError as e:
        return _invalid(index, [{**x, "loc": ("body", "body", *x["loc"])} for x in e.errors()])


def _prepare(index: int, raw: Any, ctx: Ctx) -> BatchCommand | Json:
    """The item as a command, or its result when it cannot be one."""
    if isinstance(raw, _Unreadable):
        return _invalid(index, [{"type": "value_error", "loc": ("body",), "msg": raw.why}])
    try:
        at_fault = nul_field(raw)  # named within the item, as the body of its own request
    except RecursionError:  # read (orjson takes 1,024 levels) but too deep to walk
        why = "nested too deeply"
        return _invalid(index, [{"type": "value_error", "loc": ("body",), "msg": why}])
    if at_fault:  # text cannot hold NUL; NDJSON bodies are not scanned at the edge
        detail = f"{at_fault}: contains a NUL character (U+0000), which text cannot hold"
        problem = PROBLEMS.body(422, "nul-character", "Invalid request", detail, field=at_fault)
        return {"index": index, "status": 422, "problem": problem}
    validated = _validated(index, raw)
    if isinstance(validated, dict):
        return validated
    item, body = validated
    operation = OPERATIONS[item.op]
    params: dict[str, str] = {}
    for name in operation.params:
        value = getattr(item, name)
        if value is None:
            return _missing(index, name, f"{item.op} names its {name}")
        params[name] = value
    opened = body.__dict__.get("account_id")  # open_account's; the others have none
    account_id = opened or item.account_id
    if account_id is None or (item.account_id and item.account_id != account_id):
        return _missing(index, "account_id", "the command's account (open_account: as in body)")
    prepared = operation.build(body, params, ctx.today)
    key = prepared.command_id or item.idempotency_key
    if key is None and operation.derive_key:
        key = derived_key(prepared.command)
    if key is None:
        needs_key = err.RuleViolation(
            "this command needs an id in its body or an idempotency_key", field="idempotency_key"
        )
        return _error(index, needs_key)
    return BatchCommand(
        account_id=account_id,
        command=prepared.command,
        command_id=key,
        id_field=prepared.id_field if prepared.command_id else "idempotency_key",
        # as the single route's digest: its path parameters (none for open_account) and body
        payload=whole_command(
            {} if opened else {"account_id": account_id, **params}, prepared.payload
        ),
        meta=ctx.meta
        if ctx.meta.idempotency_key == item.idempotency_key
        else replace(ctx.meta, idempotency_key=item.idempotency_key),
        present=prepared.present,
        index=index,
    )


_ITEM_SCHEMA = BatchItem.model_json_schema()
_ITEMS_SCHEMA = {"type": "array", "items": _ITEM_SCHEMA, "minItems": 1, "maxItems": MAX_COMMANDS}


@router.post(
    "",
    summary="Run up to 10,000 commands: all-or-nothing per account, a result per command",
    description="Each item is one single route's command: `op` names it, `body` is that "
    "route's body, `account_id` / `invoice_id` / `payment_id` its path parameters and "
    "`idempotency_key` its Idempotency-Key header (the caller, X-Actor and the correlation "
    "headers apply to every item; each command needs its single route's scope, else its "
    "result is 403, and an account outside the caller's jurisdictions answers 404). Send "
    "a JSON array or NDJSON (`application/x-ndjson`, an item a line). Each result has the "
    "status and body (or problem) the single route would answer; an account's commands "
    "run in order and are written all or none (the others answer 424 not-applied). "
    "`?results=errors` answers the same counts but only the results of the items not run "
    "(refused or not applied): a caller that needs no per-command bodies is spared them.",
    response_model=BatchOut,
    dependencies=[requires(sc.BATCHES)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _ITEMS_SCHEMA},
                "application/x-ndjson": {
                    "schema": _ITEM_SCHEMA,
                    "description": "one item per line",
                },
            },
        }
    },
)
async def run_batch(
    request: Request,
    ctx: Ctx,
    results_mode: Annotated[
        Literal["all", "errors"],
        Query(
            alias="results",
            description="all (default): a result per item; errors: only the items not run",
        ),
    ] = "all",
) -> Response:
    # a batch holds its items, commands, events and rows alive until it answers: the
    # collector's passes over them cost about a quarter of its CPU, and free nothing
    with paused_collector():
        return await _run_batch(request, ctx, results_mode)


async def _run_batch(request: Request, ctx: Ctx, results_mode: str) -> Response:
    try:
        items = _items(await request.body(), request.headers.get("content-type", ""))
    except _Refused as e:
        return PROBLEMS.problem(422, "validation", "Invalid request", f"body: {e}", field="body")
    if not 1 <= len(items) <= MAX_COMMANDS:
        detail = f"body: a batch holds 1 to {MAX_COMMANDS:,} commands, not {len(items):,}"
        return PROBLEMS.problem(422, "validation", "Invalid request", detail, field="body")
    out: dict[int, Json] = {}
    commands: list[BatchCommand] = []
    failed_first: dict[str, int] = {}  # account -> its first invalid item
    for index, raw in enumerate(items):
        prepared = _refused(index, raw, ctx) or _prepare(index, raw, ctx)
        if isinstance(prepared, BatchCommand):
            commands.append(prepared)
            continue
        out[index] = prepared
        account_id = _account_of(raw)
        if account_id is not None:
            failed_first.setdefault(account_id, index)
    runnable = []
    hidden = await outside(ctx.ledger, ctx.principal, {c.account_id for c in commands})
    for c in commands:
        if c.account_id in hidden:  # as if it did not exist
            missing = err.AccountNotFound(f"account {c.account_id} does not exist")
            out[c.index] = _error(c.index, missing)
        elif c.account_id in failed_first:
            out[c.index] = _error(c.index, not_applied(c.account_id, failed_first[c.account_id]))
        else:
            runnable.append(c)
    for r in await ctx.ledger.batches.handle(runnable):
        if r.error is not None:
            out[r.index] = _error(r.index, r.error)
        else:
            out[r.index] = {
                "index": r.index,
                "status": r.status_code,
                "replayed": r.replayed,
                "body": r.body,
            }
    results = [out[i] for i in range(len(items))]
    replayed = sum(1 for r in results if r.get("replayed"))
    written = sum(1 for r in results if "body" in r) - replayed
    failed = len(results) - written - replayed
    if results_mode == "errors":
        results = [r for r in results if "body" not in r]
    body = {"written": written, "replayed": replayed, "failed": failed, "results": results}
    return Response(orjson.dumps(body), media_type="application/json")
