"""Journey: a periodic review keeps a group with a follow-up; the leader sees what to fix on the
dashboard and fixes it in time; the program team finds the group in the review queue on the
date and keeps it, which closes the follow-up: no escalation."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from groups.models import Group
from membership.followups import open_follow_up
from membership.models import Review
from membership.reminders import queue_compliance_reminders
from notifications.models import OutboxEmail
from tests.browser.helpers import PASSWORD, mail_to, second_visitor, sign_in
from tests.browser.test_journey_staff_review import (
    group_with_signed_up_leaders,
    program_team_member,
    sign_in_to_the_admin,
)
from tests.factories import MeetingFactory, ProgramRulesFactory, RulesAcceptanceFactory

pytestmark = pytest.mark.django_db(transaction=True)

FIX = "Your code of conduct is missing. Publish it and add its address to the group's details."
CONDUCT = "https://lulea-azure.example.org/code-of-conduct"


def test_a_follow_up_fixed_in_time_is_closed_by_keeping_the_group(
    page: Page, browser: Browser, live_server, console_errors: list[str], program_team: AuthGroup
) -> None:
    today = timezone.localdate()
    group, leaders = group_with_signed_up_leaders(
        "Luleå Azure Group",
        prefix="lulea",
        code_of_conduct_url="",
        next_review_due=today - timedelta(days=1),
    )
    rules = ProgramRulesFactory()
    for leader in leaders:
        RulesAcceptanceFactory(user=leader, rules=rules)
    for month in range(7):
        MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=20 + 45 * month))
    staff = program_team_member(program_team)
    fix_by = today + timedelta(days=20)

    # The program team keeps the group with a follow-up from the review queue.
    sign_in_to_the_admin(page, staff)
    page.goto("/admin/groups/group/review-queue/")
    row = page.locator("#review-queue tbody tr", has_text="Luleå Azure Group")
    expect(row).to_contain_text("Periodic review")
    row.get_by_role("link", name="Decide").click()
    expect(page.locator("[name=decision] option[value=request_changes]")).to_have_count(0)
    page.select_option("[name=decision]", "keep_follow_up")
    page.locator("[name=message]").fill(FIX)
    page.locator("[name=follow_up_by]").fill(fix_by.isoformat())
    page.locator("form input[type=submit]").click()
    expect(page).to_have_url("/admin/groups/group/review-queue/")
    expect(page.locator(".messagelist")).to_contain_text("Keep admitted, with a follow-up")
    for leader in leaders:
        [decision] = mail_to(leader.email)
        assert "please fix one thing by" in decision.subject
        assert FIX in str(decision.body)

    # The leader reads it on the dashboard and publishes the code of conduct.
    with second_visitor(browser, live_server.url, console_errors) as leader_page:
        sign_in(leader_page, email=leaders[0].email, password=PASSWORD)
        leader_page.goto(f"/groups/{group.slug}/")
        follow_up = leader_page.locator("section.follow-up")
        expect(follow_up).to_contain_text(FIX)
        expect(follow_up).to_contain_text("20 days left")
        leader_page.locator(f"main nav a[href='/groups/{group.slug}/edit/']").click()
        leader_page.locator("main form [name=code_of_conduct_url]").fill(CONDUCT)
        leader_page.locator("main form button[type=submit]").first.click()
        expect(leader_page).to_have_url(f"/groups/{group.slug}/")
        expect(leader_page.locator("section.follow-up")).to_contain_text(FIX)

    # On the date the group is back in the queue as a follow-up; the team keeps it.
    Review.objects.filter(group=group).update(follow_up_by=today)
    page.goto("/admin/groups/group/review-queue/")
    row = page.locator("#review-queue tbody tr", has_text="Luleå Azure Group")
    expect(row).to_contain_text("Follow-up due")
    expect(row.locator(".tg-overdue")).to_have_count(0)
    expect(row.locator(".tg-badge")).to_have_text("5 of 5 met")
    row.get_by_role("link", name="Decide").click()
    expect(page.locator(".tg-follow-up")).to_contain_text(FIX)
    page.select_option("[name=decision]", "keep")
    page.locator("form input[type=submit]").click()
    expect(page).to_have_url("/admin/groups/group/review-queue/")
    expect(page.locator(".tg-queue-empty")).to_be_visible()

    group.refresh_from_db()
    assert group.code_of_conduct_url == CONDUCT
    assert open_follow_up(group) is None
    assert (
        queue_compliance_reminders(now=timezone.now() + timedelta(days=3))["follow_up_overdue"] == 0
    )
    assert not OutboxEmail.objects.filter(kind="follow_up_overdue").exists()
    assert Group.objects.get(pk=group.pk).status == Group.Status.ADMITTED
