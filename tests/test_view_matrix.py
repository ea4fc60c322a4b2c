"""Who may open and change what: every portal URL for every kind of visitor, in one table.

The world: an admitted group led by a leader and a co-leader, with a meeting and a cancelled
one; another admitted
group led by someone else; a staff member of the program team (with two-factor) who leads no
group; an applicant whose group is submitted and who is drafting a second one, which has a
pending co-leader invitation; and a visitor who has not signed in.

`PAGES` says what each visitor gets from a GET of each page; `test_every_portal_url_is_in_the_
table` fails when a named URL of the portal has no row, so a new page cannot go untested.
`CHANGES` lists every state-changing request with valid data: the wrong visitor changes nothing,
the right one does (so the "nothing changed" checks are not vacuous). The world and
`CHANGES` live in tests/world.py, which the CSRF, redirect and form-fuzzing tests share.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from groups.models import Group
from notifications.preferences import unsubscribe_token
from tests.world import (
    ANONYMOUS,
    APPLICANT,
    CHANGES,
    LOGIN,
    STAFF,
    VISITORS,
    Expect,
    To,
    World,
    changed_tables,
    client_for,
    everyone,
    everyone_signed_in,
    no_kwargs,
    slug,
    snapshot,
)

pytestmark = pytest.mark.django_db


PORTAL_NAMESPACES = {"groups", "meetings", "leaders", "program", "contact"}
PORTAL_ROOT_NAMES = {"home", "healthz"}


def check_answer(response: Any, expected: Expect, *, world: World, path: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"] == f"{reverse('account_login')}?next={quote(path)}"
    elif isinstance(expected, To):
        assert response.status_code == 302, response.status_code
        assert response["Location"] == expected.url(world)
    else:
        assert response.status_code == expected, f"expected {expected}, got {response.status_code}"


def check_no_leak(response: Any, world: World, visitor: str) -> None:
    """No page names a group the visitor does not lead."""
    content = response.content.decode(errors="replace")
    known = world.groups_known_to(visitor)
    leaked = [group.name for group in world.all_groups() if group not in known]
    assert [name for name in leaked if name in content] == []


def nobody_but(**allowed: Expect) -> dict[str, Expect]:
    """Signed-in visitors get 404 unless named; anonymous visitors go to the login page."""
    return {**everyone_signed_in(404), **allowed}


def leaders_of_the_group(expected: Expect) -> dict[str, Expect]:
    return nobody_but(leader=expected, co_leader=expected)


def admitted_leaders(expected: Expect) -> dict[str, Expect]:
    """Calls, content and news: leaders of an admitted group; others signed in get 403."""
    return {
        **everyone_signed_in(expected),
        STAFF: 403,
        APPLICANT: 403,
    }


@dataclass(frozen=True)
class Page:
    id: str
    name: str
    kwargs: Callable[[World], dict[str, Any]]
    expect: dict[str, Expect]

    def url(self, world: World) -> str:
        return reverse(self.name, kwargs=self.kwargs(world))


APPLICATION_STEPS = ["group", "links", "meetings", "rules", "review"]

PAGES: list[Page] = [
    Page("home", "home", no_kwargs, everyone(200)),
    Page("healthz", "healthz", no_kwargs, everyone(200)),
    Page("code-of-conduct-example", "groups:code_of_conduct_example", no_kwargs, everyone(200)),
    Page("my-groups", "groups:list", no_kwargs, everyone_signed_in(200)),
    Page("apply", "groups:apply", no_kwargs, everyone_signed_in(200)),
    Page("profile", "leaders:profile", no_kwargs, everyone_signed_in(200)),
    Page("program-rules", "leaders:rules", no_kwargs, everyone_signed_in(200)),
    # The admitted group's pages.
    Page("dashboard", "groups:dashboard", slug("group"), leaders_of_the_group(200)),
    Page("status", "groups:status", slug("group"), leaders_of_the_group(200)),
    Page("edit", "groups:edit", slug("group"), leaders_of_the_group(200)),
    Page("leave", "groups:leave", slug("group"), leaders_of_the_group(200)),
    # Nothing to ask for an admitted group: back to its dashboard.
    Page(
        "return-request",
        "groups:return_request",
        slug("group"),
        leaders_of_the_group(To("groups:dashboard", "group")),
    ),
    Page(
        "return-request-withdraw",
        "groups:return_request_withdraw",
        slug("group"),
        everyone_signed_in(405),
    ),  # POST only
    *[
        # An admitted group's application can no longer change: back to the dashboard.
        Page(
            f"apply-step-{step}-of-admitted-group",
            "groups:apply_step",
            lambda world, step=step: {"slug": world.group.slug, "step": step},
            leaders_of_the_group(To("groups:dashboard", "group")),
        )
        for step in APPLICATION_STEPS
    ],
    Page("meetings", "meetings:list", slug("group"), leaders_of_the_group(200)),
    Page("meeting-add", "meetings:add", slug("group"), leaders_of_the_group(200)),
    Page("meeting-import", "meetings:import", slug("group"), leaders_of_the_group(200)),
    Page(
        "meeting-import-daily", "meetings:import_daily", slug("group"), leaders_of_the_group(405)
    ),  # POST only
    Page(
        "meeting-edit",
        "meetings:edit",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        leaders_of_the_group(200),
    ),
    Page(
        "meeting-edit-of-another-groups-meeting",
        "meetings:edit",
        lambda world: {"slug": world.group.slug, "pk": world.other_meeting.pk},
        leaders_of_the_group(404),
    ),
    Page(
        "meeting-edit-of-unknown-meeting",
        "meetings:edit",
        lambda world: {"slug": world.group.slug, "pk": 999999},
        leaders_of_the_group(404),
    ),
    Page(
        "meeting-edit-of-out-of-range-pk",
        "meetings:edit",
        lambda world: {"slug": world.group.slug, "pk": 2**70},  # beyond any database integer
        leaders_of_the_group(404),
    ),
    Page(
        "meeting-cancel",
        "meetings:cancel",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        leaders_of_the_group(200),
    ),
    Page(
        # Already cancelled: back to the list, which says so.
        "meeting-cancel-of-a-cancelled-meeting",
        "meetings:cancel",
        lambda world: {"slug": world.group.slug, "pk": world.cancelled_meeting.pk},
        leaders_of_the_group(To("meetings:list", "group")),
    ),
    Page(
        "meeting-uncancel",
        "meetings:uncancel",
        lambda world: {"slug": world.group.slug, "pk": world.cancelled_meeting.pk},
        leaders_of_the_group(405),  # POST only
    ),
    Page(
        "meeting-delete",
        "meetings:delete",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        leaders_of_the_group(200),
    ),
    *[
        Page(
            f"meeting-{name}-of-another-groups-meeting",
            f"meetings:{name}",
            lambda world: {"slug": world.group.slug, "pk": world.other_meeting.pk},
            leaders_of_the_group(404),
        )
        for name in ("cancel", "delete")
    ],
    *[
        Page(
            f"meeting-{name}-of-unknown-meeting",
            f"meetings:{name}",
            lambda world: {"slug": world.group.slug, "pk": 2**70},
            leaders_of_the_group(404),
        )
        for name in ("cancel", "delete")
    ],
    # A GET of the POST-only address is 405 whichever meeting it names (the POST's 404 for
    # another group's meeting is in tests/world.py, CHANGES).
    Page(
        "meeting-uncancel-of-another-groups-meeting",
        "meetings:uncancel",
        lambda world: {"slug": world.group.slug, "pk": world.other_meeting.pk},
        leaders_of_the_group(405),
    ),
    Page("people", "leaders:people", slug("group"), leaders_of_the_group(200)),
    Page("invite", "leaders:invite", slug("group"), leaders_of_the_group(405)),  # POST only
    Page("hand-over", "leaders:hand_over", slug("group"), leaders_of_the_group(200)),
    Page("step-down", "leaders:step_down", slug("group"), leaders_of_the_group(200)),
    Page("report-left", "leaders:report_left", slug("group"), leaders_of_the_group(200)),
    Page(
        "invitation-withdraw-of-another-groups-invitation",
        "leaders:invitation_withdraw",
        lambda world: {"slug": world.group.slug, "pk": world.invitation.pk},
        leaders_of_the_group(404),
    ),
    # The other admitted group's pages.
    Page("other-dashboard", "groups:dashboard", slug("other_group"), nobody_but(other_leader=200)),
    Page("other-meetings", "meetings:list", slug("other_group"), nobody_but(other_leader=200)),
    Page("other-people", "leaders:people", slug("other_group"), nobody_but(other_leader=200)),
    # The applicant's groups.
    Page("submitted-status", "groups:status", slug("submitted_group"), nobody_but(applicant=200)),
    Page(
        "submitted-dashboard",
        "groups:dashboard",
        slug("submitted_group"),
        nobody_but(applicant=200),
    ),
    Page(
        "submitted-apply-step",
        "groups:apply_step",
        lambda world: {"slug": world.submitted_group.slug, "step": "review"},
        nobody_but(applicant=To("groups:dashboard", "submitted_group")),
    ),
    *[
        Page(
            f"draft-apply-step-{step}",
            "groups:apply_step",
            lambda world, step=step: {"slug": world.draft_group.slug, "step": step},
            nobody_but(applicant=200),
        )
        for step in APPLICATION_STEPS
    ],
    Page(
        "draft-apply-step-unknown",
        "groups:apply_step",
        lambda world: {"slug": world.draft_group.slug, "step": "no-such-step"},
        nobody_but(),
    ),
    Page("draft-people", "leaders:people", slug("draft_group"), nobody_but(applicant=200)),
    Page(
        "invitation-withdraw",
        "leaders:invitation_withdraw",
        lambda world: {"slug": world.draft_group.slug, "pk": world.invitation.pk},
        nobody_but(applicant=200),
    ),
    Page(
        "unknown-group", "groups:dashboard", lambda world: {"slug": "no-such-group"}, nobody_but()
    ),
    # The invitation link: only the invited address may use it; anonymous visitors sign in.
    Page(
        "invitation",
        "leaders:invitation",
        lambda world: {"token": world.invitation.token},
        {**everyone(403), ANONYMOUS: 200},
    ),
    Page(
        "invitation-unknown-token",
        "leaders:invitation",
        lambda world: {"token": "no-such-token"},
        everyone(404),
    ),
    Page(
        "invitation-used",
        "leaders:invitation",
        lambda world: {"token": world.used_invitation.token},
        everyone(410),
    ),
    Page(
        "invitation-expired",
        "leaders:invitation",
        lambda world: {"token": world.expired_invitation.token},
        everyone(410),
    ),
    # The program's pages, for leaders of admitted groups.
    Page("calls", "program:calls", no_kwargs, admitted_leaders(200)),
    Page(
        "call-ics", "program:call_ics", lambda world: {"pk": world.call.pk}, admitted_leaders(200)
    ),
    Page(
        "call-ics-unknown",
        "program:call_ics",
        lambda world: {"pk": 999999},
        admitted_leaders(404),
    ),
    Page(
        "call-ics-out-of-range",
        "program:call_ics",
        lambda world: {"pk": 2**70},
        admitted_leaders(404),
    ),
    Page("content", "program:content", no_kwargs, admitted_leaders(200)),
    Page("news", "program:news", no_kwargs, admitted_leaders(200)),
    # The unsubscribe link of optional e-mails: the signed token is the key, a GET only asks.
    Page(
        "unsubscribe",
        "unsubscribe",
        lambda world: {"token": unsubscribe_token(world.leader)},
        everyone(200),
    ),
    Page(
        "unsubscribe-tampered-token",
        "unsubscribe",
        lambda world: {"token": unsubscribe_token(world.leader)[:-3] + "xyz"},
        everyone(400),
    ),
    # Writing to the program team: every signed-in person; a conversation to its readers only
    # (docs/program.md, "Contacting the program team"); staff read them in the admin.
    Page("contact", "contact:index", no_kwargs, everyone_signed_in(200)),
    Page("contact-threads", "contact:threads", no_kwargs, everyone_signed_in(200)),
    Page(
        "contact-question",
        "contact:thread",
        lambda world: {"pk": world.question.pk},
        leaders_of_the_group(200),
    ),
    Page(
        "contact-incident",
        "contact:thread",
        lambda world: {"pk": world.incident.pk},
        nobody_but(leader=200),
    ),
    Page(
        "contact-no-group",
        "contact:thread",
        lambda world: {"pk": world.other_thread.pk},
        nobody_but(other_leader=200),
    ),
    Page("contact-unknown", "contact:thread", lambda world: {"pk": 999999}, nobody_but()),
    Page("contact-out-of-range", "contact:thread", lambda world: {"pk": 2**70}, nobody_but()),
    # Personal data: each person's own download and account deletion; staff ask an admin.
    Page("personal-data", "privacy:personal_data", no_kwargs, everyone_signed_in(200)),
    Page(
        "account-delete",
        "privacy:account_delete",
        no_kwargs,
        {**everyone_signed_in(200), STAFF: 403},
    ),
    Page("account-deleted", "privacy:account_deleted", no_kwargs, everyone(200)),
]


@pytest.mark.parametrize(
    ("page", "visitor"),
    [
        pytest.param(page, visitor, id=f"{page.id}-{visitor}")
        for page in PAGES
        for visitor in VISITORS
    ],
)
def test_visitor_gets_the_expected_answer(world, page, visitor):
    client = client_for(world, visitor)
    path = page.url(world)

    response = client.get(path)

    check_answer(response, page.expect[visitor], world=world, path=path)
    check_no_leak(response, world, visitor)


def named_urls(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = ":".join(part for part in (namespace, inner) if part)
            yield from named_urls(pattern, joined)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def portal_url_names() -> set[str]:
    return {
        name
        for name in named_urls(get_resolver())
        if name.split(":")[0] in PORTAL_NAMESPACES or name in PORTAL_ROOT_NAMES
    }


def test_every_portal_url_is_in_the_table():
    missing = portal_url_names() - {page.name for page in PAGES}

    assert missing == set(), f"add rows to PAGES for {sorted(missing)}"


def test_the_url_walk_finds_the_portal_pages():
    """Guards the completeness test: a walk that found nothing would pass it."""
    names = portal_url_names()

    assert {"home", "groups:dashboard", "meetings:edit", "leaders:invitation"} <= names
    assert {"program:calls", "program:call_ics"} <= names
    assert not any(name.startswith(("admin:", "account_")) for name in names)


def test_every_row_says_what_every_visitor_gets():
    assert all(set(page.expect) == set(VISITORS) for page in PAGES)
    assert len({page.id for page in PAGES}) == len(PAGES)


def test_every_state_changing_portal_url_is_in_the_changes():
    """Every page that takes a POST is here (the GET-only pages are listed below)."""
    get_only = {
        "home",
        "healthz",
        "groups:list",
        "groups:code_of_conduct_example",
        "groups:dashboard",
        "groups:status",
        "meetings:list",
        "leaders:people",
        "program:calls",
        "program:call_ics",
        "program:content",
        "program:news",
        "privacy:personal_data",
        "privacy:account_deleted",
        "contact:threads",
    }

    missing = portal_url_names() - get_only - {change.name for change in CHANGES}

    assert missing == set()


@pytest.mark.parametrize(
    ("change", "visitor"),
    [
        pytest.param(change, visitor, id=f"{change.id}-{visitor}")
        for change in CHANGES
        for visitor in change.wrong
    ],
)
def test_wrong_visitor_changes_nothing(world, change, visitor):
    client = client_for(world, visitor)
    path = change.url(world)
    before = snapshot()

    response = client.post(path, change.data(world))

    check_answer(response, change.wrong[visitor], world=world, path=path)
    assert changed_tables(before) == []
    check_no_leak(response, world, visitor)


@pytest.mark.parametrize(
    "change", [pytest.param(change, id=change.id) for change in CHANGES if change.right]
)
def test_right_visitor_changes_something(world, change, request):
    """The control for the test above: the same request by the right visitor does change."""
    if change.needs_feed:
        Group.objects.filter(pk=world.group.pk).update(
            ical_feed_url=request.getfixturevalue("feed_url")
        )
    client = client_for(world, change.right)
    before = snapshot()

    response = client.post(change.url(world), change.data(world))

    assert response.status_code in {200, 302}
    assert changed_tables(before) != [], response.content.decode()[:2000]
