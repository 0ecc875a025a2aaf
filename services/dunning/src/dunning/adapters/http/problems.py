"""RFC 9457 problem details: the one place dunning's errors meet HTTP status codes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from dunning.domain import errors as err

MEDIA_TYPE = "application/problem+json"

STATUS: dict[type[err.DunningError], int] = {
    err.NotFound: 404,
    err.IdempotencyConflict: 409,
    err.RuleViolation: 422,
    err.PolicyFileError: 500,
}


def problem(status: int, rule: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:receivables-dunning:problem:{rule}",
        "title": title,
        "status": status,
        "detail": detail,
        "rule": rule,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def _status(e: err.DunningError) -> int:
    for cls in type(e).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("function-"):
            out += f".{part}" if out else str(part)
    return out or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(err.DunningError)
    async def dunning_error(_: Request, e: err.DunningError) -> JSONResponse:
        extra = {"field": e.field} if e.field else {}
        return problem(_status(e), e.rule, type(e).__name__, e.detail, **extra)

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
