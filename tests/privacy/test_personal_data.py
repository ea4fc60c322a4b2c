"""Personal data: a person downloads their own data, or deletes their account.

Deleting keeps every row of the history and anonymises the person in it; their roles end and
stay empty (the checklist shows it), and the group's other contact and the program team are
told. The last contact of an admitted group is warned and must confirm.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from leaders.models import (
    CoLeaderInvitation,
    Leadership,
    LeadershipChangeRequest,
    RulesAcceptance,
    User,
)
from leaders.services import invitation_create, leadership_start
from membership.models import LeaveRequest, Review
from membership.requirements import Code, Outcome
from membership.selectors import checklist_for
from notifications.models import OutboxEmail
from privacy.personal_data import (
    DELETED_NAME,
    account_delete,
    account_delete_consequences,
    anonymous_email,
    last_contact_groups,
    personal_data,
)
from tests.builders import verified_user
from tests.factories import (
    PASSWORD,
    GroupFactory,
    MeetingFactory,
    ProgramRulesFactory,
    StaffFactory,
)
from tests.pages import signed_in

pytestmark = pytest.mark.django_db

LEADER = Leadership.Role.LEADER
CO_LEADER = Leadership.Role.CO_LEADER
DELETE_URL = reverse("privacy:account_delete")
DATA_URL = reverse("privacy:personal_data")
GOODBYE_URL = reverse("privacy:account_deleted")


def email_to(person: User, *, key: str, subject: str, to: str | None = None, **kwargs: Any):
    return OutboxEmail.objects.create(
        key=key,
        kind="review_decision",
        to_email=to or person.email,
        language="en",
        subject=subject,
        body_text=f"Hello {person.name}, the body of {subject}.",
        body_html=f"<p>Hello {person.name}</p>",
        **kwargs,
    )


@dataclass
class People:
    staff: User
    ada: User  # leader of `group`; the one who downloads or deletes
    bo: User  # co-leader of `group`
    otto: User  # leads `other_group` alone
    group: Group
    other_group: Group
    draft: Group  # Ada's second group, a draft she leads alone


@pytest.fixture
def people() -> People:
    staff = StaffFactory(email="stina@example.org", name="Stina Staff")
    rules = ProgramRulesFactory(version=1, title="Rules of conduct, version 1")
    ada = verified_user(email="ada@example.org", name="Ada Lindqvist", tech_community_id=111111)
    Authenticator.objects.create(
        user=ada, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    bo = verified_user(email="bo@example.org", name="Bo Ek", preferred_language="sv")
    otto = verified_user(email="otto@example.org", name="Otto Other")
    group = GroupFactory(admitted=True, name="Alpha Azure Circle", slug="alpha")
    other_group = GroupFactory(admitted=True, name="Bravo Cloud Guild", slug="bravo")
    draft = GroupFactory(
        name="Delta Dev Cloud", slug="delta", status=Group.Status.DRAFT, submitted_at=None
    )
    started = timezone.now() - timedelta(days=400)
    leadership_start(group=group, user=ada, role=LEADER, by=staff, now=started)
    leadership_start(group=group, user=bo, role=CO_LEADER, by=ada, now=started)
    leadership_start(group=other_group, user=otto, role=LEADER, by=staff, now=started)
    leadership_start(group=draft, user=ada, role=LEADER, by=ada, now=started)
    for person in (ada, bo, otto):
        RulesAcceptance.objects.create(user=person, rules=rules)
    Review.objects.create(
        group=group,
        reviewer=staff,
        kind=Review.Kind.APPLICATION,
        decision=Review.Decision.ADMIT,
        status_before=Group.Status.SUBMITTED,
        status_after=Group.Status.ADMITTED,
    )
    MeetingFactory(group=group, title="Alpha meetup")
    email_to(ada, key="to-ada", subject="Alpha Azure Circle is admitted", user=ada, group=group)
    # Sent before Ada had an account (no user), to her address written differently.
    email_to(ada, key="to-ada-address", subject="You are invited", to="ADA@example.org")
    email_to(bo, key="to-bo", subject="Only for Bo", user=bo, group=group)
    email_to(otto, key="to-otto", subject="Only for Otto", user=otto, group=other_group)
    LeaveRequest.objects.create(
        group=group,
        requested_by=ada,
        reason="We thought of merging.",
        status=LeaveRequest.Status.WITHDRAWN,
    )
    LeadershipChangeRequest.objects.create(
        group=group,
        requested_by=ada,
        kind=LeadershipChangeRequest.Kind.OTHER,
        details="Ada Lindqvist asks to change the contacts.",
        staff_note="Talked to Ada Lindqvist about it.",
    )
    LeaveRequest.objects.create(group=other_group, requested_by=otto, reason="Otto's reason")
    invitation_create(group=draft, email="cleo@example.org", by=ada)
    return People(
        staff=staff, ada=ada, bo=bo, otto=otto, group=group, other_group=other_group, draft=draft
    )


def everything_about(user: User) -> str:
    return json.dumps(personal_data(user), ensure_ascii=False)


# The download ------------------------------------------------------------------------------


def test_the_download_holds_the_profile(people):
    data = personal_data(people.ada)

    profile = data["profile"]
    assert profile["email"] == "ada@example.org"
    assert profile["name"] == "Ada Lindqvist"
    assert profile["tech_community_id"] == 111111
    assert profile["preferred_language"] == "en"
    assert profile["email_addresses"] == [
        {"email": "ada@example.org", "verified": True, "primary": True}
    ]
    assert profile["two_factor_methods"] == ["totp"]


def test_the_download_holds_the_roles_and_the_rules_accepted(people):
    data = personal_data(people.ada)

    assert [(role["group"], role["role"], role["ended_at"]) for role in data["roles"]] == [
        ("Alpha Azure Circle", "leader", None),
        ("Delta Dev Cloud", "leader", None),
    ]
    assert all(role["started_at"] for role in data["roles"])
    assert [(each["version"], each["title"]) for each in data["rules_acceptances"]] == [
        (1, "Rules of conduct, version 1")
    ]


def test_the_download_holds_the_emails_sent_to_them_with_their_text(people):
    emails = personal_data(people.ada)["emails"]

    subjects = {email["subject"]: email for email in emails}
    assert set(subjects) >= {"Alpha Azure Circle is admitted", "You are invited"}
    admitted = subjects["Alpha Azure Circle is admitted"]
    assert admitted["body"] == "Hello Ada Lindqvist, the body of Alpha Azure Circle is admitted."
    assert admitted["kind"] == "review_decision"
    assert admitted["status"] == "pending"
    assert admitted["created_at"]


def test_the_download_holds_requests_invitations_and_actions(people):
    data = personal_data(people.ada)

    assert [request["reason"] for request in data["leave_requests"]] == ["We thought of merging."]
    assert [
        request["note_from_the_program_team"] for request in data["leadership_change_requests"]
    ] == ["Talked to Ada Lindqvist about it."]
    assert [(each["group"], each["status"]) for each in data["invitations_sent"]] == [
        ("Delta Dev Cloud", "pending")
    ]
    assert data["invitations_received"] == []
    # What they did, when and where; not the summaries, which name other people.
    assert {(action["group"], action["action"]) for action in data["actions"]} == {
        ("Alpha Azure Circle", "leadership_change"),
        ("Delta Dev Cloud", "leadership_change"),
    }
    assert all(set(action) == {"created_at", "group", "action"} for action in data["actions"])


def test_the_download_holds_nothing_of_other_people(people):
    text = everything_about(people.ada)

    for foreign in ("Only for Bo", "Only for Otto", "Bravo Cloud Guild", "otto@example.org"):
        assert foreign not in text
    assert "bo@example.org" not in text
    assert "cleo@example.org" not in text  # whom she invited is the invitee's data
    assert "Stina" not in text and "stina@example.org" not in text
    assert "Otto's reason" not in text


def test_the_download_is_plain_json(people):
    assert json.loads(everything_about(people.ada))["profile"]["name"] == "Ada Lindqvist"


def more_of_everything(people: People) -> None:
    """As much again of every kind of row, so a query per row would show."""
    for number in range(3):
        group = GroupFactory(admitted=True)
        leadership_start(group=group, user=people.ada, role=LEADER, by=people.staff)
        RulesAcceptance.objects.create(
            user=people.ada, rules=ProgramRulesFactory(version=10 + number)
        )
        email_to(people.ada, key=f"more-{number}", subject=f"More {number}", user=people.ada)
        LeaveRequest.objects.create(group=group, requested_by=people.ada, reason="Another reason")
        LeadershipChangeRequest.objects.create(
            group=group, requested_by=people.ada, kind=LeadershipChangeRequest.Kind.OTHER
        )
        CoLeaderInvitation.objects.create(
            group=group,
            email=people.ada.email,
            invited_by=people.otto,
            expires_at=timezone.now() + timedelta(days=3),
        )


def test_the_download_runs_a_fixed_number_of_queries(people, django_assert_num_queries):
    with django_assert_num_queries(13):
        small = personal_data(people.ada)
    more_of_everything(people)

    with django_assert_num_queries(13):
        large = personal_data(people.ada)

    assert len(large["roles"]) == len(small["roles"]) + 3
    assert len(large["invitations_received"]) == 3


def test_the_download_lists_the_feed_imports_the_person_asked_for(people):
    from meetings.models import FeedImport

    group = Leadership.objects.filter(user=people.ada).first().group
    FeedImport.objects.create(
        group=group, requested_by=people.ada, url="https://example.org/feed.ics", language="en"
    )

    [feed_import] = personal_data(people.ada)["feed_imports"]

    assert (feed_import["url"], feed_import["status"]) == ("https://example.org/feed.ics", "queued")


def test_the_download_page_is_a_json_attachment_named_with_the_date(people):
    response = signed_in(people.ada).get(DATA_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="tech-groups-my-data-{today}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["profile"]["email"] == "ada@example.org"


def test_the_download_page_runs_a_fixed_number_of_queries(people, django_assert_num_queries):
    client = signed_in(people.ada)
    with django_assert_num_queries(15):  # the session and the user, then the thirteen above
        client.get(DATA_URL)
    more_of_everything(people)

    with django_assert_num_queries(15):
        client.get(DATA_URL)


def test_each_person_downloads_only_their_own_data(people):
    response = signed_in(people.bo).get(DATA_URL)

    data = json.loads(response.content)
    assert data["profile"]["email"] == "bo@example.org"
    assert "Ada Lindqvist" not in json.dumps(data["roles"]) + json.dumps(data["emails"])


def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in():
    for url in (DATA_URL, DELETE_URL):
        response = Client().get(url)

        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_the_profile_offers_the_download_and_the_deletion(people):
    content = signed_in(people.ada).get(reverse("leaders:profile")).content.decode()

    assert 'id="your-data"' in content
    assert DATA_URL in content
    assert DELETE_URL in content


# What deleting would do --------------------------------------------------------------------


def test_the_consequences_list_each_role_and_who_is_told(people):
    roles = {role.group.name: role for role in account_delete_consequences(people.ada)}

    assert roles["Alpha Azure Circle"].others == ["Bo Ek"]
    assert not roles["Alpha Azure Circle"].needs_confirmation
    assert roles["Delta Dev Cloud"].is_last_contact
    assert not roles["Delta Dev Cloud"].needs_confirmation  # a draft, not an admitted group


def test_the_last_contact_of_an_admitted_group_must_confirm(people):
    assert list(last_contact_groups(people.otto)) == [people.other_group]
    assert list(last_contact_groups(people.ada)) == []
    assert [role.needs_confirmation for role in account_delete_consequences(people.otto)] == [True]


# Deleting: the service ---------------------------------------------------------------------


def test_deleting_anonymises_the_account_and_keeps_its_row(people):
    account_delete(user=people.ada, now=timezone.now())

    ada = User.objects.get(pk=people.ada.pk)
    assert ada.name == DELETED_NAME
    assert ada.email == anonymous_email(ada) == f"deleted-{ada.pk}@deleted.invalid"
    assert ada.tech_community_id is None
    assert not ada.is_active
    assert not ada.has_usable_password()
    assert ada.optional_email == User.OptionalEmail.OFF
    assert not EmailAddress.objects.filter(user=ada).exists()
    assert not Authenticator.objects.filter(user=ada).exists()
    assert not User.objects.filter(email__iexact="ada@example.org").exists()


def test_the_history_stays_with_the_anonymous_user(people):
    audit_before = AuditEntry.objects.count()
    actions_before = AuditEntry.objects.filter(actor=people.ada).count()

    account_delete(user=people.ada, now=timezone.now())

    assert AuditEntry.objects.count() > audit_before  # nothing removed, the deletion added
    assert AuditEntry.objects.filter(actor=people.ada).count() > actions_before
    assert Review.objects.filter(group=people.group).count() == 1
    assert Leadership.objects.filter(user=people.ada).count() == 2
    assert RulesAcceptance.objects.filter(user=people.ada).count() == 1
    assert LeaveRequest.objects.filter(requested_by=people.ada).count() == 1
    assert people.group.meetings.count() == 1
    assert Group.objects.get(pk=people.group.pk).status == Group.Status.ADMITTED


def test_the_history_no_longer_names_them(people):
    account_delete(user=people.ada, now=timezone.now())

    history = [
        json.dumps([entry.summary, entry.changes], ensure_ascii=False)
        for entry in AuditEntry.objects.all()
    ]
    history += [
        request.details + request.staff_note for request in LeadershipChangeRequest.objects.all()
    ]
    history += list(CoLeaderInvitation.objects.values_list("email", flat=True))
    assert not [text for text in history if "Ada Lindqvist" in text or "ada@example" in text]
    assert any("Deleted user became Leader" in text for text in history)
    assert any(anonymous_email(people.ada) in text for text in history)
    # Others keep their names.
    assert any("Bo Ek became Co-leader" in text for text in history)


def test_their_roles_end_and_stay_empty(people):
    account_delete(user=people.ada, now=timezone.now())

    assert not Leadership.objects.active().filter(user=people.ada).exists()
    ended = Leadership.objects.filter(user=people.ada)
    assert {held.end_reason for held in ended} == {Leadership.EndReason.ACCOUNT_DELETED}
    roles = dict(Leadership.objects.active().filter(group=people.group).values_list("role", "user"))
    assert roles == {CO_LEADER: people.bo.pk}  # Bo does not become leader by himself


def test_the_checklist_shows_the_missing_contact(people):
    now = timezone.now()
    before = checklist_for(people.group, now=now).results[0]

    account_delete(user=people.ada, now=now)

    contacts = checklist_for(people.group, now=now).results[0]
    assert before.code == contacts.code == Code.CONTACTS
    assert before.outcome is Outcome.PASS
    assert contacts.outcome is Outcome.FAIL
    assert contacts.checks[0].message == "The group has no leader (primary contact). Name one."


def test_the_other_contact_is_emailed_in_their_language(people):
    account_delete(user=people.ada, now=timezone.now())

    email = OutboxEmail.objects.get(kind="contact_left")
    assert email.to_email == "bo@example.org"
    assert email.user == people.bo
    assert email.language == "sv"
    assert "Alpha Azure Circle saknar ledare: Ada Lindqvist har raderat sitt konto" in email.subject
    assert "Hej Bo Ek" in email.body_text
    assert "Du får det här e-postmeddelandet eftersom du är ledare eller medledare" in (
        email.body_text
    )


def test_the_program_team_is_emailed_for_each_role(people):
    account_delete(user=people.ada, now=timezone.now())

    notices = OutboxEmail.objects.filter(kind="program_team_contact_left").order_by("pk")
    assert [notice.group for notice in notices] == [people.group, people.draft]
    assert {notice.to_email for notice in notices} == {settings.PROGRAM_TEAM_EMAIL}
    assert "A contact deleted their account: Alpha Azure Circle" in notices[0].subject
    assert "Ada Lindqvist, Leader (primary contact), deleted their account" in (
        notices[0].body_text
    )
    assert "remaining contacts: Bo Ek." in notices[0].body_text
    assert "remaining contacts: nobody." in notices[1].body_text
    # The ID is erased with the account; the team still has to revoke the hub access.
    assert "Revoke the Leaders Hub access of Tech Community user ID 111111." in (
        notices[0].body_text
    )


def test_emails_to_them_keep_subject_and_kind_but_lose_address_and_text(people):
    account_delete(user=people.ada, now=timezone.now())

    mine = OutboxEmail.objects.filter(key__in=["to-ada", "to-ada-address"])
    assert {email.subject for email in mine} == {
        "Alpha Azure Circle is admitted",
        "You are invited",
    }
    for email in mine:
        assert email.to_email == anonymous_email(people.ada)
        assert (email.body_text, email.body_html) == ("", "")
        assert email.status == OutboxEmail.Status.CANCELLED  # never sent to a deleted account
        assert email.kind == "review_decision"
    bo_email = OutboxEmail.objects.get(key="to-bo")
    assert bo_email.body_text == "Hello Bo Ek, the body of Only for Bo."


def test_a_sent_email_stays_sent(people):
    OutboxEmail.objects.filter(key="to-ada").update(
        status=OutboxEmail.Status.SENT, sent_at=timezone.now()
    )

    account_delete(user=people.ada, now=timezone.now())

    assert OutboxEmail.objects.get(key="to-ada").status == OutboxEmail.Status.SENT


def test_pending_invitations_they_sent_are_withdrawn(people):
    invitation = CoLeaderInvitation.objects.get(group=people.draft)

    account_delete(user=people.ada, now=timezone.now())

    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.REVOKED
    assert invitation.email == "cleo@example.org"  # the invitee is not the one deleted
    invitation_email = OutboxEmail.objects.get(kind="coleader_invitation")
    assert invitation_email.status == OutboxEmail.Status.CANCELLED


def test_invitations_sent_to_them_are_withdrawn_and_anonymised(people):
    invitation = invitation_create(
        group=people.other_group, email="Ada@Example.org", by=people.otto
    )

    account_delete(user=people.ada, now=timezone.now())

    invitation.refresh_from_db()
    assert invitation.status == CoLeaderInvitation.Status.REVOKED
    assert invitation.email == anonymous_email(people.ada)


def test_the_co_leader_deleting_leaves_the_leader_in_charge(people):
    account_delete(user=people.bo, now=timezone.now())

    email = OutboxEmail.objects.get(kind="contact_left")
    assert email.to_email == "ada@example.org"
    assert "Alpha Azure Circle has no co-leader: Bo Ek deleted their account" in email.subject
    assert reverse("leaders:people", args=["alpha"]) in email.body_text
    roles = Leadership.objects.active().filter(group=people.group)
    assert [(held.role, held.user) for held in roles] == [(LEADER, people.ada)]


def test_someone_without_a_role_can_delete_their_account(people):
    newcomer = verified_user(email="new@example.org", name="Nina New")

    account_delete(user=newcomer, now=timezone.now())

    assert User.objects.get(pk=newcomer.pk).name == DELETED_NAME
    assert not OutboxEmail.objects.filter(kind__in=["contact_left", "program_team_contact_left"])


def test_program_team_accounts_are_refused(people):
    with pytest.raises(ValidationError):
        account_delete(user=people.staff, now=timezone.now())

    assert User.objects.get(pk=people.staff.pk).is_active


def test_an_account_is_deleted_once(people):
    account_delete(user=people.ada, now=timezone.now())

    with pytest.raises(ValidationError):
        account_delete(user=people.ada, now=timezone.now())


def test_the_email_address_is_free_for_a_new_account_afterwards(people):
    account_delete(user=people.ada, now=timezone.now())

    again = User.objects.create_user("ada@example.org", PASSWORD)

    assert again.pk != people.ada.pk
    assert personal_data(again)["roles"] == []
    assert personal_data(again)["emails"] == []


# Deleting: the pages -----------------------------------------------------------------------


def test_the_delete_page_says_what_happens_and_which_roles_end(people):
    response = signed_in(people.ada).get(DELETE_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Azure Circle" in content and "Delta Dev Cloud" in content
    assert "Bo Ek and the program team are told by e-mail" in content
    assert 'id="last-contact-warning"' not in content
    assert 'name="confirm_last_contact"' not in content
    assert 'name="password"' in content


def test_the_delete_page_runs_a_fixed_number_of_queries(people, django_assert_num_queries):
    client = signed_in(people.ada)
    # The session, the user, the roles, the other contacts, and the menu's program links.
    with django_assert_num_queries(5):
        client.get(DELETE_URL)
    more_of_everything(people)

    with django_assert_num_queries(5):
        client.get(DELETE_URL)


def test_the_last_contact_of_an_admitted_group_is_warned_first(people):
    content = signed_in(people.otto).get(DELETE_URL).content.decode()

    assert 'id="last-contact-warning"' in content
    assert "Bravo Cloud Guild" in content
    assert "requirement 1" in content
    assert "hand leadership over" in content
    assert 'name="confirm_last_contact"' in content


def test_the_last_contact_must_tick_the_confirmation(people):
    client = signed_in(people.otto)

    refused = client.post(DELETE_URL, {"password": PASSWORD})

    assert refused.status_code == 200
    assert "Tick the box to confirm" in refused.content.decode()
    assert "is-invalid" in refused.content.decode()
    assert User.objects.get(pk=people.otto.pk).is_active
    assert Leadership.objects.active().filter(user=people.otto).exists()

    confirmed = client.post(DELETE_URL, {"password": PASSWORD, "confirm_last_contact": "on"})

    assert confirmed.status_code == 302
    assert not Leadership.objects.active().filter(group=people.other_group).exists()


def test_a_wrong_password_is_refused_beside_the_field_and_changes_nothing(people):
    client = signed_in(people.ada)
    before = list(User.objects.filter(pk=people.ada.pk).values())
    roles_before = list(Leadership.objects.active().values_list("pk", flat=True))
    emails_before = OutboxEmail.objects.count()

    response = client.post(DELETE_URL, {"password": "not my password"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "This is not your current password." in content
    assert 'id="id_password"' in content and "is-invalid" in content
    assert list(User.objects.filter(pk=people.ada.pk).values()) == before
    assert list(Leadership.objects.active().values_list("pk", flat=True)) == roles_before
    assert OutboxEmail.objects.count() == emails_before


def test_deleting_signs_out_and_says_goodbye(people):
    client = signed_in(people.ada)

    response = client.post(DELETE_URL, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(GOODBYE_URL, 302)]
    assert "Your account is deleted" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=people.ada.pk).name == DELETED_NAME


def test_their_other_sessions_end_too(people):
    phone = signed_in(people.ada)
    assert phone.get(reverse("leaders:profile")).status_code == 200

    signed_in(people.ada).post(DELETE_URL, {"password": PASSWORD})

    response = phone.get(reverse("leaders:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("login", ["ada@example.org", "deleted-{pk}@deleted.invalid"])
def test_they_cannot_sign_in_afterwards(people, login):
    signed_in(people.ada).post(DELETE_URL, {"password": PASSWORD})
    client = Client()

    client.post(
        reverse("account_login"), {"login": login.format(pk=people.ada.pk), "password": PASSWORD}
    )

    assert "_auth_user_id" not in client.session
    assert not client.login(email="ada@example.org", password=PASSWORD)


def test_another_person_cannot_delete_someone_else(people):
    """The page always acts on the signed-in person: Bo with Ada's password deletes nobody."""
    client = signed_in(people.bo)

    response = client.post(
        DELETE_URL, {"password": PASSWORD + "!", "user": people.ada.pk, "pk": people.ada.pk}
    )

    assert response.status_code == 200
    assert User.objects.get(pk=people.ada.pk).is_active
    assert User.objects.get(pk=people.bo.pk).is_active


def test_extra_fields_cannot_point_the_deletion_at_someone_else(people):
    signed_in(people.bo).post(DELETE_URL, {"password": PASSWORD, "user": people.ada.pk})

    assert User.objects.get(pk=people.ada.pk).name == "Ada Lindqvist"
    assert User.objects.get(pk=people.bo.pk).name == DELETED_NAME


def test_program_team_members_are_told_to_ask_an_administrator(people):
    client = signed_in(people.staff)

    page = client.get(DELETE_URL)
    posted = client.post(DELETE_URL, {"password": PASSWORD})

    assert page.status_code == posted.status_code == 403
    assert "ask an administrator" in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert User.objects.get(pk=people.staff.pk).is_active


def test_the_goodbye_page_opens_for_anyone():
    response = Client().get(GOODBYE_URL)

    assert response.status_code == 200
    assert "Your account is deleted" in response.content.decode()
