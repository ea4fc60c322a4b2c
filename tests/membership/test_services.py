"""The program team's decisions on groups, submissions and edits, and what each one records."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone, translation

from core.models import AuditEntry
from groups.models import Group
from leaders.models import Leadership
from membership.models import Review
from membership.services import GroupChangedError, group_submit, group_update, review_decide
from tests.builders import leader_of
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    MeetingFactory,
    ProgramRulesFactory,
    RulesAcceptanceFactory,
    StaffFactory,
    UserFactory,
)

Status = Group.Status
Decision = Review.Decision
STATUS_CHANGE = AuditEntry.Action.STATUS_CHANGE
REVIEW_DECISION = AuditEntry.Action.REVIEW_DECISION

#: Six Azure meetings two months apart: enough, and never more than 122 days without one.
MEETING_DAYS_AGO = [15, 75, 135, 195, 255, 315]


def passing_group(**kwargs) -> Group:
    """A submitted group that meets every requirement of the checklist."""
    rules = ProgramRulesFactory()
    group = GroupFactory(status=Status.SUBMITTED, **kwargs)
    for role in (Leadership.Role.LEADER, Leadership.Role.CO_LEADER):
        leadership = LeadershipFactory(group=group, role=role)
        RulesAcceptanceFactory(user=leadership.user, rules=rules)
    now = timezone.now()
    for days in MEETING_DAYS_AGO:
        MeetingFactory(group=group, starts_at=now - timedelta(days=days))
    return group


def failing_group(**kwargs) -> Group:
    """A submitted group with no contacts, no code of conduct and no meetings."""
    return GroupFactory(status=Status.SUBMITTED, code_of_conduct_url="", **kwargs)


def decide(group: Group, decision: str, **kwargs) -> Review:
    kwargs.setdefault("by", StaffFactory())
    kwargs.setdefault("expected_version", group.version)
    return review_decide(group=group, decision=decision, **kwargs)


def admit_with_mail(group: Group, django_capture_on_commit_callbacks) -> Review:
    with django_capture_on_commit_callbacks(execute=True):
        return decide(group, Decision.ADMIT)


def mail_to(user) -> mail.EmailMultiAlternatives:
    (message,) = [message for message in mail.outbox if message.to == [user.email]]
    return message


def html_of(message: mail.EmailMultiAlternatives) -> str:
    (content, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return content


# review_decide: admitting a group that meets every requirement.


@pytest.mark.django_db
def test_passing_group_fixture_meets_every_requirement():
    review = decide(passing_group(), Decision.ADMIT)

    assert [item["outcome"] for item in review.checklist] == ["pass"] * 5


@pytest.mark.django_db
def test_admitting_a_passing_group_admits_it():
    group = passing_group()

    decide(group, Decision.ADMIT)

    group.refresh_from_db()
    assert group.status == Status.ADMITTED


@pytest.mark.django_db
def test_admission_stamps_the_admission_date():
    group = passing_group()
    now = timezone.now()

    decide(group, Decision.ADMIT, now=now)

    group.refresh_from_db()
    assert group.admitted_at == now
    assert group.status_changed_at == now


@pytest.mark.django_db
def test_admission_sets_the_next_review_one_interval_from_today(settings):
    settings.TECHGROUPS_REVIEW_INTERVAL_DAYS = 90
    group = passing_group()

    decide(group, Decision.ADMIT)

    group.refresh_from_db()
    assert group.next_review_due == timezone.localdate() + timedelta(days=90)


@pytest.mark.django_db
def test_decision_bumps_the_group_version():
    group = passing_group()
    version = group.version

    decide(group, Decision.ADMIT)

    assert Group.objects.get(pk=group.pk).version == version + 1


@pytest.mark.django_db
def test_decision_refreshes_the_callers_group():
    group = passing_group()

    decide(group, Decision.ADMIT)

    assert group.status == Status.ADMITTED


@pytest.mark.django_db
def test_admission_writes_a_review_with_the_checklist_snapshot():
    group = passing_group()
    staff = StaffFactory()

    review = decide(group, Decision.ADMIT, by=staff)

    stored = Review.objects.get(group=group)
    assert stored == review
    assert stored.reviewer == staff
    assert stored.kind == Review.Kind.APPLICATION
    assert stored.decision == Decision.ADMIT
    assert (stored.status_before, stored.status_after) == (Status.SUBMITTED, Status.ADMITTED)
    assert [item["code"] for item in stored.checklist] == [
        "contacts",
        "code_of_conduct",
        "free_attendance",
        "azure_meetings",
        "program_rules",
    ]
    assert all(
        set(item) == {"code", "title", "outcome", "message", "checks"} for item in stored.checklist
    )
    assert all(item["checks"] for item in stored.checklist)
    assert all(item["title"] and item["message"] for item in stored.checklist)


@pytest.mark.django_db
def test_review_counts_the_requirements_met():
    review = decide(passing_group(), Decision.ADMIT)

    assert (review.requirements_met, review.requirements_total) == (5, 5)


@pytest.mark.django_db
def test_admission_records_the_status_change_with_actor_and_before_after():
    group = passing_group()
    staff = StaffFactory()

    decide(group, Decision.ADMIT, by=staff)

    entry = AuditEntry.objects.get(group=group, action=STATUS_CHANGE)
    assert entry.actor == staff
    assert entry.actor_is_staff
    assert entry.changes == {"status": {"before": "submitted", "after": "admitted"}}


@pytest.mark.django_db
def test_admission_records_the_decision_with_actor_and_before_after():
    group = passing_group()
    staff = StaffFactory()

    decide(group, Decision.ADMIT, by=staff, message="Welcome!")

    entry = AuditEntry.objects.get(group=group, action=REVIEW_DECISION)
    assert entry.actor == staff
    assert entry.changes == {
        "decision": {"before": "", "after": "admit"},
        "message": {"before": "", "after": "Welcome!"},
        "override_reason": {"before": "", "after": ""},
    }
    assert "5 of 5 met" in entry.summary


# review_decide: the e-mail to the leaders.


@pytest.mark.django_db
def test_no_decision_email_is_sent_before_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review = decide(passing_group(), Decision.ADMIT)

    assert len(callbacks) == 2  # one nudge per leader's outbox row
    assert mail.outbox == []
    assert set(review.group.outbox_emails.values_list("status", flat=True)) == {"pending"}


@pytest.mark.django_db
def test_admission_emails_the_active_leader_and_co_leader(django_capture_on_commit_callbacks):
    group = passing_group()
    LeadershipFactory(
        group=group,
        role=Leadership.Role.LEADER,
        ended_at=timezone.now() - timedelta(days=1),
        user=UserFactory(email="former@example.org"),
    )

    admit_with_mail(group, django_capture_on_commit_callbacks)

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(
        [leader_of(group).email, leader_of(group, role=Leadership.Role.CO_LEADER).email]
    )


@pytest.mark.django_db
def test_decision_email_has_a_text_and_an_html_part(django_capture_on_commit_callbacks):
    group = passing_group()

    admit_with_mail(group, django_capture_on_commit_callbacks)

    message = mail_to(leader_of(group))
    assert "Decision: Admit" in message.body
    assert "Decision: Admit." in html_of(message)


@pytest.mark.django_db
def test_decision_email_names_the_group_and_the_decision(django_capture_on_commit_callbacks):
    group = passing_group(name="Azure User Group Malmö")

    admit_with_mail(group, django_capture_on_commit_callbacks)

    message = mail_to(leader_of(group))
    assert (
        message.subject
        == "[Tech Groups] Azure User Group Malmö is admitted to the Tech Groups program"
    )
    assert "Azure User Group Malmö" in message.body
    assert "Decision: Admit." in message.body


@pytest.mark.django_db
def test_decision_email_subject_keeps_an_ampersand_in_the_group_name(
    django_capture_on_commit_callbacks,
):
    group = passing_group(name="Cloud & AI Stockholm")

    admit_with_mail(group, django_capture_on_commit_callbacks)

    assert mail_to(leader_of(group)).subject.startswith("[Tech Groups] Cloud & AI Stockholm ")


@pytest.mark.django_db
def test_decision_email_carries_the_team_message(django_capture_on_commit_callbacks):
    group = passing_group()

    with django_capture_on_commit_callbacks(execute=True):
        decide(group, Decision.REQUEST_CHANGES, message="Please add a co-leader.")

    message = mail_to(leader_of(group))
    assert "Changes requested for" in message.subject
    assert "Please add a co-leader." in message.body


@pytest.mark.django_db
def test_decision_email_dates_follow_the_recipients_language(django_capture_on_commit_callbacks):
    group = passing_group()
    swede = leader_of(group)
    swede.preferred_language = "sv"
    swede.save()

    review = admit_with_mail(group, django_capture_on_commit_callbacks)

    with translation.override("sv"):
        swedish_date = formats.date_format(timezone.localtime(review.decided_at), "DATE_FORMAT")
    assert swedish_date in mail_to(swede).body


@pytest.mark.django_db
def test_decision_email_to_a_swedish_speaking_leader_is_written_in_swedish(
    django_capture_on_commit_callbacks,
):
    group = passing_group()
    swede = leader_of(group)
    swede.preferred_language = "sv"
    swede.save()

    admit_with_mail(group, django_capture_on_commit_callbacks)

    swedish, english = mail_to(swede), mail_to(leader_of(group, role=Leadership.Role.CO_LEADER))
    assert "has reviewed" in english.body
    assert "has reviewed" not in swedish.body
    assert swedish.subject != english.subject


@pytest.mark.django_db
def test_html_decision_email_declares_the_recipients_language(
    django_capture_on_commit_callbacks,
):
    group = passing_group()
    swede = leader_of(group)
    swede.preferred_language = "sv"
    swede.save()

    admit_with_mail(group, django_capture_on_commit_callbacks)

    assert '<html lang="sv">' in html_of(mail_to(swede))
    assert '<html lang="en">' in html_of(mail_to(leader_of(group, role=Leadership.Role.CO_LEADER)))


# review_decide: admitting a group that fails a requirement.


@pytest.mark.django_db
def test_admitting_a_failing_group_without_a_reason_is_refused_on_the_reason():
    group = failing_group()

    with pytest.raises(ValidationError) as caught:
        decide(group, Decision.ADMIT)

    assert list(caught.value.message_dict) == ["override_reason"]
    assert "A code of conduct" in caught.value.message_dict["override_reason"][0]


@pytest.mark.django_db
def test_refused_admission_writes_nothing():
    group = failing_group()
    version = group.version

    with pytest.raises(ValidationError):
        decide(group, Decision.ADMIT, override_reason="   ")

    group.refresh_from_db()
    assert (group.status, group.version, group.admitted_at) == (Status.SUBMITTED, version, None)
    assert not Review.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_admitting_a_failing_group_with_a_reason_admits_it():
    group = failing_group()

    decide(group, Decision.ADMIT, override_reason="Contacts named by phone; CoC in review.")

    group.refresh_from_db()
    assert group.status == Status.ADMITTED
    assert group.admitted_at is not None


@pytest.mark.django_db
def test_admission_despite_failures_records_the_reason():
    group = failing_group()

    review = decide(group, Decision.ADMIT, override_reason="  Long-standing partner group.  ")

    assert review.override_reason == "Long-standing partner group."
    assert review.requirements_met < review.requirements_total
    entry = AuditEntry.objects.get(group=group, action=REVIEW_DECISION)
    assert entry.changes["override_reason"]["after"] == "Long-standing partner group."


@pytest.mark.django_db
def test_override_reason_is_dropped_when_the_decision_does_not_admit():
    group = failing_group()

    review = decide(group, Decision.DECLINE, message="Not a user group.", override_reason="x")

    assert review.override_reason == ""


# review_decide: the other decisions.


@pytest.mark.django_db
def test_requesting_changes_needs_a_message():
    group = failing_group()

    with pytest.raises(ValidationError) as caught:
        decide(group, Decision.REQUEST_CHANGES, message="  ")

    assert list(caught.value.message_dict) == ["message"]
    assert Group.objects.get(pk=group.pk).status == Status.SUBMITTED


@pytest.mark.django_db
def test_requesting_changes_moves_the_group_to_changes_requested():
    group = failing_group()

    review = decide(group, Decision.REQUEST_CHANGES, message="Add a code of conduct.")

    group.refresh_from_db()
    assert group.status == Status.CHANGES_REQUESTED
    assert group.next_review_due is None
    assert review.message == "Add a code of conduct."


@pytest.mark.django_db
def test_declining_a_submitted_group_declines_it():
    group = failing_group()

    decide(group, Decision.DECLINE, message="Not about the vendor's cloud.")

    assert Group.objects.get(pk=group.pk).status == Status.DECLINED


@pytest.mark.django_db
def test_declining_a_group_with_changes_requested_declines_it():
    group = failing_group()
    decide(group, Decision.REQUEST_CHANGES, message="Add a code of conduct.")

    decide(group, Decision.DECLINE, message="No answer for months.")

    assert Group.objects.get(pk=group.pk).status == Status.DECLINED


@pytest.mark.django_db
def test_declining_needs_a_message():
    with pytest.raises(ValidationError) as caught:
        decide(failing_group(), Decision.DECLINE)

    assert "message" in caught.value.message_dict


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        (Status.SUBMITTED, Decision.KEEP),
        (Status.SUBMITTED, Decision.INACTIVATE),
        (Status.DRAFT, Decision.ADMIT),
        (Status.DECLINED, Decision.ADMIT),
        (Status.CHANGES_REQUESTED, Decision.REQUEST_CHANGES),
        (Status.LEFT, Decision.ADMIT),
    ],
)
@pytest.mark.django_db
def test_decision_not_allowed_in_the_current_status_is_refused(status, decision):
    group = GroupFactory(status=status)

    with pytest.raises(ValidationError) as caught:
        decide(group, decision, message="Because.", override_reason="Because.")

    assert list(caught.value.message_dict) == ["decision"]
    assert Group.objects.get(pk=group.pk).status == status
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_unknown_decision_is_refused_with_a_validation_error():
    with pytest.raises(ValidationError):
        decide(passing_group(), "promote", message="Because.")


@pytest.mark.django_db
def test_periodic_review_keeps_an_admitted_group_and_moves_its_review_date():
    group = GroupFactory(admitted=True, next_review_due=timezone.localdate())

    review = decide(group, Decision.KEEP, override_reason="ignored")

    group.refresh_from_db()
    assert review.kind == Review.Kind.PERIODIC
    assert group.status == Status.ADMITTED
    assert group.next_review_due > timezone.localdate()
    assert not AuditEntry.objects.filter(group=group, action=STATUS_CHANGE).exists()


# review_decide: nobody decides on a group that changed under them.


@pytest.mark.django_db
def test_stale_expected_version_raises_group_changed_error():
    group = passing_group()

    with pytest.raises(GroupChangedError):
        decide(group, Decision.ADMIT, expected_version=group.version - 1)


@pytest.mark.django_db
def test_stale_decision_writes_nothing():
    group = passing_group()
    version = group.version

    with pytest.raises(GroupChangedError):
        decide(group, Decision.ADMIT, expected_version=version + 1)

    group.refresh_from_db()
    assert (group.status, group.version) == (Status.SUBMITTED, version)
    assert not Review.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_second_decision_on_the_same_version_loses():
    group = passing_group()
    seen = group.version
    decide(group, Decision.ADMIT, expected_version=seen)

    with pytest.raises(GroupChangedError):
        decide(group, Decision.DECLINE, message="Too late.", expected_version=seen)

    group.refresh_from_db()
    assert group.status == Status.ADMITTED
    assert list(Review.objects.values_list("decision", flat=True)) == [Decision.ADMIT]


@pytest.mark.django_db
def test_group_changed_error_says_what_the_group_is_now():
    group = passing_group()
    seen = group.version
    decide(group, Decision.ADMIT, expected_version=seen)

    with pytest.raises(GroupChangedError) as caught:
        decide(group, Decision.DECLINE, message="Too late.", expected_version=seen)

    assert caught.value.group.status == Status.ADMITTED
    assert "Admitted" in str(caught.value)


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_on_the_same_version_let_only_the_first_win():
    group = passing_group()
    first_staff, second_staff = StaffFactory(), StaffFactory()
    seen = group.version
    first_decided, release_first = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first_decider() -> None:
        try:
            with transaction.atomic():
                review_decide(
                    group=Group.objects.get(pk=group.pk),
                    by=first_staff,
                    decision=Decision.ADMIT,
                    expected_version=seen,
                )
                first_decided.set()
                release_first.wait(timeout=10)
        finally:
            connection.close()

    def second_decider() -> None:
        try:
            review_decide(
                group=Group.objects.get(pk=group.pk),
                by=second_staff,
                decision=Decision.DECLINE,
                message="Not now.",
                expected_version=seen,
            )
            outcome["second"] = "decided"
        except GroupChangedError:
            outcome["second"] = "refused"
        finally:
            connection.close()

    first = threading.Thread(target=first_decider)
    first.start()
    assert first_decided.wait(timeout=10)
    second = threading.Thread(target=second_decider)
    second.start()
    time.sleep(0.5)  # let the second decider block on the first one's row lock
    release_first.set()
    first.join(timeout=10)
    second.join(timeout=10)

    group.refresh_from_db()
    assert outcome == {"second": "refused"}
    assert group.status == Status.ADMITTED
    assert list(Review.objects.values_list("reviewer", flat=True)) == [first_staff.pk]


# group_submit.


@pytest.mark.django_db
def test_submitting_a_draft_submits_it():
    group = GroupFactory(status=Status.DRAFT, submitted_at=None)
    now = timezone.now()

    group_submit(group=group, by=UserFactory(), now=now)

    group.refresh_from_db()
    assert (group.status, group.submitted_at) == (Status.SUBMITTED, now)


@pytest.mark.django_db
def test_submitting_records_the_status_change():
    group = GroupFactory(status=Status.DRAFT, submitted_at=None)
    leader = UserFactory()

    group_submit(group=group, by=leader)

    entry = AuditEntry.objects.get(group=group)
    assert entry.action == STATUS_CHANGE
    assert entry.actor == leader
    assert not entry.actor_is_staff
    assert entry.changes == {"status": {"before": "draft", "after": "submitted"}}


@pytest.mark.django_db
def test_submitting_bumps_the_group_version():
    group = GroupFactory(status=Status.DRAFT)
    version = group.version

    group_submit(group=group, by=UserFactory())

    assert group.version == version + 1


@pytest.mark.django_db
def test_resubmitting_after_changes_were_requested_submits_it_again():
    group = GroupFactory(status=Status.CHANGES_REQUESTED)

    group_submit(group=group, by=UserFactory())

    group.refresh_from_db()
    entry = AuditEntry.objects.get(group=group)
    assert group.status == Status.SUBMITTED
    assert entry.changes == {"status": {"before": "changes_requested", "after": "submitted"}}
    assert "resubmitted" in entry.summary


@pytest.mark.parametrize("status", [Status.ADMITTED, Status.SUBMITTED, Status.DECLINED])
@pytest.mark.django_db
def test_submitting_a_group_that_is_not_a_draft_is_refused(status):
    group = GroupFactory(status=status, admitted_at=timezone.now())

    with pytest.raises(ValidationError):
        group_submit(group=group, by=UserFactory())

    assert Group.objects.get(pk=group.pk).status == status
    assert not AuditEntry.objects.exists()


# group_update.


@pytest.mark.django_db
def test_update_records_before_and_after_of_the_changed_fields_only():
    group = GroupFactory(name="Azure Stockholm", city="Stockholm")

    changes = group_update(
        group=group, by=StaffFactory(), data={"name": "Azure Stockholm", "city": "Uppsala"}
    )

    assert changes == {"city": {"before": "Stockholm", "after": "Uppsala"}}
    assert AuditEntry.objects.get(group=group, action=AuditEntry.Action.GROUP_EDIT).changes == (
        changes
    )


@pytest.mark.django_db
def test_update_stores_the_new_values_and_bumps_the_version():
    group = GroupFactory(city="Stockholm")
    version = group.version

    group_update(group=group, by=StaffFactory(), data={"city": "Uppsala"})

    assert (group.city, group.version) == ("Uppsala", version + 1)


@pytest.mark.django_db
def test_update_records_the_staff_member_who_edited():
    group = GroupFactory()
    staff = StaffFactory()

    group_update(group=group, by=staff, data={"description": "Now fortnightly."})

    entry = AuditEntry.objects.get(group=group)
    assert (entry.actor, entry.actor_is_staff) == (staff, True)
    assert "description" in entry.summary


@pytest.mark.django_db
def test_update_records_a_changed_language_list():
    group = GroupFactory(languages=["sv"])

    changes = group_update(group=group, by=StaffFactory(), data={"languages": ["sv", "en"]})

    assert changes == {"languages": {"before": ["sv"], "after": ["sv", "en"]}}


@pytest.mark.django_db
def test_update_that_changes_nothing_records_nothing():
    group = GroupFactory(city="Stockholm", planned_meetings_per_year=8)
    version = group.version

    changes = group_update(
        group=group,
        by=StaffFactory(),
        data={"city": "Stockholm", "planned_meetings_per_year": 8},
    )

    assert changes == {}
    assert not AuditEntry.objects.exists()
    assert Group.objects.get(pk=group.pk).version == version


@pytest.mark.parametrize(
    "field", ["status", "admitted_at", "next_review_due", "version", "submitted_at"]
)
@pytest.mark.django_db
def test_update_refuses_fields_that_change_only_through_decisions(field):
    group = GroupFactory()

    with pytest.raises(ValueError, match=field):
        group_update(group=group, by=StaffFactory(), data={field: None, "city": "Uppsala"})

    assert Group.objects.get(pk=group.pk).city == "Stockholm"
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_update_with_an_invalid_value_is_refused_and_records_nothing():
    group = GroupFactory()

    with pytest.raises(ValidationError):
        group_update(group=group, by=StaffFactory(), data={"code_of_conduct_url": "ftp://x.org"})

    assert not AuditEntry.objects.exists()
