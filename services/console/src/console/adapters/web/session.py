"""Signing in: the name shown on every action and the access token forwarded to the
services, kept in a signed session cookie (never shown back)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from console.adapters.web.deps import Who, page

router = APIRouter(tags=["session"])


def _safe_next(target: str) -> str:
    """Only a path on this console (no open redirect to another site)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/signin", summary="The sign-in form")
async def signin_form(request: Request, who: Who, next: str = "/") -> Response:
    return page(request, "signin.html", who, next=_safe_next(next))


@router.post("/signin", summary="Sign in with a name and, where the services ask, a token")
async def signin(
    request: Request,
    name: Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[\w .@'\-]+$")],
    token: Annotated[str, Form(max_length=4096)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    request.session.clear()
    request.session["name"] = name.strip()
    request.session["token"] = token.strip()
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/signout", summary="Forget the name and token")
async def signout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)
