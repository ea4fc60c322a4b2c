"""Requesting and reading the portal's pages in tests: who signs in, what a page answers and
shows, how many queries it runs, and what a strict Content-Security-Policy would block in it.
"""

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import Group
from leaders.models import User
from tests.builders import CO_LEADER, leader_of
from tests.factories import STAFF_TOTP_SECRET, GroupFactory, LeadershipFactory, StaffFactory

# Signing in -----------------------------------------------------------------------------------


def signed_in(user: User, *, client: Client | None = None) -> Client:
    """`client` (a new one unless given) signed in as `user`."""
    client = client or Client()
    client.force_login(user)
    return client


def current_totp_code(*, secret: str = STAFF_TOTP_SECRET) -> str:
    """What an authenticator app with `secret` shows now (StaffFactory's secret unless given)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


#: Who visits a page of one group (`sign_in_as(..., group=group)`), and what they get.
GROUP_VISITORS = {
    "anonymous": 302,
    "leader of another group": 404,
    "leader": 200,
    "co-leader": 200,
    "staff who does not lead it": 404,
}

#: Every kind of visitor the program pages know (calls, content, news), and what each gets.
PROGRAM_VISITORS = {
    "anonymous": 302,
    "applicant": 403,
    "admitted_leader": 200,
    "admitted_co_leader": 200,
    "leader_of_group_that_left": 403,
    "staff": 403,
}


def _admitted_co_leader() -> User:
    group = GroupFactory(admitted=True)
    LeadershipFactory(group=group)
    user: User = LeadershipFactory(group=group, role=CO_LEADER).user
    return user


def sign_in_as(client: Client, visitor: str, *, group: Group | None = None) -> User | None:
    """Sign `client` in as one kind of visitor: a key of GROUP_VISITORS (of `group`'s pages) or
    of PROGRAM_VISITORS. Returns the user, None for an anonymous visitor."""
    people: dict[str, Callable[[], User | None]] = {
        "anonymous": lambda: None,
        # A group's pages.
        "leader of another group": lambda: LeadershipFactory().user,
        "leader": lambda: leader_of(group),
        "co-leader": lambda: leader_of(group, role=CO_LEADER),
        "staff who does not lead it": lambda: StaffFactory(),
        # The program's pages.
        "applicant": lambda: (
            LeadershipFactory(group=GroupFactory(status=Group.Status.SUBMITTED)).user
        ),
        "admitted_leader": lambda: LeadershipFactory(group=GroupFactory(admitted=True)).user,
        "admitted_co_leader": _admitted_co_leader,
        "leader_of_group_that_left": lambda: (
            LeadershipFactory(group=GroupFactory(status=Group.Status.LEFT)).user
        ),
        "staff": lambda: StaffFactory(),
    }
    user = people[visitor]()
    if user is not None:
        client.force_login(user)
    return user


def admitted_leader(client: Client, **group_fields: Any) -> User:
    """Sign in as the leader of an admitted group (Europe/Stockholm unless told otherwise)."""
    group = GroupFactory(admitted=True, **group_fields)
    user: User = LeadershipFactory(group=group).user
    client.force_login(user)
    return user


# What a page answers --------------------------------------------------------------------------


def assert_sent_to_login(response: Any, url: str) -> None:
    """A redirect to the sign-in page that comes back to `url`."""
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    assert url.split("?")[0] in response["Location"].replace("%2F", "/")


def assert_explains_admission(response: Any) -> None:
    """The program pages' 403: they open once the visitor's group is admitted."""
    assert response.status_code == 403
    assert "program/not_admitted.html" in [t.name for t in response.templates]
    assert "Open once your group is admitted" in response.content.decode()


def query_count(make_request: Callable[[], Any]) -> int:
    """How many queries a request runs (counted at once: a later request clears the log)."""
    with CaptureQueriesContext(connection) as queries:
        make_request()
    return len(queries)


# What a page shows ----------------------------------------------------------------------------


def text_of(html: str) -> str:
    """The page's text as a reader sees it: no tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def titles(response: Any) -> list[str]:
    """The titles of the items on a paged list (calls, content, news)."""
    return [item.title for item in response.context["page"].object_list]


def link_in(message: Any, *, path_pattern: str = "") -> str:
    """The path (and query) of the first link in an e-mail whose path matches `path_pattern`."""
    urls: list[str] = re.findall(r"https?://[^\s\"'<>]+", str(message.body))
    for url in urls:
        parts = urlsplit(url)
        if re.search(path_pattern, parts.path):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"No link matching {path_pattern!r} in:\n{message.body}")


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, styles and event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        # A JSON data block (allauth's e-mail page has one) is never executed, so CSP allows it.
        is_data_block = (dict(attrs).get("type") or "").endswith("json")
        if tag == "script" and "src" not in names and not is_data_block:
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems.extend(f"{name}= on <{tag}>" for name in names if name.startswith("on"))
        for name, value in attrs:
            loads = (tag, name) in {("script", "src"), ("link", "href"), ("img", "src")}
            if loads and value and (not value.startswith("/") or value.startswith("//")):
                self.external.append(value)


def inline_code_in(html: str) -> InlineCodeFinder:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder
