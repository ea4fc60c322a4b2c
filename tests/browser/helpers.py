"""Steps the browser journeys share: languages, signing up and in, reading e-mail, a feed server.

The journeys run in English and in Swedish. They find elements by name, id or role, and when a
visible text matters they ask Django's own catalogue for it (`text(language, msgid)`), so the
same test reads the page in either language; `expect_swedish` adds a few words that must be
Swedish on every Swedish page.
"""

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.core import mail
from django.core.mail import EmailMessage
from django.db.models import Model
from django.utils import translation
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from tests.pages import link_in

LANGUAGES = ["en", "sv"]
PASSWORD = "Tall-Ships-Sail-North-42"

#: Words on every Swedish page of the layout, as a Swedish reader sees them.
SWEDISH_SIGNED_IN = "Logga ut"
SWEDISH_SIGNED_OUT = "Logga in"

MAIL_WAIT_SECONDS = 10.0


# Languages ----------------------------------------------------------------------------------


def text(language: str, msgid: str) -> str:
    """What the portal shows for `msgid` in `language` (the catalogue the live server uses)."""
    with translation.override(language):
        return translation.gettext(msgid)


def ntext(language: str, singular: str, plural: str, count: int, name: str = "counter") -> str:
    """A `{% blocktranslate count <name>=... %}` text for `count`, in `language`."""
    with translation.override(language):
        return translation.ngettext(singular, plural, count) % {name: count}


def exact(language: str, msgid: str) -> re.Pattern[str]:
    """A pattern matching the whole translated text, ignoring surrounding white space."""
    return re.compile(rf"^\s*{re.escape(text(language, msgid))}\s*$")


def has_class(name: str) -> re.Pattern[str]:
    """For `to_have_class`: the element's classes include `name`."""
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def switch_language(page: Page, language: str) -> None:
    """Choose the language with the layout's switcher, as a visitor does."""
    page.select_option("#language-select", language)
    page.locator("form.language-form").get_by_role("button").click()
    expect_language(page, language)


def expect_language(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    if language == "sv":
        expect_swedish(page)


def expect_swedish(page: Page) -> None:
    """The page is in Swedish: its html says so and the menu speaks Swedish."""
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    menu = page.locator("header nav")
    signed_in = menu.locator("form[action$='/logout/']").count() > 0
    word = SWEDISH_SIGNED_IN if signed_in else SWEDISH_SIGNED_OUT
    expect(menu.get_by_role("button" if signed_in else "link", name=word).first).to_be_attached()


def expect_heading(page: Page, language: str, msgid: str) -> None:
    """The page's h1 reads `msgid` in `language` (in Swedish: a translation, not the English)."""
    if language != "en":
        assert text(language, msgid) != msgid, f"{msgid!r} has no {language} translation"
    expect(page.get_by_role("heading", level=1)).to_have_text(exact(language, msgid))


# People and accounts --------------------------------------------------------------------------


def create[M: Model](model: type[M], factory: Any, **fields: Any) -> M:
    """A factory_boy object for typed test code (the factories are untyped), checked."""
    made = factory(**fields)
    assert isinstance(made, model)
    return made


def sign_up(page: Page, *, email: str, password: str = PASSWORD) -> None:
    """Fill allauth's sign-up form on the current page and send it."""
    form = page.locator("form.allauth-form")
    form.locator("[name=email]").fill(email)
    form.locator("[name=password1]").fill(password)
    form.locator("[name=password2]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def sign_in(page: Page, *, email: str, password: str = PASSWORD) -> None:
    """Open the sign-in page from the menu and sign in."""
    if not page.url.startswith("http"):  # a new page is at about:blank
        page.goto("/")
    page.locator("header nav a[href$='/accounts/login/']").click()
    form = page.locator("form.allauth-form")
    form.locator("[name=login]").fill(email)
    form.locator("[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("header nav form[action$='/logout/']")).to_be_attached()


def sign_out(page: Page) -> None:
    """The menu's sign-out button (allauth signs out on the POST)."""
    page.locator("header nav form[action$='/logout/'] button[type=submit]").click()
    expect(page.locator("header nav a[href$='/accounts/login/']")).to_be_attached()


# E-mail -----------------------------------------------------------------------------------


def mail_to(address: str, *, count: int = 1) -> list[EmailMessage]:
    """The messages sent to `address`, waiting a little for the live server's thread."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while True:
        found = [message for message in mail.outbox if address in message.to]
        if len(found) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(found) >= count, [(m.to, m.subject) for m in mail.outbox]
    return found


def confirmation_path(address: str) -> str:
    """The e-mail confirmation link allauth sent to `address`."""
    return link_in(mail_to(address)[-1], path_pattern=r"/accounts/confirm-email/")


def confirm_email(page: Page, address: str) -> None:
    """Open the confirmation link from the outbox and press the page's button."""
    page.goto(confirmation_path(address))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


# Browsers -----------------------------------------------------------------------------------


@contextmanager
def second_visitor(browser: Browser, base_url: str, console_errors: list[str]) -> Iterator[Page]:
    """Another person's browser (its own cookies) on the live server; console errors count."""
    context = browser.new_context(base_url=base_url, locale="en-GB")
    page = context.new_page()

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", collect)
    try:
        yield page
    finally:
        context.close()


def card(page: Page, heading_text: str | re.Pattern[str]) -> Locator:
    """A section (card) of the page, found by its heading."""
    return page.locator("section, article").filter(
        has=page.get_by_role("heading", name=heading_text)
    )


# A calendar feed on 127.0.0.1 ---------------------------------------------------------------


@contextmanager
def serve(path: str, content: Callable[[], bytes], *, content_type: str) -> Iterator[str]:
    """Serve `content()` at `path` on 127.0.0.1 in a thread; yields the full URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != path:
                self.send_error(404)
                return
            body = content()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test output is not the place for an access log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# E-mail subjects, as the shipped wording (templates/email/<language>/) writes them ----------

INVITATION_SUBJECT = {
    "en": "You are invited to co-lead {}",
    "sv": "Du är inbjuden att bli medledare i {}",
}
CHANGES_REQUESTED_SUBJECT = {"en": "Changes requested for {}", "sv": "Ändringar begärda för {}"}
