"""The program rules as a living document (docs/program.md, "Requirement 5" and "Program rules
versions"): publishing, the e-mail, accepting, the grace period, the rules page, the banner and
the admin's roster."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from leaders.models import ProgramRules, RulesAcceptance, paragraphs
from leaders.rules import (
    acceptance_due,
    portal_standing,
    rules_accept,
    rules_emails_queue,
    rules_publish,
    rules_roster,
)
from membership.requirements import Code, Outcome
from membership.selectors import checklist_for
from notifications.models import OutboxEmail
from tests.builders import CO_LEADER, admitted_group, lead
from tests.factories import GroupFactory, ProgramRulesFactory, RulesAcceptanceFactory, UserFactory

pytestmark = pytest.mark.django_db

SV_TITLE = "Programmets uppföranderegler"
SV_BODY = "Var vänlig.\n\nHåll mötena gratis."


def draft(version: int = 2) -> ProgramRules:
    rules: ProgramRules = ProgramRulesFactory(
        version=version,
        published_at=None,
        title="Program rules of conduct",
        body="Be kind.\n\nKeep meetings free.",
        title_sv=SV_TITLE,
        body_sv=SV_BODY,
    )
    return rules


def contacts(*, language_co_leader: str = "sv") -> tuple:  # type: ignore[type-arg]
    group = admitted_group()
    leader = lead(group, user=UserFactory(preferred_language="en"))
    co_leader = lead(group, role=CO_LEADER, user=UserFactory(preferred_language=language_co_leader))
    return group, leader.user, co_leader.user


# Texts ---------------------------------------------------------------------------------------


def test_paragraphs_split_at_blank_lines():
    assert paragraphs("One\nline two\n\n  \nThree\r\n\r\nFour") == [
        "One\nline two",
        "Three",
        "Four",
    ]


def test_a_reader_sees_their_language_and_english_without_a_swedish_text():
    rules = draft()
    assert rules.title_in("sv") == SV_TITLE
    assert rules.paragraphs_in("sv") == ["Var vänlig.", "Håll mötena gratis."]
    english_only = ProgramRulesFactory(version=9, body_sv="", title_sv="")
    assert english_only.body_in("sv") == english_only.body
    assert english_only.title_in("sv") == english_only.title


# Publishing ----------------------------------------------------------------------------------


def test_publishing_freezes_the_time_audits_and_emails_each_contact_once_in_their_language(
    staff,
):
    _group, leader, co_leader = contacts()
    rules = draft()

    rules_publish(rules=rules, by=staff)

    rules.refresh_from_db()
    assert rules.published_at is not None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RULES_PUBLISHED).count() == 1
    emails = {e.to_email: e for e in OutboxEmail.objects.filter(kind="program_rules_to_accept")}
    assert set(emails) == {leader.email, co_leader.email}
    assert "accept version 2" in emails[leader.email].subject
    assert reverse("leaders:rules") in emails[leader.email].body_text
    assert emails[co_leader.email].language == "sv"
    assert "godkänn version 2" in emails[co_leader.email].subject
    assert SV_TITLE in emails[co_leader.email].body_text

    assert rules_emails_queue(now=timezone.now()) == 0  # once per person and version
    assert OutboxEmail.objects.filter(kind="program_rules_to_accept").count() == 2


def test_a_person_leading_two_groups_gets_one_email(staff):
    _group, leader, _co = contacts()
    lead(admitted_group(), user=leader)
    rules_publish(rules=draft(), by=staff)

    assert OutboxEmail.objects.filter(to_email=leader.email).count() == 1


def test_applications_and_contacts_who_accepted_get_no_email(staff):
    applying = GroupFactory(status="submitted")
    applicant = lead(applying).user
    _group, leader, _co = contacts()
    rules = draft()
    rules_publish(rules=rules, by=staff, at=timezone.now() + timedelta(hours=1))
    RulesAcceptance.objects.create(user=leader, rules=rules, accepted_at=timezone.now())

    rules_emails_queue(now=timezone.now() + timedelta(hours=2))

    recipients = set(OutboxEmail.objects.values_list("to_email", flat=True))
    assert leader.email not in recipients
    assert applicant.email not in recipients


def test_publishing_needs_both_languages(staff):
    rules = ProgramRulesFactory(version=2, published_at=None, title_sv="", body_sv="")

    with pytest.raises(ValidationError, match="both languages"):
        rules_publish(rules=rules, by=staff)
    rules.refresh_from_db()
    assert rules.published_at is None


def test_a_version_is_published_once(staff):
    rules = draft()
    rules_publish(rules=rules, by=staff)

    with pytest.raises(ValidationError):
        rules_publish(rules=rules, by=staff)


def test_a_lower_number_than_a_published_version_is_refused(staff):
    ProgramRulesFactory(version=5)

    with pytest.raises(ValidationError, match="higher number"):
        rules_publish(rules=draft(version=4), by=staff)


def test_a_future_version_is_not_current_and_its_emails_wait_for_its_time(staff):
    _group, _leader, _co_leader = contacts()
    ProgramRulesFactory(version=1, published_at=timezone.now() - timedelta(days=400))
    rules = draft()
    later = timezone.now() + timedelta(days=3)

    rules_publish(rules=rules, by=staff, at=later)

    assert ProgramRules.objects.current().version == 1
    assert not OutboxEmail.objects.exists()
    assert rules_emails_queue(now=later + timedelta(minutes=1)) == 2
    assert ProgramRules.objects.current(at=later).version == 2


# Accepting -----------------------------------------------------------------------------------


def test_accepting_records_it_once_with_an_audit_row_per_group_led():
    group, leader, _co = contacts()
    other = admitted_group()
    lead(other, user=leader)
    rules = ProgramRulesFactory(version=1)

    rules_accept(user=leader, rules=rules)
    rules_accept(user=leader, rules=rules)

    assert RulesAcceptance.objects.filter(user=leader).count() == 1
    audited = AuditEntry.objects.filter(action=AuditEntry.Action.RULES_ACCEPTED)
    assert set(audited.values_list("group", flat=True)) == {group.pk, other.pk}


def test_an_unpublished_or_future_version_cannot_be_accepted():
    user = UserFactory()
    with pytest.raises(ValidationError):
        rules_accept(user=user, rules=draft())
    future = ProgramRulesFactory(version=3, published_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError):
        rules_accept(user=user, rules=future)


# The grace period ----------------------------------------------------------------------------


def outcome(group) -> Outcome:  # type: ignore[no-untyped-def]
    result = checklist_for(group, now=timezone.now()).result(Code.PROGRAM_RULES)
    assert result is not None
    return result.outcome


def test_a_new_version_warns_during_the_grace_period_then_fails(settings):
    settings.TECHGROUPS_RULES_GRACE_DAYS = 30
    group, leader, co_leader = contacts()
    rules = ProgramRulesFactory(version=1, published_at=timezone.now() - timedelta(days=29))
    assert outcome(group) is Outcome.WARNING

    rules.published_at = timezone.now() - timedelta(days=31)
    rules.save()
    assert outcome(group) is Outcome.FAIL

    RulesAcceptanceFactory(user=leader, rules=rules)
    RulesAcceptanceFactory(user=co_leader, rules=rules)
    assert outcome(group) is Outcome.PASS


def test_a_new_contact_gets_a_grace_period_from_their_start_and_the_email():
    rules = ProgramRulesFactory(version=1, published_at=timezone.now() - timedelta(days=300))
    group = admitted_group()
    RulesAcceptanceFactory(user=lead(group).user, rules=rules)
    newcomer = lead(group, role=CO_LEADER, started_at=timezone.now() - timedelta(days=2)).user

    assert outcome(group) is Outcome.WARNING
    assert rules_emails_queue(now=timezone.now()) == 1
    email = OutboxEmail.objects.get()
    assert email.to_email == newcomer.email
    due = acceptance_due(
        published_at=rules.published_at,
        role_started_at=timezone.now() - timedelta(days=2),
    )
    assert due.date() > timezone.now().date()


def test_an_application_has_no_grace_period():
    ProgramRulesFactory(version=1, published_at=timezone.now() - timedelta(days=1))
    group = GroupFactory(status="submitted")
    lead(group)
    lead(group, role=CO_LEADER)

    assert outcome(group) is Outcome.FAIL


# The rules page ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("leaders:rules"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_any_signed_in_person_reads_the_rules_in_their_language(client):
    draft().__class__.objects.filter(version=2).update(published_at=timezone.now())
    user = UserFactory(preferred_language="sv")
    client.force_login(user)

    response = client.get(reverse("leaders:rules"), HTTP_ACCEPT_LANGUAGE="sv")

    assert response.status_code == 200
    assert SV_TITLE in response.text
    assert "Håll mötena gratis." in response.text


def test_staff_text_is_escaped(client):
    ProgramRulesFactory(version=1, body="<script>alert(1)</script>\n\nSecond")
    client.force_login(UserFactory())

    response = client.get(reverse("leaders:rules"))

    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;" in response.text


def test_accepting_on_the_page_records_it_and_shows_when(client):
    _group, leader, _co = contacts()
    rules = ProgramRulesFactory(version=1)
    client.force_login(leader)

    response = client.post(reverse("leaders:rules"), {"version": "1", "accept": "on"}, follow=True)

    assert RulesAcceptance.objects.filter(user=leader, rules=rules).exists()
    assert "You accepted version 1" in response.text
    assert 'name="accept"' not in response.text


def test_accepting_a_version_that_changed_meanwhile_is_refused_next_to_the_form(client):
    ProgramRulesFactory(version=2)
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("leaders:rules"), {"version": "1", "accept": "on"})

    assert response.status_code == 200
    assert "changed while you were reading" in response.text
    assert not RulesAcceptance.objects.exists()


@pytest.mark.parametrize("data", [{"version": "1"}, {"accept": "on"}, {"version": "x"}, {}])
def test_incomplete_answers_change_nothing(client, data):
    ProgramRulesFactory(version=1)
    client.force_login(UserFactory())

    response = client.post(reverse("leaders:rules"), data)

    assert response.status_code == 200
    assert not RulesAcceptance.objects.exists()


@pytest.mark.parametrize("acceptances", [0, 5])
def test_the_rules_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, acceptances
):
    _group, leader, _co = contacts()
    for version in range(1, acceptances + 1):
        RulesAcceptanceFactory(user=leader, rules=ProgramRulesFactory(version=version))
    ProgramRulesFactory(version=acceptances + 1)
    client.force_login(leader)

    # Session, user, the rules in force, the person's acceptances, the menu and banner.
    with django_assert_num_queries(5):
        response = client.get(reverse("leaders:rules"))
    assert response.status_code == 200


# The banner ----------------------------------------------------------------------------------


def test_a_contact_who_has_not_accepted_sees_the_banner_until_they_do(client):
    _group, leader, _co = contacts()
    rules = ProgramRulesFactory(version=3, published_at=timezone.now() - timedelta(days=1))
    client.force_login(leader)

    page = client.get(reverse("leaders:profile")).text
    assert "The program rules changed: read and accept version 3 by" in page
    assert f'href="{reverse("leaders:rules")}"' in page

    RulesAcceptanceFactory(user=leader, rules=rules)
    assert "The program rules changed" not in client.get(reverse("leaders:profile")).text


def test_people_who_lead_no_admitted_group_see_no_banner(client):
    ProgramRulesFactory(version=1)
    applicant = lead(GroupFactory(status="draft")).user
    for user in [UserFactory(), applicant]:
        client.force_login(user)
        assert "The program rules changed" not in client.get(reverse("leaders:profile")).text


def test_the_banner_costs_no_query_of_its_own(client):
    """The menu's question (does this person lead an admitted group?) and the banner's are
    answered by one query: a page costs the same with the banner as without."""
    _group, leader, _co = contacts()
    rules = ProgramRulesFactory(version=1)
    client.force_login(leader)
    with CaptureQueriesContext(connection) as with_banner:
        page = client.get(reverse("leaders:profile")).text
    assert "The program rules changed" in page
    RulesAcceptanceFactory(user=leader, rules=rules)
    with CaptureQueriesContext(connection) as without:
        page = client.get(reverse("leaders:profile")).text
    assert "The program rules changed" not in page
    assert len(with_banner) == len(without)


def test_the_standing_says_the_earliest_end_of_the_grace_periods():
    rules = ProgramRulesFactory(version=1, published_at=timezone.now() - timedelta(days=10))
    user = UserFactory()
    lead(admitted_group(), user=user, started_at=timezone.now() - timedelta(days=400))
    lead(admitted_group(), user=user, started_at=timezone.now() - timedelta(days=1))

    standing = portal_standing(user, now=timezone.now())

    assert standing.leads_admitted_group
    assert standing.rules_banner is not None
    assert standing.rules_banner.due == acceptance_due(
        published_at=rules.published_at, role_started_at=None
    )


# The admin -----------------------------------------------------------------------------------


def test_the_roster_lists_current_contacts_with_their_acceptance(
    client, staff, django_assert_max_num_queries
):
    _group, leader, co_leader = contacts()
    rules = ProgramRulesFactory(version=1)
    RulesAcceptanceFactory(user=leader, rules=rules)

    rows = {row.email: row.accepted_at for row in rules_roster(rules)}
    assert rows[leader.email] is not None
    assert rows[co_leader.email] is None

    page = client.get(reverse("admin:leaders_programrules_change", args=[rules.pk]))
    assert page.status_code == 200
    assert "1 of 2 have accepted this version." in page.text
    csv = b"".join(
        client.get(
            reverse("admin:leaders_programrules_roster", args=[rules.pk]) + "?accepted=no"
        ).streaming_content
    ).decode()
    assert co_leader.email in csv
    assert leader.email not in csv


@pytest.mark.parametrize("groups", [1, 6])
def test_the_versions_admin_page_runs_a_fixed_number_of_queries(
    client, staff, django_assert_num_queries, groups
):
    rules = ProgramRulesFactory(version=1)
    for _ in range(groups):
        contacts()
    url = reverse("admin:leaders_programrules_change", args=[rules.pk])
    client.get(url)

    with django_assert_num_queries(ADMIN_PAGE_QUERIES):
        assert client.get(url).status_code == 200


ADMIN_PAGE_QUERIES = 7


def test_staff_publish_from_the_admin_after_confirming(client, staff):
    contacts()
    rules = draft()
    url = reverse("admin:leaders_programrules_publish", args=[rules.pk])
    assert client.get(url).status_code == 200

    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 200
    rules.refresh_from_db()
    assert rules.published_at is None

    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    rules.refresh_from_db()
    assert rules.published_at is not None
    assert OutboxEmail.objects.filter(kind="program_rules_to_accept").count() == 2


def test_a_published_version_cannot_be_edited_in_the_admin(client, staff):
    rules = ProgramRulesFactory(version=1, body="Original")
    url = reverse("admin:leaders_programrules_change", args=[rules.pk])

    client.post(url, {"version": "1", "title": "x", "body": "Changed"})

    rules.refresh_from_db()
    assert rules.body == "Original"


def test_a_plain_leader_cannot_publish(client):
    rules = draft()
    client.force_login(UserFactory())

    response = client.post(
        reverse("admin:leaders_programrules_publish", args=[rules.pk]), {"confirm": "on"}
    )

    assert response.status_code in {302, 403}
    rules.refresh_from_db()
    assert rules.published_at is None
