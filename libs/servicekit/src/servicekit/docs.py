"""Interactive API docs that work offline: Swagger UI served from the service itself.

FastAPI's ``/docs`` page loads Swagger UI from a CDN, so it is blank on a machine without
internet access. :func:`serve_docs` replaces it with the same page pointing at the copy of
Swagger UI that the ``swagger-ui-bundle-v2`` package ships, served under ``{docs_url}/assets/``
(only the three files the page needs), and turns off Swagger UI's online validator badge, so
opening the docs sends no request off the machine. ReDoc (``/redoc``), which would need its
own script from a CDN, is switched off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

SWAGGER_UI = Path(str(swagger_ui_path))
# The files the page loads, with their media types; nothing else of the bundle is served
# (its index.html would open a demo API on the internet).
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


def serve_docs(app: FastAPI) -> None:
    """Serve ``app``'s Swagger UI at its ``docs_url`` from local assets; drop ReDoc."""
    docs, spec, redirect = app.docs_url, app.openapi_url, app.swagger_ui_oauth2_redirect_url
    replaced = {docs, redirect, app.redoc_url} - {None}
    app.router.routes[:] = [r for r in app.routes if getattr(r, "path", None) not in replaced]
    app.redoc_url = None
    if docs is None or spec is None:
        return
    assets = f"{docs}/assets"

    async def page(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + spec,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{root}{assets}/favicon-32x32.png",
            oauth2_redirect_url=root + redirect if redirect else None,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        )

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            raise HTTPException(404, f"No such docs asset: {name}")
        return FileResponse(SWAGGER_UI / name, media_type=ASSETS[name])

    async def oauth2_redirect(_: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.add_route(docs, page, include_in_schema=False)
    app.add_route(assets + "/{name}", asset, include_in_schema=False)
    if redirect:
        app.add_route(redirect, oauth2_redirect, include_in_schema=False)
