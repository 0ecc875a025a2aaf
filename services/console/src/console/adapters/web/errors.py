"""How the console refuses: an HTML page for a browser, RFC 9457 problem details for any
other client, with the same status, rule and field either way."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from console.adapters.web.deps import get_credential, page
from console.domain import errors as err
from eventfeed.problems import field_errors
from servicekit import Problems

PROBLEMS = Problems(
    service="console",
    root=err.ConsoleError,
    status={err.InvalidInput: 422, err.NotFound: 404, err.BackendUnavailable: 502},
    why={"404": "No such account, broker or statement", "422": "A value the console cannot use"},
    database=False,  # it keeps no state of its own: its 503s are the backends' (Retry-After)
)


def _status(e: err.ConsoleError) -> int:
    if isinstance(e, err.BackendRefused):
        return e.status
    if isinstance(e, err.BackendUnavailable) and e.retry_after is not None:
        return 503  # passed on: the backend is down for a while, not broken
    return PROBLEMS.status_of(e)


def _answer(
    request: Request, status: int, rule: str, title: str, detail: str, field: str | None
) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        return page(
            request,
            "error.html",
            get_credential(request),
            status_code=status,
            title=title,
            detail=detail,
            rule=rule,
            field=field,
        )
    extra = {"field": field} if field else {}
    return PROBLEMS.problem(status, rule, title, detail, **extra)


def install(app: FastAPI) -> None:
    PROBLEMS.install(app)  # the OpenAPI document; the handlers below answer

    async def console_error(request: Request, e: Exception) -> Response:
        assert isinstance(e, err.ConsoleError)
        status = _status(e)
        title = {404: "Not found", 422: "Cannot use that"}.get(status, "Refused")
        response = _answer(request, status, e.rule, title, e.detail, e.field)
        if isinstance(e, err.BackendUnavailable) and e.retry_after is not None:
            response.headers["Retry-After"] = e.retry_after
        return response

    async def invalid(request: Request, e: Exception) -> Response:
        assert isinstance(e, RequestValidationError)
        errors = field_errors(e.errors(), PROBLEMS.formats)
        first = errors[0] if errors else {"field": "request", "message": "invalid request"}
        detail = f"{first['field']}: {first['message']}"
        return _answer(request, 422, "validation", "Cannot use that", detail, first["field"])

    async def http_error(request: Request, e: Exception) -> Response:
        assert isinstance(e, HTTPException)
        detail = str(e.detail)
        return _answer(request, e.status_code, f"http-{e.status_code}", detail, detail, None)

    app.add_exception_handler(err.ConsoleError, console_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
