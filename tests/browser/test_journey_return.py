"""Journey (in Swedish): the leader of an inactive group asks for a new review; the program team
finds it in the review queue and admits the group again."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from groups.models import Group
from membership.models import ReturnRequest
from tests.browser.helpers import (
    PASSWORD,
    exact,
    expect_heading,
    expect_language,
    mail_to,
    second_visitor,
    sign_in,
    text,
)
from tests.browser.test_journey_staff_review import program_team_member, sign_in_to_the_admin
from tests.builders import led_group, verified_user
from tests.factories import MeetingFactory, ProgramRulesFactory, RulesAcceptanceFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHANGED = "Vi har en ny medledare och har haft tre möten sedan mars."


def test_an_inactive_group_asks_to_come_back_and_is_admitted(
    page: Page, browser: Browser, live_server, console_errors: list[str], program_team: AuthGroup
) -> None:
    leader, co_leader = [
        verified_user(
            email=f"kalmar-{role}@example.org", preferred_language="sv", password=PASSWORD
        )
        for role in ("leader", "co-leader")
    ]
    first_admission = timezone.now() - timedelta(days=700)
    group = led_group(
        name="Kalmar Azure-grupp",
        status=Group.Status.INACTIVE,
        admitted_at=first_admission,
        leader=leader,
        co_leader=co_leader,
    )
    rules = ProgramRulesFactory()
    for person in (leader, co_leader):
        RulesAcceptanceFactory(user=person, rules=rules)
    for month in range(7):
        MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=20 + 45 * month))

    # The leader, in Swedish, asks for a new review from the dashboard.
    sign_in(page, email=leader.email)
    expect_language(page, "sv")
    page.goto(f"/groups/{group.slug}/")
    page.locator("main .return-request a").click()
    expect(page).to_have_url(f"/groups/{group.slug}/return/")
    expect_heading(page, "sv", "Ask for a new review")
    form = page.locator("main form[method=post]")
    form.locator("button[type=submit]").click()  # empty: refused next to the field
    expect(page.locator("#div_id_what_changed .invalid-feedback")).to_have_text(
        exact("sv", "Tell the program team what has changed.")
    )
    page.locator("main form [name=what_changed]").fill(CHANGED)
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(f"/groups/{group.slug}/return/")
    expect(page.locator("section.return-request h2")).to_have_text(
        exact("sv", "Your request for a new review")
    )
    expect(page.locator("section.return-request")).to_contain_text(CHANGED)
    request = ReturnRequest.objects.get(group=group)
    assert request.status == ReturnRequest.Status.OPEN
    for person in (leader, co_leader):
        [received] = mail_to(person.email)
        assert "har fått er begäran om en ny granskning" in received.subject
        assert CHANGED in str(received.body)

    # The program team admits it from the review queue.
    with second_visitor(browser, live_server.url, console_errors) as staff_page:
        staff = program_team_member(program_team)
        sign_in_to_the_admin(staff_page, staff)
        staff_page.goto("/admin/groups/group/review-queue/")
        row = staff_page.locator("#review-queue tbody tr", has_text="Kalmar Azure-grupp")
        expect(row).to_contain_text("Return request")
        expect(row).to_contain_text(CHANGED)
        row.get_by_role("link", name="Decide").click()
        expect(staff_page.locator(".tg-return-request")).to_contain_text(CHANGED)
        staff_page.select_option("[name=decision]", "admit")
        staff_page.locator("form input[type=submit]").click()
        expect(staff_page).to_have_url("/admin/groups/group/review-queue/")
        expect(staff_page.locator(".tg-queue-empty")).to_be_visible()

    # Back with the leader: admitted again, in Swedish, with the first admission date kept.
    page.goto(f"/groups/{group.slug}/")
    expect_language(page, "sv")
    expect(page.locator("main .status-badge").first).to_have_text(exact("sv", "Admitted"))
    expect(page.locator("main .return-request")).to_have_count(0)
    group.refresh_from_db()
    request.refresh_from_db()
    assert group.status == Group.Status.ADMITTED
    assert group.admitted_at == first_admission
    assert request.status == ReturnRequest.Status.DECIDED
    decision = mail_to(leader.email, count=2)[-1]
    assert decision.subject.endswith(f"{group.name} har antagits till Tech Groups-programmet")
    assert text("sv", "Ask for a new review") != "Ask for a new review"
