"""``/docs`` serves Swagger UI from the service itself: the page names only local assets,
the assets are served with their media types, and ReDoc (which needs a CDN) is off."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from servicekit.docs import ASSETS, SWAGGER_UI, serve_docs
from servicekit.problems import MEDIA_TYPE, Problems


class _Refused(Exception):
    rule = "refused"
    detail = "refused"
    field = None


def _app(**options: object) -> FastAPI:
    app = FastAPI(title="Test service", **options)  # type: ignore[arg-type]

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    Problems(service="test", root=_Refused, status={}).install(app)
    serve_docs(app)
    return app


def _client(app: FastAPI, root_path: str = "") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _urls(html: str) -> list[str]:
    """Every URL the page loads: src and href attributes and the script's ``url:``."""
    return re.findall(r"""(?:src|href)="([^"]*)"|url: '([^']*)'""", html)


async def test_the_docs_page_loads_swagger_ui_from_the_service_itself() -> None:
    async with _client(_app()) as client:
        page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    urls = sorted(u for pair in _urls(html) for u in pair if u)
    assert urls == [
        "/docs/assets/favicon-32x32.png",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/openapi.json",
    ]
    assert "://" not in html  # no absolute URL at all: nothing leaves the machine
    assert '"validatorUrl": null' in html  # Swagger UI's online validator badge is off


@pytest.mark.parametrize(("name", "media_type"), sorted(ASSETS.items()))
async def test_each_asset_is_served_with_its_media_type(name: str, media_type: str) -> None:
    async with _client(_app()) as client:
        asset = await client.get(f"/docs/assets/{name}")
    assert asset.status_code == 200
    assert asset.headers["content-type"] == media_type
    assert asset.content == (SWAGGER_UI / name).read_bytes()
    assert len(asset.content) > 500


async def test_the_bundle_is_swagger_ui_itself() -> None:
    async with _client(_app()) as client:
        js = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in js.text


@pytest.mark.parametrize(
    "path", ["/docs/assets/index.html", "/docs/assets/swagger-initializer.js", "/docs/assets/x"]
)
async def test_other_files_of_the_bundle_are_not_served(path: str) -> None:
    # the bundle's own index.html opens a demo API on the internet
    async with _client(_app()) as client:
        r = await client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == MEDIA_TYPE


async def test_redoc_is_off_and_the_oauth2_redirect_is_local() -> None:
    async with _client(_app()) as client:
        redoc = await client.get("/redoc")
        redirect = await client.get("/docs/oauth2-redirect")
        spec = await client.get("/openapi.json")
    assert redoc.status_code == 404
    assert redirect.status_code == 200
    assert "://" not in redirect.text
    assert "/ping" in spec.json()["paths"]
    assert not any(p.startswith("/docs") for p in spec.json()["paths"])


async def test_the_app_settings_are_kept() -> None:
    app = _app(
        docs_url="/api-docs",
        openapi_url="/spec.json",
        swagger_ui_parameters={"docExpansion": "none"},
    )
    async with _client(app, root_path="/ledger") as client:  # behind a proxy at /ledger
        page = await client.get("/ledger/api-docs")
        old = await client.get("/ledger/docs")
        asset = await client.get("/ledger/api-docs/assets/swagger-ui.css")
    assert old.status_code == 404
    assert asset.status_code == 200
    assert "url: '/ledger/spec.json'" in page.text
    assert 'src="/ledger/api-docs/assets/swagger-ui-bundle.js"' in page.text
    assert '"docExpansion": "none"' in page.text


async def test_no_docs_when_the_app_has_none() -> None:
    async with _client(_app(docs_url=None)) as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/docs/assets/swagger-ui.css")).status_code == 404
