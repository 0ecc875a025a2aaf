"""RFC 9457 problem details: the one place dunning's errors meet HTTP status codes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from dunning.domain import errors as err
from eventfeed.problems import field_errors

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


# Readable names of the patterns the API validates with (instead of the regex).
FORMATS = {
    r"^[A-Za-z0-9._:\-]+$": "an id of letters, digits and . _ : -",
    r"^\d{1,15}(\.\d{1,6})?$": 'a positive decimal amount such as "500.00"',
    r"^[^@\s]+@[^@\s]+$": "an e-mail address",
}


def _status(e: err.DunningError) -> int:
    for cls in type(e).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


class FieldError(BaseModel):
    field: str
    message: str
    type: str = Field(description="pydantic's error type, e.g. missing, decimal_string")


class Problem(BaseModel):
    """RFC 9457 problem details: how dunning answers every request it refuses."""

    type: str = Field(examples=["urn:receivables-dunning:problem:validation"])
    title: str
    status: int = Field(examples=[422])
    detail: str
    rule: str = Field(description="the rule the request broke (a stable slug)")
    field: str | None = Field(None, description="the request part at fault")
    errors: list[FieldError] | None = Field(
        None, description="validation problems only: every field at fault"
    )


_WHY = {
    "404": "No such account (or entry)",
    "409": "The id was used before with another body (or the state forbids it)",
    "422": "The request broke a validation or business rule; nothing was written",
}


def _client_id(spec: dict[str, Any], op: dict[str, Any]) -> bool:
    """Does the operation's body carry an id the client chose (retry-safe by that id)?"""
    content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    body = spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return any(name.endswith("_id") for name in body.get("required", ()))


def _document(spec: dict[str, Any]) -> dict[str, Any]:
    """Describe the errors as they are sent: ``application/problem+json`` ``Problem``s.

    FastAPI documents only its own 422 body; here every route with ``{account_id}`` in its
    path also answers 404, and every POST whose body carries a client-chosen id 409.
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
            if method == "post" and _client_id(spec, op):
                responses.setdefault("409", {})
            for code, response in responses.items():
                if code.startswith("4"):
                    if code == "422" or not response.get("description"):  # FastAPI's: generic
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

    @app.exception_handler(err.DunningError)
    async def dunning_error(_: Request, e: err.DunningError) -> JSONResponse:
        extra = {"field": e.field} if e.field else {}
        return problem(_status(e), e.rule, type(e).__name__, e.detail, **extra)

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
