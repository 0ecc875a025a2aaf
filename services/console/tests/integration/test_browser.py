"""In a real browser (headless Chromium from the system's packages, driven by Selenium and
chromedriver): find an account by name, open its page, download its statement, see the
aging report, work the worklist. Skipped, saying so, where no Chromium is installed."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicekit.auth import COLLECTOR

from .conftest import ADMIN_TOKEN, IDENTITY, Demo

SITI_TOKEN = IDENTITY.token(COLLECTOR, subject="Siti")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(
        "no browser: install Debian's chromium and chromium-driver "
        "(apt-get install chromium chromium-driver; .ci/run does this as root)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(demo: Demo, downloads: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ARGS:
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.implicitly_wait(5)
    try:
        driver.get(demo.console_url + "/signin")  # the services need an access token
        driver.find_element(By.ID, "name").send_keys("Tester")
        driver.find_element(By.ID, "token").send_keys(ADMIN_TOKEN)
        _navigate_by(driver, driver.find_element(By.ID, "signin-button"))
        yield driver
    finally:
        driver.quit()


def _navigate_by(browser: WebDriver, element: WebElement, seconds: float = 20) -> None:
    """Click something that loads a new page and wait until the old page is gone, so that
    what is looked up next comes from the new page, not from the one being left."""
    old_page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, seconds).until(lambda _: _gone(old_page))


def _gone(element: WebElement) -> bool:
    """Is ``element`` off the page? Chrome, asked mid-navigation, may answer that the node
    "does not belong to the document" instead of a stale reference: gone too."""
    try:
        return bool(expected_conditions.staleness_of(element)(None))
    except WebDriverException as e:
        if "does not belong to the document" in (e.msg or ""):
            return True
        raise


def _wait_for_file(folder: Path, pattern: str, seconds: float = 20) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {pattern} downloaded into {folder}: {list(folder.iterdir())}")


def test_find_an_account_by_name_and_download_its_statement(
    demo: Demo, browser: WebDriver, downloads: Path
) -> None:
    customer = demo.portfolio.accounts[0][0].body
    word = customer["name"].split()[1]
    browser.get(demo.console_url + "/")
    browser.find_element(By.ID, "q").send_keys(word)
    _navigate_by(browser, browser.find_element(By.ID, "search-button"))
    _navigate_by(browser, browser.find_element(By.LINK_TEXT, customer["name"]))

    assert browser.find_element(By.ID, "account-name").text == customer["name"]
    assert browser.find_element(By.ID, "account-id").text == customer["account_id"]
    assert browser.find_element(By.ID, "balance-amount").text != ""
    assert "InvoiceIssued" in browser.find_element(By.ID, "history").text

    browser.find_element(By.ID, "statement-download").click()
    statement = _wait_for_file(downloads, f"statement-{customer['account_id']}-*.csv")
    text = statement.read_text(encoding="utf-8-sig")
    assert "Opening balance" in text
    assert "Closing balance" in text
    assert "InvoiceIssued" in text


def test_the_aging_report_shows_a_chart(demo: Demo, browser: WebDriver) -> None:
    browser.get(demo.console_url + "/")
    _navigate_by(browser, browser.find_element(By.ID, "nav-aging"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Aging")
    chart = browser.find_element(By.ID, "aging-chart-SGD")
    assert chart.is_displayed()
    bars = chart.find_elements(By.CSS_SELECTOR, "g.bar rect")
    assert len(bars) == 5
    assert max(int(b.get_attribute("height") or 0) for b in bars) == 160
    totals = browser.find_element(By.ID, "aging-totals").text
    assert "SGD" in totals
    assert "HKD" in totals


def test_a_collector_signs_in_and_logs_a_call_from_the_worklist(
    demo: Demo, browser: WebDriver
) -> None:
    browser.get(demo.console_url + "/signin")
    browser.find_element(By.ID, "name").send_keys("Siti")
    browser.find_element(By.ID, "token").send_keys(SITI_TOKEN)
    _navigate_by(browser, browser.find_element(By.ID, "signin-button"))
    assert browser.find_element(By.ID, "signed-in-as").text == "Siti"

    _navigate_by(browser, browser.find_element(By.ID, "nav-worklist"))
    _navigate_by(browser, browser.find_element(By.CSS_SELECTOR, "#worklist tbody tr a"))
    form = browser.find_element(By.ID, "contact-form")
    form.find_element(By.NAME, "outcome").send_keys("Asked for the remittance advice")
    _navigate_by(browser, form.find_element(By.TAG_NAME, "button"))

    contacts = browser.find_element(By.ID, "contacts").text
    assert "Asked for the remittance advice" in contacts
    assert "Siti" in contacts
