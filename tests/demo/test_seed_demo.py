from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from demo.builders.context import DEMO_PASSWORD
from groups.models import Group
from leaders.models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    ProgramRules,
    RulesAcceptance,
    User,
)
from meetings.models import Meeting
from membership.models import LeaveRequest, Review
from membership.selectors import checklist_for
from program.models import ContentItem, NewsItem, QuarterlyCall
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed("--groups", "30", "--seed", "3")


class Rollback(Exception):
    pass


def seed_and_roll_back(*args: str) -> tuple[list[str], int]:
    """Seed inside a savepoint and undo it: the group names and the queries it took."""
    names: list[str] = []
    reset_queries()  # the log keeps 9,000 queries: earlier seeds must not crowd these out
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        seed(*args)
        names = list(Group.objects.order_by("pk").values_list("name", flat=True))
        raise Rollback
    return names, len(queries)


def test_groups_are_created_in_every_status(seeded):
    statuses = set(Group.objects.values_list("status", flat=True))

    assert statuses == set(Group.Status.values)
    assert Group.objects.count() == 30


def test_admitted_groups_have_admission_dates_and_some_are_due_for_review(seeded):
    admitted = Group.objects.admitted()
    today = timezone.localdate()

    assert not admitted.filter(admitted_at__isnull=True).exists()
    assert admitted.filter(next_review_due__lt=today).exists()
    assert admitted.filter(next_review_due__gte=today).exists()
    assert not Group.objects.exclude(status=Group.Status.DRAFT).filter(submitted_at=None).exists()


def test_most_groups_have_a_leader_and_a_co_leader_and_some_lack_one(seeded):
    active = Leadership.objects.active()
    with_leader = set(active.filter(role="leader").values_list("group", flat=True))
    with_co_leader = set(active.filter(role="co_leader").values_list("group", flat=True))
    in_program = set(Group.objects.exclude(status="left").values_list("pk", flat=True))

    assert with_leader == in_program
    assert len(with_co_leader) > len(in_program) / 2
    assert in_program - with_co_leader
    assert Leadership.objects.filter(ended_at__isnull=False).exists()


def test_groups_that_left_have_only_ended_leaderships(seeded):
    left = Group.objects.filter(status="left")

    assert Leadership.objects.filter(group__in=left).exists()
    assert not Leadership.objects.active().filter(group__in=left).exists()


def test_some_group_leaves_the_code_of_conduct_empty(seeded):
    assert Group.objects.filter(code_of_conduct_url="").exists()
    assert Group.objects.exclude(code_of_conduct_url="").exists()


def test_meetings_are_free_and_charges_say_what_they_cover(seeded):
    meetings = Meeting.objects.all()

    assert meetings.count() > 200
    assert not meetings.exclude(entry_fee=0).exists()
    assert meetings.filter(cost_recovery_charge__gt=0).exists()
    assert not meetings.filter(cost_recovery_charge__gt=0, cost_recovery_reason="").exists()
    assert meetings.exclude(external_uid="").exists()
    assert set(meetings.values_list("format", flat=True)) == set(Meeting.Format.values)
    assert meetings.filter(starts_at__gt=timezone.now()).exists()


def test_some_admitted_groups_hold_fewer_than_six_azure_meetings_a_year(seeded):
    year_ago = timezone.now() - timedelta(days=365)
    counts = [
        group.meetings.counted().filter(starts_at__gte=year_ago).count()
        for group in Group.objects.admitted()
    ]

    assert any(count < 6 for count in counts)
    assert any(count >= 6 for count in counts)


def test_past_calls_have_recordings_and_upcoming_calls_have_agendas(seeded):
    now = timezone.now()
    past = QuarterlyCall.objects.filter(starts_at__lt=now)
    upcoming = QuarterlyCall.objects.filter(starts_at__gte=now)

    assert past.exists()
    assert upcoming.exists()
    assert not past.filter(recording_url="").exists()
    assert not past.filter(slides_url="").exists()
    assert not upcoming.filter(agenda="").exists()
    assert not upcoming.filter(join_url="").exists()


def test_content_covers_every_kind_with_early_access_and_drafts(seeded):
    items = ContentItem.objects.all()

    assert set(items.values_list("kind", flat=True)) == set(ContentItem.Kind.values)
    assert items.filter(is_published=True, early_access_until__gt=timezone.now()).exists()
    assert items.filter(is_published=False).exists()


def test_news_is_published_in_the_past_except_one_draft(seeded):
    assert NewsItem.objects.published().count() == NewsItem.objects.count() - 1
    assert NewsItem.objects.filter(published_at=None).count() == 1


def test_open_requests_and_one_pending_invitation_exist(seeded):
    invitation = CoLeaderInvitation.objects.get(status="pending")

    assert invitation.expires_at > invitation.created_at
    assert LeaveRequest.objects.filter(status="open").exists()
    assert LeadershipChangeRequest.objects.filter(status="open").exists()
    assert Review.objects.exists()


def test_staff_account_is_in_the_program_team_and_not_superuser(seeded):
    staff = User.objects.get(email="staff@example.org")

    assert staff.is_staff
    assert not staff.is_superuser
    assert list(staff.groups.values_list("name", flat=True)) == ["Program team"]
    assert User.objects.get(email="admin@example.org").is_superuser


def test_demo_accounts_can_sign_in_with_the_demo_password(seeded, client):
    assert client.login(username="leader@example.org", password=DEMO_PASSWORD)
    assert not EmailAddress.objects.filter(verified=False).exists()
    assert EmailAddress.objects.filter(primary=True).count() == User.objects.count()


def test_most_but_not_all_leaders_have_a_tech_community_id(seeded):
    leaders = User.objects.filter(leaderships__isnull=False).distinct()

    assert leaders.filter(tech_community_id__isnull=False).count() > leaders.count() / 2
    assert leaders.filter(tech_community_id__isnull=True).exists()


def test_one_contact_has_not_accepted_the_current_rules(seeded):
    rules = ProgramRules.objects.current()
    contacts = User.objects.filter(
        leaderships__ended_at__isnull=True, leaderships__group__status="admitted"
    ).distinct()
    accepted = RulesAcceptance.objects.filter(rules=rules).values("user")

    assert rules is not None and rules.version == 1
    assert list(contacts.exclude(pk__in=accepted).values_list("email", flat=True)) == [
        "newleader@example.org"
    ]


def test_the_featured_group_meets_every_requirement(seeded):
    leader = User.objects.get(email="leader@example.org")
    group = Group.objects.get(leaderships__user=leader)

    assert checklist_for(group, now=timezone.now()).all_met


def test_seeded_rows_pass_model_validation():
    seed("--groups", "12", "--seed", "5")

    for group in Group.objects.all():
        group.full_clean()
    for model in (Meeting, Leadership, QuarterlyCall, ContentItem, NewsItem):
        for row in model.objects.all():
            row.full_clean()


def test_the_same_seed_gives_the_same_groups():
    first, _queries = seed_and_roll_back("--groups", "25", "--seed", "11")
    second, _queries = seed_and_roll_back("--groups", "25", "--seed", "11")
    other, _queries = seed_and_roll_back("--groups", "25", "--seed", "12")

    assert len(first) == 25
    assert first == second
    assert first != other


def test_if_empty_does_nothing_when_groups_exist():
    GroupFactory()

    output = seed("--if-empty")

    assert "did nothing" in output
    assert Group.objects.count() == 1
    assert not User.objects.exists()


def test_without_if_empty_it_refuses_to_seed_a_database_with_groups():
    GroupFactory()

    with pytest.raises(CommandError, match="already has groups"):
        seed()


def test_if_empty_seeds_an_empty_database():
    seed("--if-empty", "--groups", "10")

    assert Group.objects.count() == 10


def test_too_few_groups_is_an_error():
    with pytest.raises(CommandError, match="at least"):
        seed("--groups", "3")


def test_the_number_of_queries_does_not_grow_with_the_number_of_groups(
    django_assert_max_num_queries,
):
    _names, small = seed_and_roll_back("--groups", "50")
    _names, large = seed_and_roll_back("--groups", "300")

    # Only the batches of 2,000 rows grow; 300 groups write about 3,000 meetings (2 batches).
    assert large <= small + 3
    reset_queries()
    with django_assert_max_num_queries(small + 3):
        seed("--groups", "300")
