"""RFC 9457 problem details: the one place domain errors meet HTTP status codes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from eventfeed.problems import field_errors
from ledger.adapters.http.schemas import FORMATS
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


class FieldError(BaseModel):
    field: str = Field(examples=["lines[0].amount"])
    message: str
    type: str = Field(description="pydantic's error type, e.g. missing, decimal_string")


class Problem(BaseModel):
    """RFC 9457 problem details: how the ledger answers every request it refuses."""

    type: str = Field(examples=["urn:receivables-ledger:problem:invalid-amount"])
    title: str = Field(examples=["InvalidAmount"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["lines[0].amount 10.001 has more than 2 decimal places"])
    rule: str = Field(
        description="the rule the request broke: validation, invalid-amount, "
        "over-allocation, idempotency-conflict, account-not-found, ...",
        examples=["invalid-amount"],
    )
    field: str | None = Field(
        None,
        description="the request part at fault: a body path, a path or query parameter, "
        "or a header",
        examples=["lines[0].amount"],
    )
    errors: list[FieldError] | None = Field(
        None, description="validation problems only: every field at fault"
    )


_WHY = {
    "404": "No such account",
    "405": "Method not allowed",
    "409": "The id (or Idempotency-Key) was used before with another body",
    "422": "The request broke a validation or business rule; nothing was written",
}


def _document(spec: dict[str, Any]) -> dict[str, Any]:
    """Describe the errors as they are sent: ``application/problem+json`` ``Problem``s.

    FastAPI documents only its own 422 body; here every route with an account id in its
    path also answers 404, and every POST 409 (idempotency).
    """
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    content = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            responses = op.setdefault("responses", {})
            if "{account_id}" in path:
                responses.setdefault("404", {})
            if method == "post":
                responses.setdefault("409", {})
            for code, response in responses.items():
                if code.startswith("4"):
                    response["description"] = _WHY.get(code, "Refused")
                    response["content"] = content
    return spec


def install(app: FastAPI) -> None:
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(build_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(err.LedgerError)
    async def ledger_error(_: Request, e: err.LedgerError) -> JSONResponse:
        field = e.field or SUBJECT.get(type(e))
        extra = {"field": field} if field else {}
        title = type(e).__name__
        return problem(_status(e), e.rule, title, e.detail, **extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        errors = field_errors(e.errors(), FORMATS)
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
