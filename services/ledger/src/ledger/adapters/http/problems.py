"""RFC 9457 problem details: the one place domain errors meet HTTP status codes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ledger.domain import errors as err

MEDIA_TYPE = "application/problem+json"

STATUS: dict[type[err.LedgerError], int] = {
    err.AccountNotFound: 404,
    err.AccountExists: 409,
    err.IdempotencyConflict: 409,
    err.ConcurrencyConflict: 409,
    err.RuleViolation: 422,
}


def problem(status: int, rule: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:receivables-ledger:problem:{rule}",
        "title": title,
        "status": status,
        "detail": detail,
        "rule": rule,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


# Errors about the state of what a request names (in its path or body) rather than about
# one value name that thing, so every problem points at a field.
SUBJECT: dict[type[err.LedgerError], str] = {
    err.AccountNotFound: "account_id",
    err.DisputeState: "invoice_id",
    err.PaymentAlreadyReversed: "payment_id",
    err.PaymentRefunded: "payment_id",
    err.ExceedsOpenAmount: "invoice_id",  # raised without a field: nothing open at all
}


def _status(e: err.LedgerError) -> int:
    for cls in type(e).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in ("function-before[_decimal_string(), decimal]",):
            out += f".{part}" if out else str(part)
    return out or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(err.LedgerError)
    async def ledger_error(_: Request, e: err.LedgerError) -> JSONResponse:
        field = e.field or SUBJECT.get(type(e))
        extra = {"field": field} if field else {}
        title = type(e).__name__
        return problem(_status(e), e.rule, title, e.detail, **extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(tuple(x["loc"])), "message": x["msg"], "type": x["type"]}
            for x in e.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid request"}
        return problem(
            422,
            "validation",
            "Invalid request",
            f"{first['field']}: {first['message']}",
            field=first["field"],
            errors=errors,
        )

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, e: HTTPException) -> JSONResponse:
        return problem(e.status_code, f"http-{e.status_code}", str(e.detail), str(e.detail))
