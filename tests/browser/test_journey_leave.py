"""Journey 7: a leader asks for the group to leave the program, with a reason, and confirms."""

import pytest
from playwright.sync_api import Page, expect

from groups.models import Group
from leaders.models import Leadership
from membership.models import LeaveRequest
from tests.browser.helpers import (
    LANGUAGES,
    PASSWORD,
    create,
    exact,
    expect_heading,
    expect_language,
    has_class,
    sign_in,
    text,
)
from tests.builders import verified_user
from tests.factories import GroupFactory, LeadershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Our organisers are moving abroad and nobody can take the group over."


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_leader_requests_to_leave_and_the_dashboard_shows_the_open_request(
    page: Page, language: str
) -> None:
    leader = verified_user(
        email=f"leader-{language}@example.org", preferred_language=language, password=PASSWORD
    )
    group = create(Group, GroupFactory, name="Umeå Azure Group", admitted=True)
    create(Leadership, LeadershipFactory, group=group, user=leader, role=Leadership.Role.LEADER)

    sign_in(page, email=leader.email)
    page.locator(f"main a[href='/groups/{group.slug}/']").first.click()
    page.locator(f"main nav a[href='/groups/{group.slug}/leave/']").click()
    expect_heading(page, language, "Leave the program")
    expect_language(page, language)

    # The reason alone is not enough: the leader must confirm.
    form = page.locator("main form[method=post]")
    form.locator("[name=reason]").fill(REASON)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"/groups/{group.slug}/leave/")
    expect(page.locator("main form [name=confirm]")).to_have_class(has_class("is-invalid"))
    expect(page.locator("#div_id_confirm .invalid-feedback")).to_have_text(
        exact(language, "Tick the box to confirm that the group wants to leave.")
    )
    expect(page.locator("main form [name=reason]")).to_have_value(REASON)
    assert not LeaveRequest.objects.exists()

    page.locator("main form [name=confirm]").check()
    page.locator("main form[method=post] button[type=submit]").click()

    # Back on the dashboard, which shows the open request.
    expect(page).to_have_url(f"/groups/{group.slug}/")
    expect_language(page, language)
    expect(page.locator("main .alert-success, main [role=status]").first).to_contain_text(
        text(
            language,
            "Your request to leave the program is sent. The program team will process it.",
        )
    )
    open_request = page.locator("main .alert").filter(
        has=page.get_by_role("heading", name=exact(language, "Request to leave the program"))
    )
    expect(open_request).to_be_visible()
    open_request.locator(f"a[href='/groups/{group.slug}/leave/']").click()

    # The leave page now shows the request instead of the form.
    request_card = page.locator("section[aria-labelledby=request-title]")
    expect(request_card.get_by_role("heading")).to_have_text(
        exact(language, "Your request to leave")
    )
    expect(request_card).to_contain_text(REASON)
    expect(request_card).to_contain_text(text(language, "Open"))
    expect(page.locator("main form[method=post]")).to_have_count(0)

    leave_request = LeaveRequest.objects.get(group=group)
    assert leave_request.requested_by == leader
    assert leave_request.status == LeaveRequest.Status.OPEN
