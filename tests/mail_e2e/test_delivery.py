"""What arrives at a real SMTP server when a real worker sends the portal's e-mail.

A call invitation (the beat task, run by the worker through Redis) and a review decision (the
service, nudging the worker on commit) to the leader (English) and co-leader (Swedish) of an
admitted group: recipients, subject, language, text and HTML parts, and the .ics read back.
"""

from datetime import UTC, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from leaders.models import Leadership
from membership.services import review_decide
from notifications.models import OutboxEmail
from program.ics import call_uid
from program.tasks import queue_quarterly_call_emails
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    QuarterlyCallFactory,
    StaffFactory,
    UserFactory,
)

from .harness import statuses, tally, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def parts(message: EmailMessage) -> dict[str, EmailMessage]:
    """The message's leaf parts by content type (one of each is expected)."""
    found: dict[str, EmailMessage] = {}
    for part in message.walk():
        if not part.is_multipart():
            assert part.get_content_type() not in found, part.get_content_type()
            found[part.get_content_type()] = part
    return found


def content(part: EmailMessage) -> str:
    """A part's decoded text, with the line ends it had before SMTP made them CRLF."""
    return part.get_content().replace("\r\n", "\n").strip()


def subject(message: EmailMessage) -> str:
    # Python's e-mail generator folds a long Subject onto its own line; unfolded, it keeps the
    # folding space, which mail clients drop.
    return " ".join(str(message["Subject"]).split())


def one_to(smtp, address: str, subject_start: str) -> EmailMessage:
    (message,) = [m for m in smtp.mailbox.to(address) if subject(m).startswith(subject_start)]
    row = OutboxEmail.objects.get(to_email=address, subject=subject(message))
    assert row.language == row.user.preferred_language  # rendered in the recipient's language
    found = parts(message)
    assert content(found["text/plain"]) == row.body_text.strip()
    assert content(found["text/html"]) == row.body_html.strip()
    return message


def test_call_invitation_and_decision_arrive_in_each_leaders_language(worker, smtp, program_team):
    group = GroupFactory(admitted=True, name="Stockholm Azure", timezone="Europe/Stockholm")
    english = LeadershipFactory(
        group=group, user=UserFactory(name="Ada Lovelace", preferred_language="en")
    ).user
    swedish = LeadershipFactory(
        group=group,
        role=Leadership.Role.CO_LEADER,
        user=UserFactory(name="Sven Svensson", preferred_language="sv"),
    ).user
    starts_at = (timezone.now() + timedelta(days=3)).replace(
        hour=16, minute=0, second=0, microsecond=0, tzinfo=UTC
    )
    call = QuarterlyCallFactory(
        title="Leaders call E2E",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=75),
        agenda="1. Welcome\n2. Your questions",
    )
    staff = StaffFactory()
    staff.groups.add(program_team)

    queue_quarterly_call_emails.apply_async()  # as beat sends it
    review_decide(
        group=group,
        by=staff,
        decision="keep",
        message="Keep up the good work.",
        expected_version=group.version,
    )

    wait_until(lambda: smtp.mailbox.count() >= 4, what="4 messages")
    wait_until(lambda: statuses() == {"sent": 4}, what="4 rows marked sent")
    arrivals = tally(
        "delivery", list(OutboxEmail.objects.values_list("pk", flat=True)), smtp.mailbox
    )
    assert sorted(arrivals.values()) == [1, 1, 1, 1]

    local = starts_at.astimezone(STOCKHOLM)
    invitations = {
        "en": one_to(smtp, english.email, "[Tech Groups] Invitation: Leaders call E2E on "),
        "sv": one_to(smtp, swedish.email, "[Tech Groups] Inbjudan: Leaders call E2E den "),
    }
    uids = set()
    for language, message in invitations.items():
        assert message["From"] == "Tech Groups <groups@example.org>"
        assert message["Reply-To"] == "program-team@example.org"
        found = parts(message)
        assert set(found) == {"text/plain", "text/html", "text/calendar"}
        text = content(found["text/plain"])
        html = content(found["text/html"])
        assert f'<html lang="{language}">' in html
        assert "Leaders call E2E" in html
        assert "1. Welcome" in text
        assert "Stockholm Azure" in text
        assert f"({local.tzname()})" in text  # the time as the group keeps it
        if language == "en":
            assert "Hello Ada Lovelace," in text
            assert "When:" in text
        else:
            assert "Hej Sven Svensson!" in text
            assert f"När: {local.day} " in text
            assert f"{local:%H:%M}" in text

        attachment = found["text/calendar"]
        assert attachment.get_filename() == "invite.ics"
        assert attachment.get_param("method") == "REQUEST"
        calendar = Calendar.from_ical(attachment.get_content())
        assert calendar["method"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        uids.add(str(event["uid"]))
        assert event.decoded("dtstart") == starts_at
        assert event.decoded("dtstart").utcoffset() == timedelta(0)
        assert event["dtstart"].to_ical() == starts_at.strftime("%Y%m%dT%H%M%SZ").encode()
        assert event.decoded("dtend") == starts_at + timedelta(minutes=75)
        assert str(event["attendee"]) == f"mailto:{message['To']}"
        assert event["sequence"] == 0
    assert uids == {call_uid(call)}  # one UID for every recipient: one event in each calendar

    decisions = {
        "en": one_to(smtp, english.email, "[Tech Groups] Stockholm Azure stays in the program"),
        "sv": one_to(
            smtp, swedish.email, "[Tech Groups] Stockholm Azure är fortsatt med i programmet"
        ),
    }
    for language, message in decisions.items():
        found = parts(message)
        assert set(found) == {"text/plain", "text/html"}
        text = content(found["text/plain"])
        assert "Keep up the good work." in text
        assert f'<html lang="{language}">' in content(found["text/html"])
        assert ("Hello Ada Lovelace," if language == "en" else "Hej Sven Svensson!") in text
