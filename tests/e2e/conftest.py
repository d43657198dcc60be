"""Browser tests: Playwright's Python package driving Debian's chromium against live_server.

Playwright's sync API runs an event loop in the test thread, so Django would refuse ORM calls
there (SynchronousOnlyOperation); the tests only touch the ORM between browser steps.
"""

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PASSWORD = "correct-horse-battery-9"  # conftest.make_user


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process; Playwright gives it a fresh temporary profile and
    each test a fresh context (cookies, storage)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, live_server, divisions):
    """Open a page in a fresh browser context (own cookies) with the given device settings."""
    contexts = []

    def _open(device: dict):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **device)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """Save a full-page screenshot to tests/e2e/screenshots/<test>-<step>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    name = request.node.name.replace("[", "-").replace("]", "")

    def _shot(page, step: str) -> Path:
        path = SCREENSHOTS / f"{name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def log_in(page, username: str, password: str = PASSWORD):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")


def register_migrant(acting_user, *, seq: int, name: str):
    """Register (inflow) a married worker from 三台 living in 南山 since 2026-03-02."""
    import datetime as dt

    from conftest import NANSHAN_VILLAGE, SANTAI_VILLAGE, id_for
    from yipanqi.people.services import RegistrationInput, register

    return register(
        RegistrationInput(
            id_number=id_for(seq=seq),
            name=name,
            home_code=SANTAI_VILLAGE,
            residence_code=NANSHAN_VILLAGE,
            arrival_date=dt.date(2026, 3, 2),
            reason="work",
            marital_status="first_marriage",
        ),
        kind="inflow",
        acting_user=acting_user,
    ).person
