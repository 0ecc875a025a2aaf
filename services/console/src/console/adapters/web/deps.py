"""FastAPI dependencies of the console: the built console, who is signed in, templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from console.application.ports import ANONYMOUS, Credential, Download
from console.bootstrap import Console
from console.domain.dunning import next_step
from console.domain.money import grouped, is_negative, is_zero
from servicekit import exports

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["money"] = grouped
templates.env.filters["next_step"] = next_step
templates.env.tests["zero"] = is_zero
templates.env.tests["negative"] = is_negative


def get_console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def get_credential(request: Request) -> Credential:
    """The signed-in person, from the signed session cookie (anonymous when absent)."""
    session = request.session
    if not session.get("name"):
        return ANONYMOUS
    return Credential(name=str(session["name"]), token=str(session.get("token", "")))


ConsoleDep = Annotated[Console, Depends(get_console)]
Who = Annotated[Credential, Depends(get_credential)]


def page(
    request: Request, template: str, who: Credential, status_code: int = 200, **context: Any
) -> Response:
    return templates.TemplateResponse(
        request, template, {"who": who, **context}, status_code=status_code
    )


def attachment(doc: Download) -> Response:
    """A file from a backend, handed to the browser as a download under its own name."""
    return exports.attachment(doc.content, doc.filename, doc.media_type)
