"""Journey: a member of the program team signs in to the admin with two-factor authentication,
walks the review queue, keeps an admitted group after its periodic review and processes a
group's request to leave the program."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.utils import timezone
from playwright.sync_api import Page, expect

from groups.models import Group
from leaders.models import Leadership, User
from membership.models import LeaveRequest, Review
from scripts.screenshots import totp
from tests.browser.helpers import PASSWORD, create, mail_to
from tests.builders import led_group, verified_user
from tests.factories import MeetingFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Thank you for a year of good meetings. Keep them coming!"
REASON = "Our organisers are moving abroad and nobody can take the group over."


def program_team_member(program_team: AuthGroup) -> User:
    staff = create(User, StaffFactory, email="petra@example.org", name="Petra Programteam")
    staff.set_password(PASSWORD)
    staff.save()
    staff.groups.add(program_team)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    return staff


def sign_in_to_the_admin(page: Page, staff: User) -> None:
    """The admin sends staff to the portal's sign-in, then asks for the authenticator's code."""
    page.goto("/admin/")
    form = page.locator("form.allauth-form")
    form.locator("[name=login]").fill(staff.email)
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    secret = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP).data["secret"]
    page.locator("[name=code]").fill(totp(secret))
    page.locator("form:has([name=code]) button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def group_with_signed_up_leaders(
    name: str, *, prefix: str, **fields: object
) -> tuple[Group, list[User]]:
    """An admitted group whose leader and co-leader can sign in (e-mail `<prefix>-<role>@...`)."""
    leader, co_leader = [
        verified_user(
            email=f"{prefix}-{role}@example.org",
            name=f"{prefix.title()} {role}",
            preferred_language="en",
            password=PASSWORD,
        )
        for role in Leadership.Role.values
    ]
    group = led_group(name=name, admitted=True, leader=leader, co_leader=co_leader, **fields)
    return group, [leader, co_leader]


def test_a_staff_member_keeps_a_group_after_review_and_processes_a_leave_request(
    page: Page, program_team: AuthGroup
) -> None:
    today = timezone.localdate()
    kept, kept_leaders = group_with_signed_up_leaders(
        "Kiruna Azure Group", prefix="kiruna", next_review_due=today - timedelta(days=3)
    )
    for month in range(7):
        MeetingFactory(group=kept, starts_at=timezone.now() - timedelta(days=20 + 45 * month))
    leaving, leaving_leaders = group_with_signed_up_leaders(
        "Umeå Azure Group", prefix="umea", next_review_due=today + timedelta(days=90)
    )
    leave = LeaveRequest.objects.create(
        group=leaving,
        requested_by=leaving_leaders[0],
        reason=REASON,
        created_at=timezone.now() - timedelta(days=5),
    )
    staff = program_team_member(program_team)

    sign_in_to_the_admin(page, staff)

    # From the group list to the queue: the leave request waits longer than the review.
    page.goto("/admin/groups/group/")
    page.locator("#content .object-tools a", has_text="Review queue").click()
    expect(page).to_have_url("/admin/groups/group/review-queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    rows = page.locator("#review-queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Leave request")
    expect(rows.nth(0)).to_contain_text("Umeå Azure Group")
    expect(rows.nth(0)).to_contain_text(REASON)
    review_row = rows.nth(1)
    expect(review_row).to_contain_text("Periodic review")
    expect(review_row).to_contain_text("Kiruna Azure Group")
    expect(review_row.locator(".tg-badge")).to_have_text("5 of 5 met")

    # The periodic review: keep the group, with a message to its leaders.
    review_row.get_by_role("link", name="Decide").click()
    expect(page).to_have_url(f"/admin/groups/group/{kept.pk}/decide/?from=queue")
    expect(page.locator(".tg-checklist")).to_contain_text(
        "At least 6 Azure-related meetings a year, at regular intervals"
    )
    page.select_option("[name=decision]", "keep")
    page.locator("[name=message]").fill(MESSAGE)
    page.locator("form input[type=submit]").click()
    expect(page).to_have_url("/admin/groups/group/review-queue/")
    expect(page.locator(".messagelist")).to_contain_text("Kiruna Azure Group: Keep admitted.")
    expect(rows).to_have_count(1)

    # The leave request: the confirmation says what will happen; processing does it.
    rows.nth(0).get_by_role("link", name="Process").click()
    expect(page).to_have_url(f"/admin/membership/leaverequest/{leave.pk}/process/?from=queue")
    effects = page.locator("#leave-effects")
    expect(effects).to_contain_text("Left the program")
    for leader in leaving_leaders:
        expect(effects).to_contain_text(leader.display_name)
        expect(effects).to_contain_text(leader.email)
    page.locator("#process-form input[type=submit]").click()
    expect(page).to_have_url("/admin/groups/group/review-queue/")
    expect(page.locator(".messagelist")).to_contain_text("Umeå Azure Group has left the program")
    expect(page.locator(".tg-queue-empty")).to_have_text("Nothing is waiting for the program team.")

    # The database: the kept group's next review, the decision with its checklist, the group
    # that left with its roles ended but kept, the request processed by this staff member.
    kept.refresh_from_db()
    assert kept.status == Group.Status.ADMITTED
    assert kept.next_review_due == today + timedelta(days=settings.TECHGROUPS_REVIEW_INTERVAL_DAYS)
    review = Review.objects.get(group=kept)
    assert (review.decision, review.kind, review.reviewer) == ("keep", "periodic", staff)
    assert review.message == MESSAGE
    assert (review.requirements_met, review.requirements_total) == (5, 5)
    leaving.refresh_from_db()
    assert leaving.status == Group.Status.LEFT
    roles = Leadership.objects.filter(group=leaving)
    assert roles.count() == 2
    assert all(role.end_reason == Leadership.EndReason.GROUP_LEFT for role in roles)
    leave.refresh_from_db()
    assert (leave.status, leave.processed_by) == (LeaveRequest.Status.PROCESSED, staff)

    # The e-mails: the decision with the message, and the news that the group has left.
    for leader in kept_leaders:
        [decision] = mail_to(leader.email)
        assert decision.subject.endswith("Kiruna Azure Group stays in the program")
        assert MESSAGE in str(decision.body)
    for leader in leaving_leaders:
        [left] = mail_to(leader.email)
        assert left.subject.endswith("Umeå Azure Group has left the Tech Groups program")
        assert REASON in str(left.body)
