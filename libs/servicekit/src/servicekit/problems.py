"""RFC 9457 problem details: where a service's domain errors meet HTTP status codes.

Each service describes its errors once in a :class:`Problems` (status per error class,
readable names of its patterns, which routes answer 404 or 409) and installs it on its
app: every refusal is ``application/problem+json`` naming the rule and the field at fault,
and the OpenAPI document shows exactly that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from eventfeed.problems import field_errors
from servicekit import transient
from servicekit.auth import routes
from servicekit.auth.errors import AuthError
from servicekit.edge import InputGuard, Limits
from servicekit.exports import MEDIA_TYPES

MEDIA_TYPE = "application/problem+json"

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str = Field(examples=["amount"])
    message: str
    type: str = Field(description="pydantic's error type, e.g. missing, decimal_string")


class Problem(BaseModel):
    """RFC 9457 problem details: how the service answers every request it refuses."""

    type: str = Field(
        description="urn:receivables-<service>:problem:<rule>",
        examples=["urn:receivables-ledger:problem:validation"],
    )
    title: str = Field(examples=["Invalid request"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=['amount: not a decimal amount; write it like "1250.00"'])
    rule: str = Field(
        description="the rule the request broke, a stable slug: validation, "
        "invalid-amount, idempotency-conflict, ...",
        examples=["validation"],
    )
    field: str | None = Field(
        None,
        description="the request part at fault: a body path, a path or query parameter, "
        "or a header",
        examples=["amount"],
    )
    errors: list[FieldError] | None = Field(
        None, description="validation problems only: every field at fault"
    )


_UNAUTHENTICATED = (
    "No credential, or an invalid one (expired, wrong issuer or audience, bad signature, "
    "revoked key); see WWW-Authenticate"
)
_FORBIDDEN = "The caller lacks the scope this route needs"
_DATABASE_UNAVAILABLE = (
    "The database is unavailable or busy (rule `database-unavailable`, its `reason` one of "
    f"{', '.join(transient.TITLES)}); nothing was written; retry after `Retry-After` seconds"
)
_PROBES = ("/healthz", "/readyz", "/metrics")  # their answers are their own, not problems


def _no_headers(_: Exception) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class Problems:
    """How one service refuses requests."""

    service: str  # problem types are urn:receivables-<service>:problem:<rule>
    root: type[Exception]  # the service's root error: has .rule, .detail, .field
    status: Mapping[type[Exception], int]  # by class; the most specific match wins
    formats: Mapping[str, str] = field(default_factory=dict)  # pattern -> readable name
    why: Mapping[str, str] = field(default_factory=dict)  # status code -> description
    not_found_markers: tuple[str, ...] = ()  # routes whose path has one answer 404
    conflict_on_every_post: bool = False  # else: POSTs whose body has a client-chosen id
    subject: Mapping[type[Exception], str] = field(default_factory=dict)  # default field
    headers: Callable[[Exception], Mapping[str, str]] = _no_headers
    database: bool = True  # its routes (not the probes) may answer 503 database-unavailable

    def body(self, status: int, rule: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
        return {
            "type": f"urn:receivables-{self.service}:problem:{rule}",
            "title": title,
            "status": status,
            "detail": detail,
            "rule": rule,
            **extra,
        }

    def problem(
        self, status: int, rule: str, title: str, detail: str, **extra: Any
    ) -> JSONResponse:
        body = self.body(status, rule, title, detail, **extra)
        return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)

    def raw(
        self, status: int, rule: str, title: str, detail: str, field: str | None
    ) -> tuple[dict[str, str], bytes]:
        """A problem as headers and bytes, for the edge below FastAPI."""
        response = self.problem(status, rule, title, detail, **({"field": field} if field else {}))
        return dict(response.headers), bytes(response.body)

    def status_of(self, e: Exception) -> int:
        for cls in type(e).__mro__:
            if cls in self.status:
                return self.status[cls]
        return 400

    def details(self, e: Exception) -> dict[str, Any]:
        """The problem details of one of the service's own errors (e.g. one command of a
        batch)."""
        at_fault = getattr(e, "field", None) or self.subject.get(type(e))
        extra = {"field": at_fault} if at_fault else {}
        rule = str(getattr(e, "rule", "error"))
        detail = str(getattr(e, "detail", e))
        return self.body(self.status_of(e), rule, type(e).__name__, detail, **extra)

    def refusal(self, e: Exception) -> JSONResponse:
        """The problem answer for one of the service's own errors."""
        body = self.details(e)
        response = JSONResponse(body, status_code=body["status"], media_type=MEDIA_TYPE)
        response.headers.update(self.headers(e))
        return response

    def validation(self, errors: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
        """The problem details of pydantic errors (``loc`` as FastAPI gives it)."""
        fields = field_errors(errors, self.formats)
        first = fields[0] if fields else {"field": "body", "message": "invalid request"}
        return self.body(
            422,
            "validation",
            "Invalid request",
            f"{first['field']}: {first['message']}",
            field=first["field"],
            errors=fields,
        )

    def invalid(self, e: RequestValidationError, content_type: str | None = None) -> JSONResponse:
        """The 422 of a request that failed validation; ``content_type`` is the request's:
        a JSON body sent as a form or as text (``curl -d`` without ``-H``) fails as a
        whole, which is said plainly rather than as "not a dictionary"."""
        body = self.validation(e.errors())
        if body["field"] == "body" and not _is_json(content_type):
            got = f"Content-Type {content_type}" if content_type else "no Content-Type"
            body["detail"] = f"body: send it as JSON, with Content-Type: application/json ({got})"
        return JSONResponse(body, status_code=422, media_type=MEDIA_TYPE)

    def _conflicts(self, spec: dict[str, Any], method: str, op: dict[str, Any]) -> bool:
        if method != "post":
            return False
        if self.conflict_on_every_post:
            return True
        content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = content.get("schema", {}).get("$ref", "")
        body = spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
        return any(name.endswith("_id") for name in body.get("required", ()))

    def document(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Describe the errors as they are sent: ``application/problem+json`` ``Problem``s.

        FastAPI documents only its own 422 body; here the routes that can answer 404 (an id
        in the path) and 409 (an id the client chose) say so too, and, for a service with a
        database, every route but the probes its 503 ``database-unavailable``
        (:meth:`unavailable`).
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
                if any(marker in path for marker in self.not_found_markers):
                    responses.setdefault("404", {})
                if self._conflicts(spec, method, op):
                    responses.setdefault("409", {})
                _document_formats(op)
                responses.setdefault("431", {"description": "The request head is too large"})
                if "requestBody" in op:
                    responses.setdefault("400", {"description": "The body could not be read"})
                    responses.setdefault("413", {"description": "The body is too large"})
                if op.get("security"):
                    responses.setdefault("401", {"description": _UNAUTHENTICATED})
                    responses.setdefault("403", {"description": _FORBIDDEN})
                if self.database and path not in _PROBES:
                    _document_unavailable(responses.setdefault("503", {}), content)
                for code, response in responses.items():
                    if code.startswith("4"):
                        if code == "422" or not response.get("description"):
                            response["description"] = self.why.get(code, "Refused")
                        response["content"] = content
        return spec

    def install(self, app: FastAPI, limits: Limits | None = None) -> None:
        """Answer every refusal as a problem, and guard the edge (:mod:`servicekit.edge`)."""
        app.add_middleware(InputGuard, refuse=self.raw, limits=limits or Limits())
        build_openapi = app.openapi

        def openapi() -> dict[str, Any]:
            if app.openapi_schema is None:
                app.openapi_schema = self.document(routes.document(app, build_openapi()))
            return app.openapi_schema

        app.openapi = openapi  # type: ignore[method-assign]

        async def service_error(_: Request, e: Exception) -> JSONResponse:
            return self.refusal(e)

        async def invalid(request: Request, e: Exception) -> JSONResponse:
            assert isinstance(e, RequestValidationError)
            return self.invalid(e, request.headers.get("content-type"))

        async def http_error(_: Request, e: Exception) -> JSONResponse:
            assert isinstance(e, HTTPException)
            detail = str(e.detail)
            if e.status_code == 400:  # FastAPI could not read the body (not UTF-8 ...)
                return self.problem(
                    400, "malformed-body", "Malformed body", f"body: {detail}", field="body"
                )
            return self.problem(e.status_code, f"http-{e.status_code}", detail, detail)

        async def auth_error(_: Request, e: Exception) -> JSONResponse:
            assert isinstance(e, AuthError)
            title = "Unauthenticated" if e.status == 401 else "Forbidden"
            response = self.problem(e.status, e.rule, title, e.detail)
            if e.status == 401:
                response.headers["WWW-Authenticate"] = e.challenge()
            return response

        app.add_exception_handler(self.root, service_error)
        app.add_exception_handler(AuthError, auth_error)
        app.add_exception_handler(RequestValidationError, invalid)
        app.add_exception_handler(HTTPException, http_error)

        async def unavailable(_: Request, e: Exception) -> JSONResponse:
            reason = transient.transient_reason(e)
            if reason is None:
                raise e
            return self.unavailable(reason, e)

        for cls in (*transient.ERRORS, transient.StepFailed):
            app.add_exception_handler(cls, unavailable)

    def unavailable(self, reason: str, e: Exception) -> JSONResponse:
        """503 with ``Retry-After`` for a transient database failure
        (:mod:`servicekit.transient`), counted in the service's metrics."""
        log.warning("database %s, answered 503: %s", reason, e)
        transient.count(reason, retried=False)
        detail = (
            f"{e}; retry in {transient.RETRY_AFTER_SECONDS} seconds"
            if isinstance(e, transient.StepFailed)  # a job that stopped part-way
            else f"the database could not complete the request ({reason}); nothing was "
            f"written; retry in {transient.RETRY_AFTER_SECONDS} seconds"
        )
        response = self.problem(
            503, "database-unavailable", transient.TITLES[reason], detail, reason=reason
        )
        response.headers["Retry-After"] = str(transient.RETRY_AFTER_SECONDS)
        return response


def _document_unavailable(response: dict[str, Any], content: dict[str, Any]) -> None:
    """The 503 of :meth:`Problems.unavailable`, after a route's own 503 if it has one."""
    own = response.get("description")
    response["description"] = (
        f"{own}; or: {_DATABASE_UNAVAILABLE}" if own else _DATABASE_UNAVAILABLE
    )
    response["content"] = content
    response.setdefault("headers", {})["Retry-After"] = {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 0},
    }


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _document_formats(op: dict[str, Any]) -> None:
    """An operation with a ``format`` parameter (:func:`servicekit.exports.format_param`)
    answers 200 in each of its formats."""
    for param in op.get("parameters", ()):
        formats = param.get("schema", {}).get("x-formats")
        if param.get("name") == "format" and formats:
            ok = op.setdefault("responses", {}).setdefault("200", {"description": "OK"})
            content = ok.setdefault("content", {})
            for name in formats:
                content.setdefault(MEDIA_TYPES[name], {})
