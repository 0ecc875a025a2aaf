"""In a real browser (headless Chromium from the system's packages): ``/docs`` renders the
API's operations, and every resource the page loaded came from the service itself.
Skipped, saying so, where no Chromium is installed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from servicekit.apitest import serving
from servicekit.docs import serve_docs

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(
        "no browser: install Debian's chromium and chromium-driver",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


def _app() -> FastAPI:
    app = FastAPI(title="Docs under test")

    @app.get("/v1/things/{thing_id}", summary="Read one thing")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    serve_docs(app)
    return app


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving(_app) as base:
        yield base


def test_the_docs_render_offline_from_local_assets(url: str) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.get(url + "/docs")
        wait = WebDriverWait(driver, 30)
        summary = (By.CSS_SELECTOR, ".opblock-summary-description")
        wait.until(expected_conditions.text_to_be_present_in_element(summary, "Read one thing"))
        title = driver.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title").text
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
    finally:
        driver.quit()
    assert title.startswith("Docs under test")
    assert {f"{url}/docs/assets/swagger-ui-bundle.js", f"{url}/openapi.json"} <= set(loaded)
    assert [u for u in loaded if not u.startswith(url + "/")] == []
