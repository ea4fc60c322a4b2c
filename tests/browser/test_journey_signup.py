"""Journey 1: a new leader signs up, confirms the address from the e-mail, signs out and in."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    LANGUAGES,
    confirm_email,
    exact,
    expect_heading,
    expect_language,
    mail_to,
    sign_in,
    sign_out,
    sign_up,
    switch_language,
    text,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_leader_signs_up_confirms_the_address_and_signs_in_again(
    page: Page, language: str
) -> None:
    email = f"new-leader-{language}@example.org"
    page.goto("/")
    switch_language(page, language)

    page.locator("header nav a[href$='/accounts/signup/']").click()
    expect_language(page, language)
    sign_up(page, email=email)

    # Not signed in yet: allauth asks to confirm the address first.
    expect(page).to_have_url("/accounts/confirm-email/")
    expect(page.locator("header nav a[href$='/accounts/login/']")).to_be_attached()
    expect_language(page, language)
    # The confirmation e-mail is in the language the visitor signed up in.
    message = mail_to(email)[-1]
    assert message.subject == "[Tech Groups] " + text(language, "Please Confirm Your Email Address")

    confirm_email(page, email)

    # The link signs the new leader in; they land on "My groups", still in their language.
    expect(page).to_have_url("/groups/")
    expect_heading(page, language, "My groups")
    expect_language(page, language)
    expect(
        page.get_by_role("link", name=exact(language, "Start a new application"))
    ).to_be_visible()

    sign_out(page)
    expect_language(page, language)
    sign_in(page, email=email)
    expect(page).to_have_url("/groups/")
    expect_heading(page, language, "My groups")
    expect_language(page, language)
    if language == "sv":
        expect(page.get_by_role("heading", level=1)).to_have_text("Mina grupper")
