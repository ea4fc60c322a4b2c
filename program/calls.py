"""The quarterly call's e-mail: invitation, reminder, update, cancellation and follow-up.

Every e-mail goes through the outbox under a key naming its kind, the call and the
recipient (and, for updates, the call's SEQUENCE), so a duplicate beat tick or a second
save sends nothing twice. The invitation and every update carry the call's .ics with the
same UID, so calendar clients replace the event they have instead of adding a second one.

The reminder and the follow-up are optional (notifications/preferences.py): the reminder goes only
to leaders who get optional e-mail as it comes (a day-old reminder in a weekly digest would
be stale); the follow-up goes to them too, and into the weekly digest of those who chose it
(program/news.py, through `call_followups_between`). Both carry an unsubscribe link.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest
from icalendar import vCalAddress

from groups.models import Group
from leaders.models import Leadership, User
from notifications.models import OutboxEmail
from notifications.outbox import outbox_enqueue, outbox_queued_keys
from notifications.preferences import unsubscribe_url_for, wants_now

from .ics import call_calendar
from .models import QuarterlyCall

#: What an update is about: a calendar client must see these changes.
CALENDAR_FIELDS = frozenset({"title", "starts_at", "ends_at", "agenda", "join_url"})
#: What a follow-up needs: both links.
FOLLOWUP_FIELDS = ("recording_url", "slides_url")


@dataclass
class CallRecipient:
    """One person who gets the call's e-mail, and the admitted groups they lead."""

    user: User
    groups: list[Group] = field(default_factory=list)

    @property
    def only_group(self) -> Group | None:
        """The group an e-mail to this person is about, when they lead just one."""
        return self.groups[0] if len(self.groups) == 1 else None


@dataclass(frozen=True)
class CallEmailKind:
    kind: str
    template: str
    method: str = ""  # the .ics METHOD, or "" for no attachment


INVITATION = CallEmailKind("call-invitation", "call_invitation", "REQUEST")
REMINDER = CallEmailKind("call-reminder", "call_reminder")
UPDATE = CallEmailKind("call-update", "call_update", "REQUEST")
CANCELLATION = CallEmailKind("call-cancelled", "call_cancelled", "CANCEL")
FOLLOWUP = CallEmailKind("call-followup", "call_followup")


def call_email_key(kind: CallEmailKind, call: QuarterlyCall, user_pk: int) -> str:
    """The outbox key: kind + call (+ SEQUENCE for updates) + recipient."""
    if kind is UPDATE:
        return f"{kind.kind}:{call.pk}:{call.sequence}:{user_pk}"
    return f"{kind.kind}:{call.pk}:{user_pk}"


# Selectors ---------------------------------------------------------------------------------


def call_recipients() -> list[CallRecipient]:
    """Every active leader and co-leader of an admitted group, once each: one query."""
    leaderships = (
        Leadership.objects.active()
        .filter(Group.benefits_q("group__"), user__is_active=True)
        .select_related("user", "group")
        .order_by("user_id", "group__name")
    )
    recipients: dict[int, CallRecipient] = {}
    for leadership in leaderships:
        recipient = recipients.setdefault(leadership.user_id, CallRecipient(leadership.user))
        recipient.groups.append(leadership.group)
    return list(recipients.values())


def call_invitations_due(*, now: datetime) -> QuerySet[QuarterlyCall]:
    """Scheduled calls not yet started whose invitation day has come."""
    days = timedelta(days=settings.TECHGROUPS_CALL_INVITATION_DAYS)
    return QuarterlyCall.objects.filter(
        status=QuarterlyCall.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + days
    ).order_by("starts_at")


def call_reminders_due(*, now: datetime) -> QuerySet[QuarterlyCall]:
    """Scheduled calls starting within a day."""
    return call_invitations_due(now=now).filter(starts_at__lte=now + timedelta(days=1))


#: Only recent calls get a follow-up: a recording added to a call from long ago (or the job's
#: first run on old data) must not mail every leader about it.
FOLLOWUP_WINDOW = timedelta(days=30)


def call_followups_due(*, now: datetime) -> QuerySet[QuarterlyCall]:
    """Calls that ended in the last 30 days and have both the recording and the slides."""
    return (
        QuarterlyCall.objects.filter(
            status=QuarterlyCall.Status.SCHEDULED,
            ends_at__lte=now,
            ends_at__gte=now - FOLLOWUP_WINDOW,
        )
        .exclude(Q(recording_url="") | Q(slides_url=""))
        .order_by("starts_at")
    )


def call_followups_between(*, start: datetime, end: datetime) -> QuerySet[QuarterlyCall]:
    """Calls whose follow-up became due in [start, end), for the weekly digest.

    A follow-up is due once the call is over and both links are set; the call's last change
    stands in for the moment the links were added. Like the job, only calls that ended
    within FOLLOWUP_WINDOW of it.
    """
    return (
        QuarterlyCall.objects.filter(
            status=QuarterlyCall.Status.SCHEDULED,
            ends_at__lt=end,
            ends_at__gte=start - FOLLOWUP_WINDOW,
        )
        .exclude(Q(recording_url="") | Q(slides_url=""))
        .alias(followup_due_at=Greatest(F("ends_at"), F("updated_at")))
        .filter(followup_due_at__gte=start, followup_due_at__lt=end)
        .order_by("starts_at")
    )


def _invited_recipients(call: QuarterlyCall) -> list[CallRecipient]:
    """Who has this call in their calendar: whoever was sent (or is owed) its invitation."""
    prefix = f"{INVITATION.kind}:{call.pk}:"
    user_pks = OutboxEmail.objects.filter(key__startswith=prefix).values("user_id")
    groups_by_user: dict[int, list[Group]] = {
        recipient.user.pk: recipient.groups for recipient in call_recipients()
    }
    return [
        CallRecipient(user, groups_by_user.get(user.pk, []))
        for user in User.objects.filter(pk__in=user_pks, is_active=True).order_by("pk")
    ]


# The e-mail --------------------------------------------------------------------------------


def call_email_ics(call: QuarterlyCall, *, method: str, to: User, now: datetime) -> str:
    """The call's calendar for one recipient as an invitation (REQUEST) or cancellation."""
    calendar = call_calendar(call, now=now)
    calendar.pop("method")
    calendar.add("method", method)
    event = calendar.subcomponents[0]
    organizer = vCalAddress(f"mailto:{settings.PROGRAM_TEAM_EMAIL}")
    organizer.params["cn"] = "Tech Groups"
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{to.email}")
    attendee.params["cn"] = to.display_name
    attendee.params["role"] = "REQ-PARTICIPANT"
    event.add("attendee", attendee)
    ics: bytes = calendar.to_ical()
    return ics.decode("utf-8")


def _enqueue_for(
    *,
    kind: CallEmailKind,
    call: QuarterlyCall,
    recipients: list[CallRecipient],
    now: datetime,
) -> int:
    """Queue one e-mail per recipient not yet owed one; returns how many were queued.

    Leaders who get optional e-mail in the digest or not at all are left out of the
    optional kinds (notifications/preferences.py).
    """
    keys = {
        call_email_key(kind, call, r.user.pk): r
        for r in recipients
        if wants_now(r.user, kind.template)
    }
    existing = outbox_queued_keys(keys)
    queued = 0
    for key, recipient in keys.items():
        if key in existing:
            continue
        user = recipient.user
        ics = call_email_ics(call, method=kind.method, to=user, now=now) if kind.method else ""
        email = outbox_enqueue(
            key=key,
            kind=kind.kind,
            to=user.email,
            language=user.preferred_language,
            template=kind.template,
            inputs={"call": call, "user": user, "groups": recipient.groups},
            group=recipient.only_group,
            user=user,
            ics=ics,
            unsubscribe_url=unsubscribe_url_for(user, kind.template),
        )
        queued += email.queued_now  # not what a concurrent run queued first
    return queued


# Services ----------------------------------------------------------------------------------


@transaction.atomic
def queue_call_emails(*, now: datetime) -> dict[str, int]:
    """The hourly job: invitations, day-before reminders and follow-ups that are due.

    Runs a fixed number of queries to choose (the calls, the recipients of all admitted
    groups once, the keys already queued per call), then one insert per new e-mail.
    """
    counts = {"invitations": 0, "reminders": 0, "followups": 0}
    invitations = list(call_invitations_due(now=now))
    reminders = list(call_reminders_due(now=now))
    followups = list(call_followups_due(now=now))
    if not (invitations or reminders or followups):
        return counts
    recipients = call_recipients()
    for call in invitations:
        counts["invitations"] += _enqueue_for(
            kind=INVITATION, call=call, recipients=recipients, now=now
        )
    for call in reminders:
        counts["reminders"] += _enqueue_for(
            kind=REMINDER, call=call, recipients=recipients, now=now
        )
    for call in followups:
        counts["followups"] += _enqueue_for(
            kind=FOLLOWUP, call=call, recipients=recipients, now=now
        )
    return counts


#: Every field whose change an e-mail reports.
WATCHED_FIELDS = (*sorted(CALENDAR_FIELDS), *FOLLOWUP_FIELDS, "status")


@transaction.atomic
def call_changed(*, call: QuarterlyCall, by: Any, now: datetime) -> QuarterlyCall:
    """Save a call the program team edited; tell the invited leaders what changed.

    A change to the time, title, agenda or join link, or a cancellation, raises SEQUENCE and
    sends an update (or a cancellation) to everyone already invited; recording and slides
    on a call that is over send the follow-up.

    What changed is read against the stored call under its row lock, not from the form: of
    two people saving the same new time at once, the second finds nothing changed, so each
    leader gets one update.
    """
    is_new = call.pk is None
    cancelled = call.status == QuarterlyCall.Status.CANCELLED
    was_cancelled = False
    changed: set[str] = set()
    if not is_new:
        previous = QuarterlyCall.objects.select_for_update().get(pk=call.pk)
        was_cancelled = previous.status == QuarterlyCall.Status.CANCELLED
        changed = {
            name for name in WATCHED_FIELDS if getattr(previous, name) != getattr(call, name)
        }
        call.sequence = previous.sequence
        if changed & CALENDAR_FIELDS or "status" in changed:
            call.sequence += 1
    call.full_clean()
    call.save()
    if is_new:
        return call
    if cancelled and not was_cancelled:
        _enqueue_for(kind=CANCELLATION, call=call, recipients=_invited_recipients(call), now=now)
    elif not cancelled and (changed & CALENDAR_FIELDS or was_cancelled):
        _enqueue_for(kind=UPDATE, call=call, recipients=_invited_recipients(call), now=now)
    if (
        not cancelled
        and call.ends_at <= now
        and all(getattr(call, name) for name in FOLLOWUP_FIELDS)
        and changed & set(FOLLOWUP_FIELDS)
    ):
        _enqueue_for(kind=FOLLOWUP, call=call, recipients=call_recipients(), now=now)
    return call
