"""The visitor world: who may open and change what in the portal, shared by the view matrix
(tests/test_view_matrix.py), the CSRF, redirect and form-fuzzing tests.

The world: an admitted group led by a leader and a co-leader, with a meeting and a cancelled
one; another admitted
group led by someone else; a staff member of the program team (with two-factor) who leads no
group; an applicant whose group is submitted and who is drafting a second one, which has a
pending co-leader invitation; and a visitor who has not signed in. The `world` fixture
(tests/conftest.py) builds it once for a test module.

`CHANGES` lists every state-changing request with valid data, who may send it and what the
others get; `snapshot` and `changed_tables` tell whether a request changed anything.
"""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contact.models import Message, Thread
from core.program_team import PROGRAM_TEAM, sync_program_team
from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership, ProgramRules, User
from meetings.models import Meeting
from program.models import QuarterlyCall
from tests.builders import co_leader_invitation, verified_user
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    ProgramRulesFactory,
    QuarterlyCallFactory,
    StaffFactory,
)

# The visitors ----------------------------------------------------------------------------

ANONYMOUS = "anonymous"
OTHER_LEADER = "other_leader"
LEADER = "leader"
CO_LEADER = "co_leader"
STAFF = "staff"
APPLICANT = "applicant"
VISITORS = (ANONYMOUS, OTHER_LEADER, LEADER, CO_LEADER, STAFF, APPLICANT)
INVITEE = "invitee@example.org"


# The world -------------------------------------------------------------------------------


@dataclass(repr=False)
class World:
    group: Group  # admitted, led by `leader` and `co_leader`
    leader: User
    co_leader: User
    meeting: Meeting
    cancelled_meeting: Meeting  # of `group`, cancelled by a leader
    other_group: Group  # admitted, led by `other_leader`
    other_leader: User
    other_meeting: Meeting
    staff: User
    applicant: User
    submitted_group: Group  # the applicant's submitted application
    draft_group: Group  # the applicant's draft, with a pending co-leader invitation
    invitation: CoLeaderInvitation  # pending, for INVITEE
    used_invitation: CoLeaderInvitation
    expired_invitation: CoLeaderInvitation
    invitee: User
    rules: ProgramRules
    call: QuarterlyCall
    question: Thread  # the leader's question about `group`: its co-leader reads it too
    incident: Thread  # the leader's code-of-conduct incident about `group`: confidential
    other_thread: Thread  # the other leader's, about no group
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return "World()"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's reports
        printer.text(repr(self))

    def user(self, visitor: str) -> User | None:
        return None if visitor == ANONYMOUS else getattr(self, visitor)

    def groups_known_to(self, visitor: str) -> set[Group]:
        """The groups whose names this visitor may see anywhere in the portal."""
        return {
            LEADER: {self.group},
            CO_LEADER: {self.group},
            OTHER_LEADER: {self.other_group},
            APPLICANT: {self.submitted_group, self.draft_group},
        }.get(visitor, set())

    def all_groups(self) -> list[Group]:
        return [self.group, self.other_group, self.submitted_group, self.draft_group]


def conversation(
    *, author: User, group: Group | None, kind: str, subject: str, body: str
) -> Thread:
    """A thread with its first message, as rows: the world queues no e-mail."""
    thread = Thread.objects.create(author=author, group=group, kind=kind, subject=subject)
    Message.objects.create(thread=thread, author=author, body=body)
    return thread


def build_world() -> World:
    """The same world for every test that asks for it; names are distinctive so a leak is easy
    to spot."""
    rules = ProgramRulesFactory(version=1)
    group = GroupFactory(admitted=True, name="Alpha Azure Circle", slug="alpha-azure-circle")
    leader = verified_user(email="leader@example.org", name="Lena Leader")
    co_leader = verified_user(email="co-leader@example.org", name="Cody Coleader")
    LeadershipFactory(group=group, user=leader, role=Leadership.Role.LEADER)
    LeadershipFactory(group=group, user=co_leader, role=Leadership.Role.CO_LEADER)
    other_group = GroupFactory(admitted=True, name="Bravo Cloud Guild", slug="bravo-cloud-guild")
    other_leader = verified_user(email="other@example.org", name="Otto Other")
    LeadershipFactory(group=other_group, user=other_leader, role=Leadership.Role.LEADER)
    staff = StaffFactory(email="staff@example.org", name="Stina Staff")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    staff.groups.add(apps.get_model("auth", "Group").objects.get(name=PROGRAM_TEAM))
    applicant = verified_user(email="applicant@example.org", name="Ada Applicant")
    submitted_group = GroupFactory(name="Charlie Azure Nights", slug="charlie-azure-nights")
    LeadershipFactory(group=submitted_group, user=applicant, role=Leadership.Role.LEADER)
    draft_group = GroupFactory(
        name="Delta Dev Cloud",
        slug="delta-dev-cloud",
        status=Group.Status.DRAFT,
        submitted_at=None,
        planned_meetings_per_year=None,
    )
    LeadershipFactory(group=draft_group, user=applicant, role=Leadership.Role.LEADER)
    past = timezone.now() - timedelta(days=30)
    return World(
        group=group,
        leader=leader,
        co_leader=co_leader,
        meeting=MeetingFactory(group=group, title="Alpha meetup"),
        cancelled_meeting=MeetingFactory(
            group=group,
            title="Alpha rained off",
            cancelled_at=past,
            cancelled_by=Meeting.CancelledBy.LEADER,
            cancellation_reason="Storm warning",
        ),
        other_group=other_group,
        other_leader=other_leader,
        other_meeting=MeetingFactory(group=other_group, title="Bravo meetup"),
        staff=staff,
        applicant=applicant,
        submitted_group=submitted_group,
        draft_group=draft_group,
        invitation=co_leader_invitation(draft_group, email=INVITEE, by=applicant),
        used_invitation=co_leader_invitation(
            other_group,
            email=INVITEE,
            by=other_leader,
            status=CoLeaderInvitation.Status.ACCEPTED,
            responded_at=timezone.now(),
        ),
        expired_invitation=co_leader_invitation(
            submitted_group,
            email=INVITEE,
            by=applicant,
            created_at=past,
            expires_at=past + timedelta(days=14),
        ),
        invitee=verified_user(email=INVITEE, name="Ivy Invitee"),
        rules=rules,
        call=QuarterlyCallFactory(),
        question=conversation(
            author=leader,
            group=group,
            kind=Thread.Kind.QUESTION,
            subject="Alpha question",
            body="May we meet in English?",
        ),
        incident=conversation(
            author=leader,
            group=group,
            kind=Thread.Kind.CONDUCT_INCIDENT,
            subject="Alpha incident",
            body="Confidential.",
        ),
        other_thread=conversation(
            author=other_leader,
            group=None,
            kind=Thread.Kind.LEADERSHIP_CHANGE,
            subject="Bravo change",
            body="About no group.",
        ),
    )


def world_in_a_transaction(django_db_blocker: Any) -> Iterator[World]:
    """The world built once for a module, like TestCase.setUpTestData: each test runs in a
    savepoint inside this transaction, so what a test changes is rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        ContentType.objects.clear_cache()  # a transactional test elsewhere may have flushed
        sync_program_team(apps)
        yield build_world()
        transaction.set_rollback(True)


def client_for(world: World, visitor: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    user = world.user(visitor)
    if user is not None:
        client.force_login(user)
    return client


# What a request changed ------------------------------------------------------------------

#: The tables whose rows the portal's pages may change; compared before and after a request.
WATCHED_APPS = (
    "core",
    "notifications",
    "groups",
    "leaders",
    "meetings",
    "membership",
    "program",
    "contact",
    "account",
    "mfa",
)


IGNORED_COLUMNS = {"last_login"}  # signing in (done before the snapshot) sets it


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every watched table, as plain values."""
    state: dict[str, list[dict[str, Any]]] = {}
    for app_label in WATCHED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            rows = model._default_manager.order_by("pk").values()
            state[model._meta.label] = [
                {key: value for key, value in row.items() if key not in IGNORED_COLUMNS}
                for row in rows
            ]
    return state


def changed_tables(before: dict[str, list[dict[str, Any]]]) -> list[str]:
    after = snapshot()
    return [label for label in before if before[label] != after[label]]


# What a visitor gets ---------------------------------------------------------------------

LOGIN = "302 to login"


@dataclass(frozen=True)
class To:
    """A 302 to one of the portal's named pages."""

    name: str
    group: str | None = None  # the World attribute whose slug the URL takes

    def url(self, world: World) -> str:
        if self.group is None:
            return reverse(self.name)
        return reverse(self.name, kwargs={"slug": getattr(world, self.group).slug})


Expect = int | str | To


def everyone(expected: Expect) -> dict[str, Expect]:
    return dict.fromkeys(VISITORS, expected)


def everyone_signed_in(expected: Expect) -> dict[str, Expect]:
    return {**everyone(expected), ANONYMOUS: LOGIN}


def slug(attribute: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"slug": getattr(world, attribute).slug}


def no_kwargs(world: World) -> dict[str, Any]:
    return {}


# Every state-changing request of the portal ----------------------------------------------


@dataclass(frozen=True)
class Change:
    """A state-changing POST with valid data, who may send it and what the others get."""

    id: str
    name: str
    kwargs: Callable[[World], dict[str, Any]]
    data: Callable[[World], dict[str, Any]]
    right: str | None  # a visitor (or World attribute) whose POST changes something
    wrong: dict[str, Expect]
    needs_feed: bool = False

    def url(self, world: World) -> str:
        return reverse(self.name, kwargs=self.kwargs(world))


GROUP_DETAILS = {
    "name": "Echo Azure Evenings",
    "city": "Malmö",
    "country": "SE",
    "timezone": "Europe/Stockholm",
    "languages": ["sv", "en"],
    "description": "Talks about Azure, in the evening.",
}


LINKS = {
    "home_page_url": "https://echo.example.org/",
    "code_of_conduct_url": "https://echo.example.org/conduct",
    "event_page_url": "https://echo.example.org/events",
    "ical_feed_url": "",
}


MEETING = {
    "title": "Bicep in practice",
    "starts_at": "2025-03-12T18:00",
    "ends_at": "2025-03-12T20:00",
    "format": "in_person",
    "venue": "The library",
    "online_url": "",
    "is_azure_related": "on",
    "topics": "Bicep",
    "expected_attendee_count": "30",
    "attendee_count": "25",
    "entry_fee": "0",
    "cost_recovery_charge": "0",
    "cost_recovery_reason": "",
}


def data(values: dict[str, Any]) -> Callable[[World], dict[str, Any]]:
    return lambda world: dict(values)


def group_edit_data(world: World) -> dict[str, Any]:
    return {**GROUP_DETAILS, **LINKS, "planned_meetings_per_year": "10"}


def outsiders_of_the_group(**more: Expect) -> dict[str, Expect]:
    return {ANONYMOUS: LOGIN, OTHER_LEADER: 404, STAFF: 404, APPLICANT: 404, **more}


def outsiders_of_the_draft(**more: Expect) -> dict[str, Expect]:
    return {ANONYMOUS: LOGIN, OTHER_LEADER: 404, LEADER: 404, CO_LEADER: 404, STAFF: 404, **more}


def draft_step(step: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"slug": world.draft_group.slug, "step": step}


def invitation_token(world: World) -> dict[str, Any]:
    return {"token": world.invitation.token}


CHANGES: list[Change] = [
    Change("apply", "groups:apply", no_kwargs, data(GROUP_DETAILS), APPLICANT, {ANONYMOUS: LOGIN}),
    Change(
        "apply-step-group",
        "groups:apply_step",
        draft_step("group"),
        data(GROUP_DETAILS),
        APPLICANT,
        outsiders_of_the_draft(),
    ),
    Change(
        "apply-step-links",
        "groups:apply_step",
        draft_step("links"),
        data(LINKS),
        APPLICANT,
        outsiders_of_the_draft(),
    ),
    Change(
        "apply-step-meetings",
        "groups:apply_step",
        draft_step("meetings"),
        data({"planned_meetings_per_year": "10"}),
        APPLICANT,
        outsiders_of_the_draft(),
    ),
    Change(
        "apply-step-rules",
        "groups:apply_step",
        draft_step("rules"),
        lambda world: {
            "accept_rules": "on",
            "rules_version": str(world.rules.version),
            "co_leader_email": "second@example.org",
        },
        APPLICANT,
        outsiders_of_the_draft(),
    ),
    Change(
        "apply-step-review",
        "groups:apply_step",
        draft_step("review"),
        data({}),
        APPLICANT,
        outsiders_of_the_draft(),
    ),
    Change(
        "apply-step-of-admitted-group",
        "groups:apply_step",
        lambda world: {"slug": world.group.slug, "step": "links"},
        data(LINKS),
        None,
        outsiders_of_the_group(
            leader=To("groups:dashboard", "group"), co_leader=To("groups:dashboard", "group")
        ),
    ),
    Change(
        "apply-step-review-of-submitted-group",
        "groups:apply_step",
        lambda world: {"slug": world.submitted_group.slug, "step": "review"},
        data({}),
        None,
        {
            **outsiders_of_the_draft(),
            APPLICANT: To("groups:dashboard", "submitted_group"),
        },
    ),
    Change(
        "edit",
        "groups:edit",
        slug("group"),
        group_edit_data,
        LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "leave",
        "groups:leave",
        slug("group"),
        data({"reason": "We are merging with another group.", "confirm": "on"}),
        CO_LEADER,
        outsiders_of_the_group(),
    ),
    # An admitted group has no new review to ask for: its leaders are sent back to the
    # dashboard (tests/membership/test_return_requests.py asks for an inactive group's).
    Change(
        "return-request-of-admitted-group",
        "groups:return_request",
        slug("group"),
        data({"what_changed": "We are back."}),
        None,
        outsiders_of_the_group(
            leader=To("groups:dashboard", "group"), co_leader=To("groups:dashboard", "group")
        ),
    ),
    Change(
        "return-request-withdraw-of-admitted-group",
        "groups:return_request_withdraw",
        slug("group"),
        data({}),
        None,
        outsiders_of_the_group(
            leader=To("groups:return_request", "group"),
            co_leader=To("groups:return_request", "group"),
        ),
    ),
    Change(
        "meeting-add",
        "meetings:add",
        slug("group"),
        data(MEETING),
        LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "meeting-edit",
        "meetings:edit",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        data(MEETING),
        CO_LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "meeting-edit-of-another-groups-meeting",
        "meetings:edit",
        lambda world: {"slug": world.group.slug, "pk": world.other_meeting.pk},
        data(MEETING),
        None,
        outsiders_of_the_group(leader=404, co_leader=404),
    ),
    Change(
        "meeting-cancel",
        "meetings:cancel",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        data({"reason": "The speaker is ill"}),
        LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "meeting-cancel-of-another-groups-meeting",
        "meetings:cancel",
        lambda world: {"slug": world.group.slug, "pk": world.other_meeting.pk},
        data({"reason": "Taken over"}),
        None,
        outsiders_of_the_group(leader=404, co_leader=404),
    ),
    Change(
        "meeting-uncancel",
        "meetings:uncancel",
        lambda world: {"slug": world.group.slug, "pk": world.cancelled_meeting.pk},
        data({}),
        CO_LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "meeting-uncancel-of-another-groups-meeting",
        "meetings:uncancel",
        lambda world: {"slug": world.group.slug, "pk": world.other_meeting.pk},
        data({}),
        None,
        outsiders_of_the_group(leader=404, co_leader=404),
    ),
    Change(
        "meeting-delete",
        "meetings:delete",
        lambda world: {"slug": world.group.slug, "pk": world.meeting.pk},
        data({}),
        LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "meeting-delete-of-another-groups-meeting",
        "meetings:delete",
        lambda world: {"slug": world.group.slug, "pk": world.other_meeting.pk},
        data({}),
        None,
        outsiders_of_the_group(leader=404, co_leader=404),
    ),
    Change(
        "meeting-import",
        "meetings:import",
        slug("group"),
        data({}),
        LEADER,
        outsiders_of_the_group(),
        needs_feed=True,
    ),
    Change(
        "meeting-import-daily",
        "meetings:import_daily",
        slug("group"),
        data({"enabled": "on"}),
        LEADER,
        outsiders_of_the_group(),
    ),
    # Accepting the program rules is a person's own act: anyone signed in may.
    Change(
        "program-rules-accept",
        "leaders:rules",
        no_kwargs,
        lambda world: {"version": str(world.rules.version), "accept": "on"},
        STAFF,
        {ANONYMOUS: LOGIN},
    ),
    Change(
        "profile",
        "leaders:profile",
        no_kwargs,
        data({"name": "A New Name", "preferred_language": "sv", "tech_community_id": "424242"}),
        STAFF,
        {ANONYMOUS: LOGIN},
    ),
    Change(
        "invite",
        "leaders:invite",
        slug("draft_group"),
        data({"email": "third@example.org"}),
        APPLICANT,
        outsiders_of_the_draft(),
    ),
    Change(
        "invite-replacement-of-the-co-leader",
        "leaders:invite",
        slug("group"),
        data({"email": "third@example.org", "name": "Cecilia", "replaces_co_leader": "on"}),
        LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "report-left",
        "leaders:report_left",
        slug("group"),
        data(
            {
                "details": "Moved away.",
                "successor_name": "Cecilia",
                "successor_email": "third@example.org",
            }
        ),
        LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "report-left-taking-over",
        "leaders:report_left",
        slug("group"),
        data({"takes_over": "on", "successor_email": "third@example.org"}),
        CO_LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "invitation-withdraw",
        "leaders:invitation_withdraw",
        lambda world: {"slug": world.draft_group.slug, "pk": world.invitation.pk},
        data({}),
        APPLICANT,
        outsiders_of_the_draft(),
    ),
    Change(
        "invitation-withdraw-through-another-group",
        "leaders:invitation_withdraw",
        lambda world: {"slug": world.group.slug, "pk": world.invitation.pk},
        data({}),
        None,
        outsiders_of_the_group(leader=404, co_leader=404),
    ),
    Change(
        "hand-over",
        "leaders:hand_over",
        slug("group"),
        data({}),
        LEADER,
        # The co-leader is told that only the leader can hand over.
        outsiders_of_the_group(co_leader=To("leaders:people", "group")),
    ),
    Change(
        "step-down",
        "leaders:step_down",
        slug("group"),
        data({"co_leader_takes_over": "yes"}),
        LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "invitation-accept",
        "leaders:invitation",
        invitation_token,
        data({"answer": "accept", "accept_rules": "on"}),
        "invitee",
        {**everyone(403), ANONYMOUS: 200},  # anonymous: the page asking to sign in
    ),
    Change(
        "invitation-decline",
        "leaders:invitation",
        invitation_token,
        data({"answer": "decline"}),
        "invitee",
        {**everyone(403), ANONYMOUS: 200},
    ),
    # Writing to the program team: staff answer in the admin instead.
    Change(
        "contact",
        "contact:index",
        no_kwargs,
        lambda world: {
            "group": world.group.slug,
            "kind": "question",
            "subject": "Venue question",
            "body": "Can we meet at the library?",
        },
        CO_LEADER,
        {ANONYMOUS: LOGIN, STAFF: 403},
    ),
    Change(
        "contact-about-another-group",
        "contact:index",
        no_kwargs,
        lambda world: {
            "group": world.other_group.slug,
            "kind": "question",
            "subject": "Not mine",
            "body": "A group I do not lead.",
        },
        None,
        # The form says the choice is not valid (the other leader leads that group).
        {ANONYMOUS: LOGIN, LEADER: 200, CO_LEADER: 200, APPLICANT: 200, STAFF: 403},
    ),
    Change(
        "contact-reply",
        "contact:thread",
        lambda world: {"pk": world.question.pk},
        data({"body": "One more thing."}),
        CO_LEADER,
        outsiders_of_the_group(),
    ),
    Change(
        "contact-reply-to-a-confidential-thread",
        "contact:thread",
        lambda world: {"pk": world.incident.pk},
        data({"body": "Let me read it."}),
        LEADER,
        outsiders_of_the_group(co_leader=404),
    ),
    # Deleting an account acts on the signed-in person only, with their password.
    Change(
        "account-delete",
        "privacy:account_delete",
        no_kwargs,
        data({"password": "correct horse battery"}),
        CO_LEADER,
        {ANONYMOUS: LOGIN, STAFF: 403},
    ),
    Change(
        "account-delete-wrong-password",
        "privacy:account_delete",
        no_kwargs,
        data({"password": "not the password"}),
        None,
        {**everyone_signed_in(200), STAFF: 403},
    ),
    Change(
        "account-delete-last-contact-unconfirmed",
        "privacy:account_delete",
        no_kwargs,
        data({"password": "correct horse battery"}),
        None,
        {OTHER_LEADER: 200},  # the only contact of an admitted group must tick the box
    ),
]


# A calendar feed on this machine, for the import -----------------------------------------

FEED = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:matrix-1@example.org\r\nDTSTAMP:20250301T120000Z\r\nSUMMARY:Azure night\r\n"
    b"DTSTART:20250312T170000Z\r\nDTEND:20250312T190000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


class FeedServer(ThreadingHTTPServer):
    body: bytes = FEED


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_feed(settings: Any, body: bytes = FEED) -> Iterator[str]:
    """A real iCal feed on 127.0.0.1 (loopback is allowed for this test only)."""
    settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK = True
    server = FeedServer(("127.0.0.1", 0), FeedHandler)
    server.body = body
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.ics"
    server.shutdown()
    server.server_close()
    thread.join()
