"""The layout in a real browser: it renders under the strict CSP and switches language."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_renders_without_console_errors(page: Page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Sign up").first).to_be_visible()


def test_language_switcher_turns_the_page_swedish(page: Page):
    page.goto("/")
    page.select_option("#language-select", "sv")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("link", name="Logga in").first).to_be_visible()
