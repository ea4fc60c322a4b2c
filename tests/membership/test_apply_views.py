"""Applying in the browser: "My groups", the guided application and the status page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership, RulesAcceptance
from membership.models import Review
from membership.services import review_decide
from tests.builders import draft_group, leader_of, led_group
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    ProgramRulesFactory,
    StaffFactory,
    UserFactory,
)
from tests.pages import GROUP_VISITORS, inline_code_in, query_count, sign_in_as

pytestmark = pytest.mark.django_db

Status = Group.Status
LEADER = Leadership.Role.LEADER
CO_LEADER = Leadership.Role.CO_LEADER

STEP_ONE = {
    "name": "Lund Azure Meetup",
    "city": "Lund",
    "country": "SE",
    "timezone": "Europe/Stockholm",
    "languages": ["sv", "en"],
    "description": "Evening talks about Azure.",
}
LINKS = {
    "home_page_url": "https://lund.example.org/",
    "code_of_conduct_url": "https://lund.example.org/conduct",
    "event_page_url": "",
    "ical_feed_url": "",
}


def step_url(group: Group, step: str) -> str:
    return reverse("groups:apply_step", kwargs={"slug": group.slug, "step": step})


def errors_of(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


# Who may see what.


@pytest.mark.parametrize("name", ["groups:list", "groups:apply"])
def test_anonymous_visitor_is_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["groups:list", "groups:apply"])
def test_any_signed_in_person_sees_my_groups_and_can_apply(client, name):
    client.force_login(UserFactory())

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("visitor", "expected"), GROUP_VISITORS.items())
@pytest.mark.parametrize("step", ["group", "links", "meetings", "rules", "review"])
def test_application_step_answers_each_visitor(client, visitor, expected, step):
    group = draft_group()
    sign_in_as(client, visitor, group=group)

    assert client.get(step_url(group, step)).status_code == expected


@pytest.mark.parametrize(("visitor", "expected"), GROUP_VISITORS.items())
def test_status_page_answers_each_visitor(client, visitor, expected):
    group = led_group()
    sign_in_as(client, visitor, group=group)

    response = client.get(reverse("groups:status", kwargs={"slug": group.slug}))

    assert response.status_code == expected


@pytest.mark.parametrize("visitor", ["anonymous", "leader of another group", "staff"])
def test_example_code_of_conduct_is_public(client, visitor):
    if visitor == "leader of another group":
        client.force_login(LeadershipFactory().user)
    elif visitor == "staff":
        client.force_login(StaffFactory())

    response = client.get(reverse("groups:code_of_conduct_example"))

    assert response.status_code == 200


def test_an_unknown_step_is_not_found(client):
    group = draft_group()
    client.force_login(leader_of(group))

    assert client.get(step_url(group, "payment")).status_code == 404


# My groups


def test_my_groups_lists_the_groups_i_lead_with_status_and_role(client):
    group = led_group(name="Lund Azure Meetup", admitted=True)
    other = led_group(name="Somebody else's group")
    client.force_login(leader_of(group, role=CO_LEADER))

    content = client.get(reverse("groups:list")).content.decode()

    assert "Lund Azure Meetup" in content
    assert "Admitted" in content
    assert "Co-leader (secondary contact)" in content
    assert other.name not in content
    assert reverse("groups:apply") in content


def test_my_groups_resumes_a_draft_at_its_first_unfinished_step(client):
    group = draft_group(planned_meetings_per_year=None)
    client.force_login(leader_of(group))

    content = client.get(reverse("groups:list")).content.decode()

    assert step_url(group, "meetings") in content
    assert "Continue the application" in content


def test_my_groups_leaves_out_groups_whose_role_ended(client):
    leadership = LeadershipFactory(ended_at=timezone.now(), end_reason="stepped_down")
    client.force_login(leadership.user)

    content = client.get(reverse("groups:list")).content.decode()

    assert leadership.group.name not in content
    assert "You do not lead a group yet" in content


def test_my_groups_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)
    LeadershipFactory(user=user, group=GroupFactory(status=Status.DRAFT))
    few = query_count(lambda: client.get(reverse("groups:list")))
    for _ in range(5):
        LeadershipFactory(user=user, group=GroupFactory(admitted=True))

    with django_assert_num_queries(few):
        response = client.get(reverse("groups:list"))

    assert response.content.decode().count("card h-100 group-card") == 6
    assert few == 6  # session, user, rules, groups, groups that left, the menu


# Step 1: the group


def test_step_one_creates_a_draft_that_i_lead_and_goes_to_the_links(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("groups:apply"), STEP_ONE)

    group = Group.objects.get()
    assert response.status_code == 302
    assert response["Location"] == step_url(group, "links")
    assert group.status == Status.DRAFT
    assert group.slug == "lund-azure-meetup"
    assert leader_of(group) == user


def test_step_one_ignores_a_posted_status_and_slug(client):
    client.force_login(UserFactory())

    client.post(
        reverse("groups:apply"),
        {**STEP_ONE, "status": "admitted", "slug": "taken", "admitted_at": "2020-01-01"},
    )

    group = Group.objects.get()
    assert group.status == Status.DRAFT
    assert group.slug == "lund-azure-meetup"
    assert group.admitted_at is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 121, "Ensure this value has at most 120 characters (it has 121)."),
        ("name", "", "This field is required."),
        ("city", "y" * 101, "Ensure this value has at most 100 characters (it has 101)."),
        ("description", "z" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
        ("languages", [], "Choose at least one language."),
        ("languages", ["xx"], "Select a valid choice. xx is not one of the available choices."),
        ("timezone", "Mars/Olympus", "Select a valid choice."),
        ("country", "XX", "Select a valid choice. XX is not one of the available choices."),
    ],
)
def test_step_one_rejects_bad_input_beside_the_field_and_saves_nothing(
    client, field, value, message
):
    client.force_login(UserFactory())

    response = client.post(reverse("groups:apply"), {**STEP_ONE, field: value})

    assert response.status_code == 200
    assert any(error.startswith(message) for error in errors_of(response, field))
    assert message.split(" (")[0] in response.content.decode().replace("&#x27;", "'")
    assert not Group.objects.exists()


def test_step_one_of_an_existing_draft_edits_it_with_an_audit_row(client):
    group = draft_group(city="Lund")
    leader = leader_of(group)
    client.force_login(leader)

    response = client.post(step_url(group, "group"), {**STEP_ONE, "city": "Malmö"})

    assert response["Location"] == step_url(group, "links")
    group.refresh_from_db()
    assert group.city == "Malmö"
    entry = AuditEntry.objects.get(group=group, action=AuditEntry.Action.GROUP_EDIT)
    assert entry.actor == leader


def test_going_back_to_step_one_before_the_links_saves_it(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("groups:apply"), STEP_ONE)
    group = Group.objects.get()

    response = client.post(step_url(group, "group"), {**STEP_ONE, "city": "Malmö"})

    assert response["Location"] == step_url(group, "links")
    group.refresh_from_db()
    assert group.city == "Malmö"


# Step 2: links


def test_the_links_step_saves_the_links_and_goes_on_to_the_meetings(client):
    group = draft_group(home_page_url="", code_of_conduct_url="")
    client.force_login(leader_of(group))

    response = client.post(step_url(group, "links"), LINKS)

    assert response["Location"] == step_url(group, "meetings")
    group.refresh_from_db()
    assert group.home_page_url == "https://lund.example.org/"
    assert group.code_of_conduct_url == "https://lund.example.org/conduct"


def test_the_links_step_points_to_the_example_code_of_conduct(client):
    group = draft_group()
    client.force_login(leader_of(group))

    content = client.get(step_url(group, "links")).content.decode()

    assert reverse("groups:code_of_conduct_example") in content


@pytest.mark.parametrize(
    "url",
    [
        "ftp://lund.example.org/conduct",
        "javascript:alert(1)",
        "data:text/html,hello",
        "not a web address",
        "https://" + "a" * 500 + ".example.org/",
    ],
)
@pytest.mark.parametrize("field", ["home_page_url", "code_of_conduct_url", "ical_feed_url"])
def test_the_links_step_rejects_what_is_not_a_web_address(client, field, url):
    group = draft_group(home_page_url="https://old.example.org/")
    client.force_login(leader_of(group))

    response = client.post(step_url(group, "links"), {**LINKS, field: url})

    assert response.status_code == 200
    errors = errors_of(response, field)
    assert errors, response.context["form"].errors
    assert errors[0] in {
        "Enter a web address that starts with https:// or http://.",
        "Ensure this value has at most 500 characters (it has 528).",
    }
    group.refresh_from_db()
    assert group.home_page_url == "https://old.example.org/"
    assert not AuditEntry.objects.filter(group=group).exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://169.254.169.254/", "http://[::1]/"])
@pytest.mark.parametrize("field", ["code_of_conduct_url", "ical_feed_url"])
def test_the_links_step_refuses_a_link_into_a_private_network(client, field, url):
    group = draft_group(code_of_conduct_url="https://old.example.org/conduct")
    client.force_login(leader_of(group))

    response = client.post(step_url(group, "links"), {**LINKS, field: url})

    assert response.status_code == 200
    errors = errors_of(response, field)
    assert len(errors) == 1
    assert "it is not on the public internet" in errors[0]
    group.refresh_from_db()
    assert group.code_of_conduct_url == "https://old.example.org/conduct"
    assert group.ical_feed_url == ""


def test_a_link_without_a_scheme_is_taken_as_https(client):
    group = draft_group()
    client.force_login(leader_of(group))

    client.post(step_url(group, "links"), {**LINKS, "home_page_url": "lund.example.org"})

    group.refresh_from_db()
    assert group.home_page_url == "https://lund.example.org"


def test_steps_after_the_links_wait_for_the_home_page(client):
    group = draft_group(home_page_url="")
    client.force_login(leader_of(group))

    response = client.get(step_url(group, "meetings"))

    assert response.status_code == 302
    assert response["Location"] == step_url(group, "links")


# Step 3: meetings


def test_the_meetings_step_explains_the_minimum_and_saves_the_plan(client, settings):
    settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = 7
    group = draft_group(planned_meetings_per_year=None)
    client.force_login(leader_of(group))

    assert "at least 7 meetings a year" in client.get(step_url(group, "meetings")).content.decode()
    response = client.post(step_url(group, "meetings"), {"planned_meetings_per_year": "10"})

    assert response["Location"] == step_url(group, "rules")
    group.refresh_from_db()
    assert group.planned_meetings_per_year == 10


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("366", "Ensure this value is less than or equal to 365."),
        ("six", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_the_meetings_step_rejects_impossible_counts(client, value, message):
    group = draft_group(planned_meetings_per_year=8)
    client.force_login(leader_of(group))

    response = client.post(step_url(group, "meetings"), {"planned_meetings_per_year": value})

    assert errors_of(response, "planned_meetings_per_year") == [message]
    group.refresh_from_db()
    assert group.planned_meetings_per_year == 8


# Step 4: rules and co-leader


def test_the_rules_step_shows_the_current_rules_text(client):
    ProgramRulesFactory(version=1, body="Old rules.")
    ProgramRulesFactory(version=2, body="Keep meetings free to attend.")
    group = draft_group()
    client.force_login(leader_of(group))

    content = client.get(step_url(group, "rules")).content.decode()

    assert "Keep meetings free to attend." in content
    assert "Old rules." not in content
    assert "version 2" in content


def test_the_rules_step_needs_the_box_ticked(client):
    ProgramRulesFactory(version=1)
    group = draft_group()
    client.force_login(leader_of(group))

    response = client.post(step_url(group, "rules"), {"rules_version": "1"})

    assert errors_of(response, "accept_rules") == ["Tick the box to accept the program rules."]
    assert not RulesAcceptance.objects.exists()


def test_accepting_the_rules_records_the_version_and_goes_to_the_review(client):
    rules = ProgramRulesFactory(version=4)
    group = draft_group()
    leader = leader_of(group)
    client.force_login(leader)

    response = client.post(step_url(group, "rules"), {"accept_rules": "on", "rules_version": "4"})

    assert response["Location"] == step_url(group, "review")
    assert RulesAcceptance.objects.get(user=leader).rules == rules


def test_rules_that_changed_while_reading_are_not_accepted(client):
    ProgramRulesFactory(version=1)
    ProgramRulesFactory(version=2)
    group = draft_group()
    client.force_login(leader_of(group))

    response = client.post(step_url(group, "rules"), {"accept_rules": "on", "rules_version": "1"})

    assert response.status_code == 200
    assert "changed while you were reading" in errors_of(response, "accept_rules")[0]
    assert not RulesAcceptance.objects.exists()


def test_the_rules_step_invites_the_co_leader(client, django_capture_on_commit_callbacks):
    group = GroupFactory(status=Status.DRAFT)
    client.force_login(LeadershipFactory(group=group, role=LEADER).user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(group, "rules"), {"co_leader_email": "co@example.org"})

    assert response.status_code == 302
    assert CoLeaderInvitation.objects.get(group=group).email == "co@example.org"
    assert mail.outbox[0].to == ["co@example.org"]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter a valid email address."),
        ("a" * 250 + "@example.org", "Ensure this value has at most 254 characters (it has 262)."),
    ],
)
def test_the_rules_step_rejects_a_bad_co_leader_address(client, email, message):
    group = GroupFactory(status=Status.DRAFT)
    client.force_login(LeadershipFactory(group=group, role=LEADER).user)

    response = client.post(step_url(group, "rules"), {"co_leader_email": email})

    assert message in errors_of(response, "co_leader_email")
    assert not CoLeaderInvitation.objects.exists()


def test_the_rules_step_shows_a_pending_invitation(client):
    group = GroupFactory(status=Status.DRAFT)
    leader = LeadershipFactory(group=group, role=LEADER).user
    now = timezone.now()
    CoLeaderInvitation.objects.create(
        group=group,
        email="waiting@example.org",
        invited_by=leader,
        created_at=now,
        expires_at=now + timedelta(days=14),
    )
    client.force_login(leader)

    content = client.get(step_url(group, "rules")).content.decode()

    assert "An invitation to waiting@example.org was sent on" in content


# Step 5: review and submit


def test_the_review_shows_the_program_checklist_with_failures_and_how_to_fix_them(client):
    group = GroupFactory(status=Status.DRAFT, code_of_conduct_url="", submitted_at=None)
    client.force_login(LeadershipFactory(group=group, role=LEADER).user)

    content = client.get(step_url(group, "review")).content.decode()

    assert "This is the same checklist the program team sees" in content
    assert "Your application does not meet 3 requirements yet." in content
    assert "The group has no co-leader (secondary contact)." in content
    assert "Not met" in content
    assert step_url(group, "links") in content
    assert reverse("groups:code_of_conduct_example") in content
    assert "Submit with 3 requirements not met" in content


def test_submitting_sends_the_application_to_the_program_team(client):
    group = draft_group()
    leader = leader_of(group)
    client.force_login(leader)

    response = client.post(step_url(group, "review"))

    assert response["Location"] == reverse("groups:status", kwargs={"slug": group.slug})
    group.refresh_from_db()
    assert group.status == Status.SUBMITTED
    assert group.submitted_at is not None
    entry = AuditEntry.objects.get(group=group, action=AuditEntry.Action.STATUS_CHANGE)
    assert entry.actor == leader


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ADMITTED, Status.DECLINED])
@pytest.mark.parametrize("step", ["group", "links", "review"])
def test_a_step_of_an_application_no_longer_open_goes_to_the_dashboard(client, status, step):
    group = led_group(status=status, admitted_at=timezone.now())
    client.force_login(leader_of(group))

    response = client.post(step_url(group, step), {**STEP_ONE, **LINKS}, follow=True)

    assert response.redirect_chain[0][0] == reverse("groups:dashboard", kwargs={"slug": group.slug})
    assert "its steps can no longer be changed" in response.content.decode()
    group.refresh_from_db()
    assert group.status == status
    assert group.name != STEP_ONE["name"]


def test_the_review_step_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    group = draft_group()
    client.force_login(leader_of(group))
    few = query_count(lambda: client.get(step_url(group, "review")))
    for _ in range(4):
        ProgramRulesFactory()

    with django_assert_num_queries(few):
        client.get(step_url(group, "review"))
    assert few == 10  # session, user, group, checklist (4), invitation, rules, menu


# Changes requested, then resubmitted


def request_changes(group: Group, message: str = "Publish a code of conduct.") -> Review:
    group.refresh_from_db()
    return review_decide(
        group=group,
        by=StaffFactory(),
        decision=Review.Decision.REQUEST_CHANGES,
        message=message,
        expected_version=group.version,
    )


def test_after_changes_are_requested_the_status_page_shows_the_message(client):
    group = led_group(status=Status.SUBMITTED)
    request_changes(group, "Publish a code of conduct, then resubmit.")
    client.force_login(leader_of(group))

    content = client.get(reverse("groups:status", kwargs={"slug": group.slug})).content.decode()

    assert "The program team asks for changes" in content
    assert "Publish a code of conduct, then resubmit." in content
    assert step_url(group, "review") in content


def test_after_changes_are_requested_the_leader_edits_and_resubmits(client):
    group = led_group(status=Status.SUBMITTED, code_of_conduct_url="")
    request_changes(group)
    client.force_login(leader_of(group))

    client.post(step_url(group, "links"), {**LINKS, "home_page_url": group.home_page_url})
    response = client.post(step_url(group, "review"))

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == Status.SUBMITTED
    assert group.code_of_conduct_url == LINKS["code_of_conduct_url"]
    content = client.get(reverse("groups:status", kwargs={"slug": group.slug})).content.decode()
    assert "Resubmitted" in content


def test_the_status_page_lists_messages_newest_first(client):
    group = led_group(status=Status.SUBMITTED)
    request_changes(group, "First message.")
    group.refresh_from_db()
    group.status = Status.SUBMITTED
    group.save()
    request_changes(group, "Second message.")
    client.force_login(leader_of(group))

    content = client.get(reverse("groups:status", kwargs={"slug": group.slug})).content.decode()

    assert content.index("Second message.") < content.index("First message.")


def test_the_status_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    group = led_group(status=Status.SUBMITTED)
    client.force_login(leader_of(group))
    url = reverse("groups:status", kwargs={"slug": group.slug})
    few = query_count(lambda: client.get(url))
    for _ in range(3):
        request_changes(group)
        group.refresh_from_db()
        group.status = Status.SUBMITTED
        group.save()

    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.content.decode().count("Decision on the application") == 3
    assert few == 6  # session, user, group, reviews, status changes, the menu


# Pages are safe under the Content-Security-Policy.


@pytest.mark.parametrize("step", ["group", "links", "meetings", "rules", "review"])
def test_application_pages_have_no_inline_code(client, step):
    ProgramRulesFactory()
    group = draft_group()
    client.force_login(leader_of(group))

    found = inline_code_in(client.get(step_url(group, step)).content.decode())

    assert found.problems == []
    assert found.external == []


@pytest.mark.parametrize("name", ["groups:list", "groups:apply", "groups:code_of_conduct_example"])
def test_group_pages_without_a_group_have_no_inline_code(client, name):
    client.force_login(UserFactory())

    found = inline_code_in(client.get(reverse(name)).content.decode())

    assert found.problems == []
    assert found.external == []


def test_the_example_code_of_conduct_covers_what_a_good_one_has(client):
    content = client.get(reverse("groups:code_of_conduct_example")).content.decode()

    for heading in (
        "Our norms for meetings, events and projects",
        "Behaviour we encourage",
        "Behaviour we do not accept",
        "How we handle a report",
        "If something happens: how to report it",
    ):
        assert heading in content
    assert "Harassment in any form" in content
