"""Browser tests: Debian's headless Chromium driven by Playwright against the live server.

No browser is ever downloaded: Playwright launches /usr/bin/chromium. Every test here carries
the `browser` marker (`uv run pytest -m browser` runs only these).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser: Browser, live_server, console_errors: list[str]) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A fresh browser context on the live server; console errors (e.g. CSP) are collected."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    new_page = context.new_page()
    new_page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    yield new_page
    context.close()
    assert not console_errors, console_errors
