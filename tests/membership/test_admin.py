"""The program team's review in the admin: the group list, the group page and decisions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from leaders.models import Leadership
from membership.models import Review
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

LIST_URL = reverse("admin:groups_group_changelist")


def complete_group(**kwargs):
    """A group that meets every requirement."""
    group = GroupFactory(**kwargs)
    rules = ProgramRulesFactory(version=1)
    for role in Leadership.Role.values:
        leadership = LeadershipFactory(group=group, role=role)
        RulesAcceptanceFactory(user=leadership.user, rules=rules)
    now = timezone.now()
    for month in range(8):
        MeetingFactory(group=group, starts_at=now - timedelta(days=20 + 45 * month))
    return group


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_leader_without_staff_flag_cannot_use_the_admin(client):
    leadership = LeadershipFactory()
    client.force_login(leadership.user)
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_group_list_shows_status_summary_contacts_and_meetings(client, staff):
    group = complete_group(name="Stockholm Azure Meetup")
    response = client.get(LIST_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Stockholm Azure Meetup" in content
    assert "5 of 5 met" in content
    assert "Submitted" in content
    leader = group.leaderships.get(role=Leadership.Role.LEADER).user
    assert leader.email in content


def test_group_list_summary_counts_failing_requirements(client, staff):
    GroupFactory(name="Lonely group", code_of_conduct_url="")
    content = client.get(LIST_URL).content.decode()
    assert "Lonely group" in content
    # no contacts, no code of conduct, no meetings (rules: none published → met)
    assert "2 of 5 met" in content


def test_filter_by_failing_requirement(client, staff):
    complete_group(name="Complete group")
    GroupFactory(name="No conduct group", code_of_conduct_url="")
    response = client.get(LIST_URL, {"failing": "code_of_conduct"})
    content = response.content.decode()
    assert "No conduct group" in content
    assert "Complete group" not in content


def test_filter_by_any_failing_requirement_excludes_complete_groups(client, staff):
    complete_group(name="Complete group")
    GroupFactory(name="Incomplete group")
    content = client.get(LIST_URL, {"failing": "any"}).content.decode()
    assert "Incomplete group" in content
    assert "Complete group" not in content


def test_unknown_failing_filter_value_shows_no_groups_not_an_error(client, staff):
    GroupFactory(name="Some group")
    response = client.get(LIST_URL, {"failing": "nonsense"})
    assert response.status_code == 200
    assert "Some group" not in response.content.decode()


def test_filter_by_status(client, staff):
    GroupFactory(name="Admitted group", admitted=True)
    GroupFactory(name="Submitted group")
    content = client.get(LIST_URL, {"status__exact": "admitted"}).content.decode()
    assert "Admitted group" in content
    assert "Submitted group" not in content


def test_search_by_leader_email(client, staff):
    leadership = LeadershipFactory(user=UserFactory(email="anna@lund.example"))
    GroupFactory(name="Other group")
    content = client.get(LIST_URL, {"q": "anna@lund"}).content.decode()
    assert leadership.group.name in content
    assert "Other group" not in content


def test_search_by_city(client, staff):
    GroupFactory(name="Gothenburg group", city="Göteborg")
    GroupFactory(name="Malmö group", city="Malmö")
    content = client.get(LIST_URL, {"q": "Göteborg"}).content.decode()
    assert "Gothenburg group" in content
    assert "Malmö group" not in content


def test_group_list_query_count_is_the_same_for_1_and_200_groups(client, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    complete_group()
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST_URL).status_code == 200
    for _ in range(199):
        group = GroupFactory()
        LeadershipFactory(group=group)
        MeetingFactory(group=group)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST_URL, {"all": ""})
    assert response.status_code == 200
    assert Group.objects.count() == 200
    assert len(one) == len(many) == 12


def test_group_page_shows_checklist_history_meetings_and_reviews(client, staff):
    group = complete_group()
    Review.objects.create(
        group=group,
        reviewer=staff,
        kind=Review.Kind.APPLICATION,
        decision=Review.Decision.REQUEST_CHANGES,
        message="Please add a code of conduct.",
        status_before="submitted",
        status_after="changes_requested",
    )
    LeadershipFactory(
        group=group,
        user=UserFactory(name="Former Leader"),
        role=Leadership.Role.LEADER,
        started_at=timezone.now() - timedelta(days=900),
        ended_at=timezone.now() - timedelta(days=500),
        end_reason=Leadership.EndReason.STEPPED_DOWN,
    )
    response = client.get(reverse("admin:groups_group_change", args=[group.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "At least 6 Azure-related meetings a year, at regular intervals" in content
    assert "8 Azure-related meetings in the last 12 months" in content
    assert "Leadership history" in content
    assert "Former Leader" in content
    assert "Please add a code of conduct." in content
    assert "Meetup" in content  # recent meetings
    assert "Review and decide" in content


def test_staff_edit_of_a_group_is_audited_with_before_and_after(client, staff):
    group = GroupFactory(city="Lund")
    url = reverse("admin:groups_group_change", args=[group.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["languages"] = ["sv", "en"]
    data["city"] = "Malmö"
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for prefix in ("leaderships", "reviews"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(group=group, action=AuditEntry.Action.GROUP_EDIT)
    assert entry.actor == staff
    assert entry.changes == {"city": {"before": "Lund", "after": "Malmö"}}


@pytest.mark.parametrize("field", ["code_of_conduct_url", "ical_feed_url"])
def test_staff_cannot_set_a_link_into_a_private_network_either(client, staff, field):
    group = GroupFactory(city="Lund")
    url = reverse("admin:groups_group_change", args=[group.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(languages=["sv"], city="Malmö", **{field: "http://169.254.169.254/"})
    for prefix in ("leaderships", "reviews"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert "it is not on the public internet" in errors[0]
    group.refresh_from_db()
    assert group.city == "Lund"


def test_group_status_cannot_be_set_by_posting_it(client, staff):
    group = GroupFactory()
    url = reverse("admin:groups_group_change", args=[group.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["languages"] = ["sv"]
    data["status"] = "admitted"
    for prefix in ("leaderships", "reviews"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    client.post(url, data)
    group.refresh_from_db()
    assert group.status == Group.Status.SUBMITTED


def test_nothing_can_be_deleted_from_the_admin(client, staff):
    group = GroupFactory()
    response = client.get(reverse("admin:groups_group_delete", args=[group.pk]))
    assert response.status_code == 403
    assert Group.objects.filter(pk=group.pk).exists()


def test_audit_trail_is_readable_but_not_editable(client, staff):
    group = complete_group()
    decide(client, group, decision="admit")
    entry = AuditEntry.objects.filter(group=group).first()
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    page = client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert b'type="submit"' not in page.content or b"Save" not in page.content
    post = client.post(
        reverse("admin:core_auditentry_change", args=[entry.pk]), {"summary": "forged"}
    )
    assert post.status_code == 403
    assert client.post(reverse("admin:core_auditentry_delete", args=[entry.pk])).status_code in (
        403,
        404,
    )
    entry.refresh_from_db()
    assert entry.summary != "forged"


def decide(client, group, **data):
    group.refresh_from_db()
    data.setdefault("version", group.version)
    data.setdefault("message", "")
    data.setdefault("override_reason", "")
    return client.post(reverse("admin:groups_group_decide", args=[group.pk]), data)


def test_decision_page_shows_the_checklist_and_the_allowed_decisions(client, staff):
    group = complete_group()
    response = client.get(reverse("admin:groups_group_decide", args=[group.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "5 of 5 met" in content
    assert 'value="admit"' in content
    assert 'value="request_changes"' in content
    assert 'value="keep"' not in content


def test_admitting_a_complete_group_records_and_emails_the_decision(
    client, staff, django_capture_on_commit_callbacks
):
    group = complete_group()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, group, decision="admit", message="Welcome aboard!")
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == Group.Status.ADMITTED
    assert group.admitted_at is not None
    review = Review.objects.get(group=group)
    assert review.reviewer == staff
    assert review.requirements_met == review.requirements_total == 5
    assert {item["code"] for item in review.checklist} >= {"contacts", "azure_meetings"}
    assert AuditEntry.objects.filter(group=group, action="review_decision").exists()
    assert AuditEntry.objects.filter(group=group, action="status_change").exists()
    assert len(mail.outbox) == 2
    assert "Welcome aboard!" in mail.outbox[0].body
    assert group.name in mail.outbox[0].subject


def test_admitting_a_failing_group_asks_for_an_override_reason(client, staff):
    group = GroupFactory(code_of_conduct_url="")
    response = decide(client, group, decision="admit")
    assert response.status_code == 200
    assert "To admit it anyway, give the reason." in response.content.decode()
    group.refresh_from_db()
    assert group.status == Group.Status.SUBMITTED
    assert not Review.objects.exists()


def test_admitting_a_failing_group_with_a_reason_records_the_override(client, staff):
    group = GroupFactory(code_of_conduct_url="")
    response = decide(client, group, decision="admit", override_reason="Conduct page in review")
    assert response.status_code == 302
    review = Review.objects.get(group=group)
    assert review.override_reason == "Conduct page in review"
    assert review.requirements_met < review.requirements_total


def test_request_changes_needs_a_message(client, staff):
    group = GroupFactory()
    response = decide(client, group, decision="request_changes")
    assert response.status_code == 200
    assert "Tell the leaders what to change, or why." in response.content.decode()
    assert not Review.objects.exists()


def test_decision_not_allowed_for_the_status_is_refused_with_a_message(client, staff):
    group = GroupFactory(admitted=True)
    response = decide(client, group, decision="decline", message="No")
    assert response.status_code == 200
    assert not Review.objects.exists()


def test_second_decider_with_a_stale_page_must_decide_again(client, staff):
    group = GroupFactory()
    stale_version = group.version
    first = decide(client, group, decision="request_changes", message="Add a co-leader.")
    assert first.status_code == 302
    second = decide(client, group, decision="decline", message="Not a fit.", version=stale_version)
    assert second.status_code == 302
    assert second["Location"].endswith(f"/{group.pk}/decide/")
    group.refresh_from_db()
    assert group.status == Group.Status.CHANGES_REQUESTED
    assert Review.objects.filter(group=group).count() == 1


def test_decide_needs_the_review_permission(client):
    user = StaffFactory()
    client.force_login(user)
    group = GroupFactory()
    response = client.get(reverse("admin:groups_group_decide", args=[group.pk]))
    assert response.status_code == 403


def test_decide_on_a_missing_group_is_404(client, staff):
    assert client.get(reverse("admin:groups_group_decide", args=[999999])).status_code == 404


def test_bulk_request_changes_gives_every_group_its_record_audit_and_email(
    client, staff, django_capture_on_commit_callbacks
):
    groups = [GroupFactory() for _ in range(3)]
    for group in groups:
        LeadershipFactory(group=group)
    ids = [str(g.pk) for g in groups]
    confirm = client.post(LIST_URL, {"action": "request_changes_selected", "_selected_action": ids})
    assert confirm.status_code == 200
    assert "Each gets its own review record" in confirm.content.decode()
    data = {
        "action": "request_changes_selected",
        "_selected_action": ids,
        "apply": "1",
        "message": "Please add your meetings.",
        "override_reason": "",
        **{f"version_{g.pk}": str(g.version) for g in groups},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST_URL, data)
    assert response.status_code == 302
    for group in groups:
        group.refresh_from_db()
        assert group.status == Group.Status.CHANGES_REQUESTED
        assert Review.objects.filter(group=group, decision="request_changes").count() == 1
        assert AuditEntry.objects.filter(group=group, action="review_decision").count() == 1
    assert len(mail.outbox) == 3


def test_bulk_decision_skips_a_group_that_changed_meanwhile(client, staff):
    fresh, changed = GroupFactory(), GroupFactory()
    stale = changed.version
    decide(client, changed, decision="request_changes", message="First")
    data = {
        "action": "decline_selected",
        "_selected_action": [str(fresh.pk), str(changed.pk)],
        "apply": "1",
        "message": "Not a fit.",
        "override_reason": "",
        f"version_{fresh.pk}": str(fresh.version),
        f"version_{changed.pk}": str(stale),
    }
    client.post(LIST_URL, data)
    fresh.refresh_from_db()
    changed.refresh_from_db()
    assert fresh.status == Group.Status.DECLINED
    assert changed.status == Group.Status.CHANGES_REQUESTED


def test_bulk_admit_of_failing_groups_without_reason_admits_none(client, staff):
    groups = [GroupFactory(code_of_conduct_url="") for _ in range(2)]
    data = {
        "action": "admit_selected",
        "_selected_action": [str(g.pk) for g in groups],
        "apply": "1",
        "message": "",
        "override_reason": "",
        **{f"version_{g.pk}": str(g.version) for g in groups},
    }
    client.post(LIST_URL, data)
    assert not Group.objects.filter(status=Group.Status.ADMITTED).exists()
    assert not Review.objects.exists()
