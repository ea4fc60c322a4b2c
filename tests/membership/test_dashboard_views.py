"""The group dashboard: status, checklist, next review, the meetings chart and open requests."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from groups.models import Group
from leaders.models import Leadership
from membership.models import LeaveRequest, Review
from membership.services import review_decide
from tests.builders import draft_group, leader_of, led_group
from tests.factories import (
    LeadershipFactory,
    MeetingFactory,
    ProgramRulesFactory,
    RulesAcceptanceFactory,
    StaffFactory,
)
from tests.pages import GROUP_VISITORS, inline_code_in, query_count, sign_in_as

pytestmark = pytest.mark.django_db

Status = Group.Status


def dashboard_url(group: Group) -> str:
    return reverse("groups:dashboard", kwargs={"slug": group.slug})


def group_in_good_standing(**kwargs) -> Group:
    """An admitted group whose contacts accepted the rules, with a review due in 90 days."""
    rules = ProgramRulesFactory(version=1)
    group = led_group(
        admitted=True, next_review_due=timezone.localdate() + timedelta(days=90), **kwargs
    )
    for leadership in group.leaderships.all():
        RulesAcceptanceFactory(user=leadership.user, rules=rules)
    return group


def bars_of(content: str) -> list[str]:
    return re.findall(r'<rect class="chart-bar[^"]*"', content)


@pytest.mark.parametrize(("visitor", "expected"), GROUP_VISITORS.items())
def test_dashboard_answers_each_visitor(client, visitor, expected):
    group = group_in_good_standing()
    sign_in_as(client, visitor, group=group)

    response = client.get(dashboard_url(group))

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("account_login"))


def test_a_group_whose_leader_stepped_down_is_not_theirs_any_more(client):
    group = group_in_good_standing()
    leadership = group.leaderships.get(role=Leadership.Role.CO_LEADER)
    leadership.ended_at = timezone.now()
    leadership.end_reason = Leadership.EndReason.STEPPED_DOWN
    leadership.save()
    client.force_login(leadership.user)

    assert client.get(dashboard_url(group)).status_code == 404


def test_dashboard_shows_status_role_and_next_review(client):
    group = group_in_good_standing()
    client.force_login(leader_of(group))

    content = client.get(dashboard_url(group)).content.decode()

    assert "Admitted" in content
    assert "Leader (primary contact)" in content
    assert "Next review due" in content
    assert formats.date_format(group.next_review_due, "DATE_FORMAT") in content


def test_dashboard_shows_the_program_checklist(client):
    group = group_in_good_standing(code_of_conduct_url="")
    client.force_login(leader_of(group))

    content = client.get(dashboard_url(group)).content.decode()

    assert "The program's requirements" in content
    assert "Add the address of your code of conduct" in content
    assert reverse("groups:edit", kwargs={"slug": group.slug}) in content


def test_dashboard_counts_azure_meetings_of_the_last_12_months_against_the_minimum(client):
    group = group_in_good_standing()
    now = timezone.now()
    for days in (5, 35, 65, 95):
        MeetingFactory(group=group, starts_at=now - timedelta(days=days))
    MeetingFactory(group=group, starts_at=now - timedelta(days=15), is_azure_related=False)
    MeetingFactory(group=group, starts_at=now - timedelta(days=400))
    client.force_login(leader_of(group))

    response = client.get(dashboard_url(group))
    content = response.content.decode()

    assert response.context["dashboard"].azure_meeting_count == 4
    assert '<span class="meeting-count">4</span>' in content
    assert "of at least 6 a year" in content
    assert "Only 4 Azure-related meetings in the last 12 months" in content


def test_dashboard_draws_one_bar_per_month_as_svg_with_a_table_alternative(client):
    group = group_in_good_standing()
    MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=20))
    client.force_login(leader_of(group))

    response = client.get(dashboard_url(group))
    content = response.content.decode()

    months = response.context["dashboard"].months
    assert len(bars_of(content)) == len(months)
    assert sum(month.count for month in months) == 1
    assert '<svg class="meeting-chart-svg"' in content
    assert 'role="img"' in content
    assert '<title id="chart-title">Azure-related meetings per month</title>' in content
    assert content.count('<th scope="row" class="fw-normal">') == len(months)


def test_the_chart_stays_readable_in_swedish_where_decimals_take_a_comma(client):
    group = group_in_good_standing()
    MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=20))
    client.force_login(leader_of(group))

    content = client.get(dashboard_url(group), HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    rects = re.findall(r"<rect [^>]*>", content)
    assert rects
    assert not any("," in rect for rect in rects)


def test_dashboard_page_has_no_inline_code(client):
    group = group_in_good_standing()
    MeetingFactory(group=group)
    client.force_login(leader_of(group))

    found = inline_code_in(client.get(dashboard_url(group)).content.decode())

    assert found.problems == []
    assert found.external == []


def test_dashboard_shows_the_message_when_changes_are_requested(client):
    group = led_group(status=Status.SUBMITTED)
    review_decide(
        group=group,
        by=StaffFactory(),
        decision=Review.Decision.REQUEST_CHANGES,
        message="Please add the iCal feed.",
        expected_version=group.version,
    )
    client.force_login(leader_of(group, role=Leadership.Role.CO_LEADER))

    content = client.get(dashboard_url(group)).content.decode()

    assert "The program team asks for changes" in content
    assert "Please add the iCal feed." in content
    assert reverse("groups:apply_step", kwargs={"slug": group.slug, "step": "review"}) in content


def test_dashboard_of_a_draft_offers_to_continue_the_application(client):
    group = draft_group(planned_meetings_per_year=None)
    client.force_login(leader_of(group))

    content = client.get(dashboard_url(group)).content.decode()

    assert "Your application is a draft" in content
    assert reverse("groups:apply_step", kwargs={"slug": group.slug, "step": "meetings"}) in content


def test_dashboard_shows_an_open_leave_request(client):
    group = group_in_good_standing()
    LeaveRequest.objects.create(group=group, requested_by=leader_of(group), reason="Merging.")
    client.force_login(leader_of(group))

    content = client.get(dashboard_url(group)).content.decode()

    assert "Request to leave the program" in content
    assert "The request is open until the program team processes it" in content


def test_dashboard_links_to_the_group_s_other_pages(client):
    group = group_in_good_standing()
    client.force_login(leader_of(group))

    content = client.get(dashboard_url(group)).content.decode()

    for name in (
        "groups:status",
        "groups:edit",
        "groups:leave",
        "meetings:list",
        "meetings:add",
        "meetings:import",
        "leaders:people",
    ):
        assert reverse(name, kwargs={"slug": group.slug}) in content


def test_dashboard_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    group = group_in_good_standing()
    client.force_login(leader_of(group))
    few = query_count(lambda: client.get(dashboard_url(group)))
    now = timezone.now()
    for days in range(3, 360, 9):
        MeetingFactory(group=group, starts_at=now - timedelta(days=days))
    LeaveRequest.objects.create(group=group, requested_by=leader_of(group), reason="Merging.")
    for _ in range(3):
        LeadershipFactory(group=group, ended_at=now, end_reason="stepped_down")

    with django_assert_num_queries(few):
        response = client.get(dashboard_url(group))

    assert response.context["dashboard"].azure_meeting_count == 40
    # session, user, group, rules version, facts (3), reach, latest review, leave request,
    # rules accepted, role, open follow-up, and the layout's menu
    assert few == 14


def test_dashboard_shows_the_people_reached_in_12_months(client):
    group = group_in_good_standing()
    client.force_login(leader_of(group))
    now = timezone.now()
    MeetingFactory(group=group, starts_at=now - timedelta(days=20), attendee_count=30)
    MeetingFactory(group=group, starts_at=now - timedelta(days=50), attendee_count=12)
    MeetingFactory(  # cancelled: reached nobody
        group=group,
        starts_at=now - timedelta(days=60),
        attendee_count=99,
        cancelled_at=now - timedelta(days=61),
        cancelled_by="leader",
    )
    MeetingFactory(group=group, starts_at=now - timedelta(days=400), attendee_count=500)

    response = client.get(dashboard_url(group))

    reach = response.context["dashboard"].reach
    assert (reach.people, reach.meetings_with_count) == (42, 2)
    content = response.content.decode()
    assert "People reached in the last 12 months:" in content
    assert f"42, from the attendee counts of 2 meetings of the {reach.meetings_held} held." in (
        " ".join(content.split())
    )


def test_dashboard_says_when_no_attendee_counts_were_given(client):
    group = group_in_good_standing()
    client.force_login(leader_of(group))

    content = " ".join(client.get(dashboard_url(group)).content.decode().split())

    assert "no attendee counts yet. Add how many came to each meeting you held." in content
