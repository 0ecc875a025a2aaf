"""RFC 9457 problem details: the one place domain errors meet HTTP status codes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from commission.domain import errors as err

MEDIA_TYPE = "application/problem+json"

STATUS: dict[type[err.CommissionError], int] = {
    err.NotFound: 404,
    err.Conflict: 409,
    err.RuleViolation: 422,
}


def problem(status: int, rule: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:receivables-commission:problem:{rule}",
        "title": title,
        "status": status,
        "detail": detail,
        "rule": rule,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def _status(e: err.CommissionError) -> int:
    for cls in type(e).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(err.CommissionError)
    async def commission_error(_: Request, e: err.CommissionError) -> JSONResponse:
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
