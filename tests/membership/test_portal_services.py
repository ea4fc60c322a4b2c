"""The services and reads behind the leaders' group pages: applying, editing, leaving, the chart."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership, RulesAcceptance
from leaders.rules import user_accepted_current_rules
from membership.charts import monthly_bar_chart
from membership.models import LeaveRequest, Review
from membership.selectors import (
    MonthCount,
    application_next_step,
    application_timeline,
    group_dashboard,
    meetings_per_month,
)
from membership.services import (
    LEADER_EDITABLE_FIELDS,
    application_rules_confirm,
    group_create_draft,
    group_submit,
    group_update_by_leader,
    leave_request_create,
    review_decide,
    unique_group_slug,
)
from tests.builders import draft_group, leader_of, led_group
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    ProgramRulesFactory,
    RulesAcceptanceFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = Group.Status
LEADER = Leadership.Role.LEADER
CO_LEADER = Leadership.Role.CO_LEADER

DRAFT_DATA = {
    "name": "Malmö .NET & Azure User Group",
    "city": "Malmö",
    "country": "SE",
    "timezone": "Europe/Stockholm",
    "languages": ["sv", "en"],
    "description": "Talks and labs about Azure.",
}


# group_create_draft


def test_a_new_application_is_a_draft_led_by_the_applicant():
    applicant = UserFactory()

    group = group_create_draft(by=applicant, data=DRAFT_DATA)

    assert group.status == Status.DRAFT
    assert group.slug == "malmo-net-azure-user-group"
    assert group.home_page_url == ""
    assert group.languages == ["sv", "en"]
    assert leader_of(group) == applicant


def test_a_new_application_is_recorded_in_the_audit_trail():
    applicant = UserFactory()

    group = group_create_draft(by=applicant, data=DRAFT_DATA)

    entry = AuditEntry.objects.get(group=group, action=AuditEntry.Action.GROUP_EDIT)
    assert entry.actor == applicant
    assert entry.summary == "Application started: Malmö .NET & Azure User Group"
    assert entry.changes["city"] == {"before": "", "after": "Malmö"}
    assert AuditEntry.objects.filter(
        group=group, action=AuditEntry.Action.LEADERSHIP_CHANGE
    ).exists()


def test_a_second_group_with_the_same_name_gets_a_numbered_slug():
    group_create_draft(by=UserFactory(), data=DRAFT_DATA)

    second = group_create_draft(by=UserFactory(), data=DRAFT_DATA)
    third = group_create_draft(by=UserFactory(), data=DRAFT_DATA)

    assert second.slug == "malmo-net-azure-user-group-2"
    assert third.slug == "malmo-net-azure-user-group-3"


def test_a_slug_never_takes_the_address_of_a_page():
    assert unique_group_slug("Apply") == "apply-2"
    assert unique_group_slug("Code of conduct example") == "code-of-conduct-example-2"


def test_a_name_without_letters_still_gets_a_slug():
    assert unique_group_slug("!!!") == "group"


def test_a_new_application_refuses_fields_a_leader_may_not_set():
    with pytest.raises(ValueError, match="status"):
        group_create_draft(by=UserFactory(), data={**DRAFT_DATA, "status": Status.ADMITTED})

    assert not Group.objects.exists()


def test_a_new_application_with_an_unknown_time_zone_is_refused_and_nothing_is_saved():
    with pytest.raises(ValidationError) as error:
        group_create_draft(by=UserFactory(), data={**DRAFT_DATA, "timezone": "Mars/Olympus"})

    assert "timezone" in error.value.message_dict
    assert not Group.objects.exists()
    assert not Leadership.objects.exists()


# group_update_by_leader


def test_a_leader_edit_is_recorded_with_before_and_after():
    group = led_group(admitted=True, city="Lund")
    leader = leader_of(group)

    changes = group_update_by_leader(group=group, by=leader, data={"city": "Malmö"})

    assert changes == {"city": {"before": "Lund", "after": "Malmö"}}
    entry = AuditEntry.objects.get(group=group, action=AuditEntry.Action.GROUP_EDIT)
    assert entry.actor == leader
    assert entry.changes == changes
    group.refresh_from_db()
    assert group.city == "Malmö"


def test_a_leader_edit_that_changes_nothing_records_nothing():
    group = led_group(city="Lund")

    changes = group_update_by_leader(group=group, by=leader_of(group), data={"city": "Lund"})

    assert changes == {}
    assert not AuditEntry.objects.filter(group=group).exists()


def test_a_draft_without_a_home_page_can_still_change_its_other_details():
    applicant = UserFactory()
    group = group_create_draft(by=applicant, data=DRAFT_DATA)

    changes = group_update_by_leader(group=group, by=applicant, data={"city": "Lund"})

    assert changes == {"city": {"before": "Malmö", "after": "Lund"}}


def test_an_admitted_group_cannot_lose_its_home_page():
    group = led_group(admitted=True)

    with pytest.raises(ValidationError) as error:
        group_update_by_leader(group=group, by=leader_of(group), data={"home_page_url": ""})

    assert "home_page_url" in error.value.message_dict


@pytest.mark.parametrize(
    "field", ["slug", "status", "admitted_at", "next_review_due", "version", "submitted_at"]
)
def test_a_leader_cannot_edit_status_dates_or_the_address(field):
    group = led_group()

    with pytest.raises(ValueError, match=field):
        group_update_by_leader(group=group, by=leader_of(group), data={field: "x"})


def test_leader_editable_fields_are_the_staff_fields_without_the_slug():
    assert "slug" not in LEADER_EDITABLE_FIELDS
    assert {"name", "code_of_conduct_url", "planned_meetings_per_year"} <= set(
        LEADER_EDITABLE_FIELDS
    )


# application_rules_confirm


def test_accepting_the_rules_records_the_version_read():
    rules = ProgramRulesFactory(version=3)
    group = draft_group()
    leader = leader_of(group)

    application_rules_confirm(group=group, by=leader, accept_rules_version=3)

    assert RulesAcceptance.objects.get(user=leader).rules == rules


def test_accepting_rules_that_changed_meanwhile_is_refused():
    ProgramRulesFactory(version=1)
    ProgramRulesFactory(version=2)
    group = draft_group()

    with pytest.raises(ValidationError) as error:
        application_rules_confirm(group=group, by=leader_of(group), accept_rules_version=1)

    assert error.value.message_dict["accept_rules"] == [
        "The program rules changed while you were reading them. Read the new version and accept it."
    ]
    assert not RulesAcceptance.objects.exists()


def test_the_rules_step_invites_the_co_leader_by_e_mail(django_capture_on_commit_callbacks):
    group = GroupFactory(status=Status.DRAFT)
    leader = LeadershipFactory(group=group, role=LEADER).user

    with django_capture_on_commit_callbacks(execute=True):
        application_rules_confirm(
            group=group, by=leader, accept_rules_version=None, co_leader_email="co@example.org"
        )

    invitation = CoLeaderInvitation.objects.get(group=group)
    assert invitation.email == "co@example.org"
    assert invitation.status == CoLeaderInvitation.Status.PENDING
    assert [message.to for message in mail.outbox] == [["co@example.org"]]


def test_inviting_the_leader_as_co_leader_is_refused_beside_the_field():
    group = GroupFactory(status=Status.DRAFT)
    leader = LeadershipFactory(group=group, role=LEADER).user

    with pytest.raises(ValidationError) as error:
        application_rules_confirm(
            group=group, by=leader, accept_rules_version=None, co_leader_email=leader.email
        )

    assert error.value.message_dict == {"co_leader_email": ["This person already leads the group."]}


def test_a_refused_invitation_also_undoes_the_acceptance():
    ProgramRulesFactory(version=1)
    group = draft_group()
    leader = leader_of(group)

    with pytest.raises(ValidationError):
        application_rules_confirm(
            group=group, by=leader, accept_rules_version=1, co_leader_email="x@example.org"
        )

    assert not RulesAcceptance.objects.exists()


def test_the_rules_step_of_a_submitted_application_is_refused():
    group = led_group(status=Status.SUBMITTED)

    with pytest.raises(ValidationError, match="submitted"):
        application_rules_confirm(group=group, by=leader_of(group), accept_rules_version=None)


# leave_request_create


def test_a_leave_request_is_open_with_its_reason_and_audited():
    group = led_group(admitted=True)
    leader = leader_of(group)

    request = leave_request_create(group=group, by=leader, reason="  We are merging.  ")

    assert request.status == LeaveRequest.Status.OPEN
    assert request.reason == "We are merging."
    assert request.requested_by == leader
    entry = AuditEntry.objects.get(group=group, action=AuditEntry.Action.REQUEST)
    assert entry.actor == leader
    assert entry.summary == "Asked to leave the program"


def test_a_second_leave_request_while_one_is_open_is_refused_with_its_date():
    group = led_group(admitted=True)
    leave_request_create(group=group, by=leader_of(group), reason="Merging.")

    with pytest.raises(ValidationError) as error:
        leave_request_create(group=group, by=leader_of(group, role=CO_LEADER), reason="Again.")

    assert "already asked to leave the program on" in error.value.messages[0]
    assert "there is no need to send another" in error.value.messages[0]
    assert LeaveRequest.objects.filter(group=group).count() == 1


def test_a_new_leave_request_is_possible_once_the_last_was_processed():
    group = led_group(admitted=True)
    LeaveRequest.objects.create(
        group=group, requested_by=leader_of(group), reason="Old.", status="withdrawn"
    )

    leave_request_create(group=group, by=leader_of(group), reason="Now for real.")

    assert group.leave_requests.filter(status=LeaveRequest.Status.OPEN).count() == 1


def test_a_leave_request_without_a_reason_is_refused():
    group = led_group(admitted=True)

    with pytest.raises(ValidationError) as error:
        leave_request_create(group=group, by=leader_of(group), reason="   ")

    assert "reason" in error.value.message_dict
    assert not LeaveRequest.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_leave_request_with_an_over_long_reason_is_refused():
    group = led_group(admitted=True)

    with pytest.raises(ValidationError) as error:
        leave_request_create(group=group, by=leader_of(group), reason="x" * 2001)

    assert "reason" in error.value.message_dict
    assert not LeaveRequest.objects.exists()


def test_a_group_that_left_cannot_ask_to_leave_again():
    group = led_group(status=Status.LEFT)

    with pytest.raises(ValidationError, match="already left"):
        leave_request_create(group=group, by=leader_of(group), reason="Bye.")


# Reads: meetings per month, the chart, the next step, the timeline.

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


def test_meetings_are_counted_per_month_of_the_window_with_empty_months_listed():
    starts = [at(2025, 1, 10, 18), at(2025, 1, 24, 18), at(2025, 3, 5, 18)]

    months = meetings_per_month(
        starts, window_start=at(2024, 12, 15), window_end=at(2025, 3, 20), timezone="UTC"
    )

    assert months == [
        MonthCount(date(2024, 12, 1), 0),
        MonthCount(date(2025, 1, 1), 2),
        MonthCount(date(2025, 2, 1), 0),
        MonthCount(date(2025, 3, 1), 1),
    ]


def test_a_meeting_counts_in_the_month_of_the_group_s_time_zone():
    # 23:30 UTC on 31 January is already 1 February in Stockholm.
    start = datetime(2025, 1, 31, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))

    months = meetings_per_month(
        [start],
        window_start=at(2025, 1, 1, 12),
        window_end=at(2025, 2, 20),
        timezone="Europe/Stockholm",
    )

    assert [month.count for month in months] == [0, 1]


def test_the_overview_counts_the_same_meetings_as_the_checklist():
    group = led_group(admitted=True)
    now = timezone.now()
    for days in (10, 40, 70, 400):
        MeetingFactory(group=group, starts_at=now - timedelta(days=days))
    MeetingFactory(group=group, starts_at=now - timedelta(days=20), is_azure_related=False)

    overview = group_dashboard(group, now=now)

    assert overview.azure_meeting_count == 3
    assert overview.azure_result is not None
    assert overview.azure_result.message.startswith("Only 3 Azure-related meetings")
    assert len(overview.months) in {12, 13}


def test_the_chart_draws_bars_in_proportion_with_empty_months_flat():
    chart = monthly_bar_chart(
        [
            MonthCount(date(2025, 1, 1), 0),
            MonthCount(date(2025, 2, 1), 2),
            MonthCount(date(2025, 3, 1), 4),
        ]
    )

    empty, half, full = chart.bars
    assert empty.height == 0
    assert full.height == pytest.approx(2 * half.height, abs=0.2)
    assert full.y + full.height == chart.baseline
    assert [tick.value for tick in chart.ticks] == [0, 1, 2, 3, 4]
    assert empty.shows_year and not half.shows_year


def test_the_chart_has_at_most_five_gridlines():
    chart = monthly_bar_chart([MonthCount(date(2025, 1, 1), 23)])

    assert len(chart.ticks) <= 6
    assert chart.ticks[-1].value >= 23


@pytest.mark.parametrize(
    ("home_page_url", "planned", "accepted", "expected"),
    [
        ("", None, False, "links"),
        ("https://example.org/", None, False, "meetings"),
        ("https://example.org/", 8, False, "rules"),
        ("https://example.org/", 8, True, "review"),
    ],
)
def test_an_application_resumes_at_the_first_step_not_done(
    home_page_url, planned, accepted, expected
):
    group = GroupFactory.build(
        status=Status.DRAFT, home_page_url=home_page_url, planned_meetings_per_year=planned
    )

    assert application_next_step(group, rules_accepted=accepted) == expected


def test_rules_count_as_accepted_when_none_are_published():
    assert user_accepted_current_rules(UserFactory()) is True


def test_rules_count_as_accepted_only_for_the_current_version():
    user = UserFactory()
    RulesAcceptanceFactory(user=user, rules=ProgramRulesFactory(version=1))
    ProgramRulesFactory(version=2)

    assert user_accepted_current_rules(user) is False


def test_the_timeline_shows_submissions_and_decisions_newest_first_without_doubles():
    group = draft_group()
    leader = leader_of(group)
    group_submit(group=group, by=leader)
    group.refresh_from_db()
    review_decide(
        group=group,
        by=StaffFactory(),
        decision=Review.Decision.REQUEST_CHANGES,
        message="Add a code of conduct.",
        expected_version=group.version,
    )
    group.refresh_from_db()
    group_submit(group=group, by=leader)

    timeline = application_timeline(group)

    assert [(event.status_before, event.status_after) for event in timeline] == [
        (Status.CHANGES_REQUESTED, Status.SUBMITTED),
        (Status.SUBMITTED, Status.CHANGES_REQUESTED),
        (Status.DRAFT, Status.SUBMITTED),
    ]
    assert timeline[1].review is not None
    assert timeline[1].review.message == "Add a code of conduct."
    assert timeline[0].actor_name == leader.display_name
