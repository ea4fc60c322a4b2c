"""Journey: a leader asks the program team a question in Swedish from the footer's contact
link, a member of the team answers it in the admin, and the leader reads the answer in the
portal; the answer's e-mail (an outbox row, in Swedish) carries it."""

import pytest
from django.contrib.auth.models import Group as AuthGroup
from playwright.sync_api import Browser, Page, expect

from contact.models import Thread
from groups.models import Group
from leaders.models import Leadership
from notifications.models import OutboxEmail
from tests.browser.helpers import (
    PASSWORD,
    create,
    expect_language,
    second_visitor,
    sign_in,
    text,
)
from tests.browser.test_journey_staff_review import program_team_member, sign_in_to_the_admin
from tests.builders import verified_user
from tests.factories import GroupFactory, LeadershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Får vi hålla mötet på engelska?"
QUESTION = "Vår nästa talare talar inte svenska. <b>Går det bra?</b>"
ANSWER = "Ja, det går bra: programmet vill ha möten på gruppens språk, engelska också."


def test_a_leader_asks_in_swedish_and_reads_the_answer_from_the_admin(
    page: Page,
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    console_errors: list[str],
    program_team: AuthGroup,
) -> None:
    leader = verified_user(
        email="lisa@example.org", name="Lisa Ledare", preferred_language="sv", password=PASSWORD
    )
    group = create(Group, GroupFactory, name="Luleå Azure Group", admitted=True)
    create(Leadership, LeadershipFactory, group=group, user=leader, role=Leadership.Role.LEADER)

    # The leader writes from the footer's link, in Swedish.
    sign_in(page, email=leader.email)
    expect_language(page, "sv")
    page.locator("footer").get_by_role("link", name=text("sv", "Contact the program team")).click()
    expect(page.locator("main")).to_contain_text("program-team@example.org")
    form = page.locator("main form[method=post]")
    form.locator("[name=group]").select_option(group.slug)
    form.locator("[name=kind]").select_option(Thread.Kind.QUESTION)
    form.locator("[name=subject]").fill(SUBJECT)
    form.locator("[name=body]").fill(QUESTION)
    form.locator("button[type=submit]").click()

    thread = Thread.objects.get()
    expect(page).to_have_url(f"/contact/conversations/{thread.pk}/")
    expect_language(page, "sv")
    expect(page.locator("main h1")).to_have_text(SUBJECT)
    expect(page.locator("main .message-body")).to_contain_text(QUESTION)  # shown as text
    notice = OutboxEmail.objects.get(kind="contact_message")
    assert QUESTION in notice.body_text

    # A member of the program team answers in the admin.
    staff = program_team_member(program_team)
    with second_visitor(browser, live_server.url, console_errors) as admin_page:
        sign_in_to_the_admin(admin_page, staff)
        admin_page.goto("/admin/contact/thread/?status__exact=open")
        admin_page.get_by_role("link", name=SUBJECT).click()
        admin_page.get_by_role("link", name="Answer, close or reopen").click()
        expect(admin_page.locator("#content-main")).to_contain_text(QUESTION)
        admin_page.locator("[name=body]").fill(ANSWER)
        admin_page.get_by_role("button", name="Send the answer", exact=True).click()
        expect(admin_page.locator(".messagelist")).to_contain_text(
            "The answer is sent and shows in the portal."
        )

    # The leader reads the answer in the portal.
    page.goto("/contact/conversations/")
    expect_language(page, "sv")
    row = page.locator("main tbody tr").filter(has_text=SUBJECT)
    expect(row).to_contain_text(text("sv", "Answered"))
    row.get_by_role("link", name=SUBJECT).click()
    expect(page.locator("main .message-body").nth(1)).to_contain_text(ANSWER)
    expect(page.locator("main")).to_contain_text(text("sv", "The program team"))

    # The e-mail to the leader, in Swedish, carries the answer and the link back.
    email = OutboxEmail.objects.get(kind="contact_answer")
    assert email.to_email == leader.email
    assert email.language == "sv"
    assert ANSWER in email.body_text
    assert f"/contact/conversations/{thread.pk}/" in email.body_text
    assert "Programteamet har svarat" in email.subject
