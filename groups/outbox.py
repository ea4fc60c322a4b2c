"""The e-mail outbox: every e-mail is a row written with the change that causes it, sent once.

A task queued after the commit is lost when the broker is down or the worker dies; a row
written in the same transaction is not. After the commit the worker is nudged to deliver it;
a sweep every minute (beat) delivers whatever was never nudged, never finished or is due for
another try. Delivery claims the row with one conditional UPDATE before it talks to the SMTP
server and marks it sent afterwards, so a retried task, a duplicate nudge, two sweeps or a
beat tick twice send nothing more.

The one window that remains: a process that dies after the SMTP server accepted a message
and before the row is marked sent leaves it "sending"; after CLAIM_LEASE the row is claimed
and sent again. At that point, and only there, delivery is at-least-once. The stable
Message-ID lets mail clients recognise the second copy.
"""

import logging
import smtplib
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import MIMEPart
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from .mail import RenderedEmail, render_email, send_rendered
from .models import Group, OutboxEmail

logger = logging.getLogger(__name__)

Status = OutboxEmail.Status

#: How long a claim holds: a row "sending" for longer was left by a process that died.
CLAIM_LEASE = timedelta(minutes=10)
#: Rows one sweep takes at most; the next sweep takes the rest.
SWEEP_BATCH = 100
#: Tries before a row is given up as failed (the program team can resend it from the admin).
MAX_ATTEMPTS = 10
#: Backoff after a temporary error: TECHGROUPS_OUTBOX_RETRY_SECONDS (30 s), doubling, at most
#: an hour.
BACKOFF_MAX = timedelta(hours=1)

#: Temporary failures worth another try; SMTP 4xx replies count too (see is_temporary).
TEMPORARY_SMTP_ERRORS: tuple[type[Exception], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)
#: The broker cannot be reached: the row waits for the sweep.
BROKER_ERRORS: tuple[type[Exception], ...] = (BrokerOperationalError, RedisConnectionError)


def is_temporary(error: Exception) -> bool:
    """True for errors a later try may get past: lost connections and SMTP 4xx replies."""
    if isinstance(error, TEMPORARY_SMTP_ERRORS):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    return False


def _due(now: datetime) -> Q:
    """Rows to deliver now: pending and due, or claimed by a process that has since died."""
    pending = Q(status=Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
    return pending | abandoned


#: After the broker failed, this process stops nudging for this many seconds: a connection
#: attempt costs the web request most of a second, and the sweep delivers within a minute.
BROKER_PAUSE = 30.0
_broker_paused_until = 0.0


def outbox_nudge(pk: int) -> None:
    """Ask the worker to deliver a row now; if the broker is down, the sweep delivers it later."""
    global _broker_paused_until
    from .tasks import deliver_outbox_email  # the task module imports this one

    if time.monotonic() < _broker_paused_until:
        return
    try:
        deliver_outbox_email.delay(pk)
    except BROKER_ERRORS as error:
        _broker_paused_until = time.monotonic() + BROKER_PAUSE
        logger.warning(
            "Outbox e-mail %s waits for the sweep: broker unreachable (%s); no nudges for %s s",
            pk,
            error,
            BROKER_PAUSE,
        )


def outbox_nudge_resume() -> None:
    """Nudge again at once (tests; a process that knows the broker is back)."""
    global _broker_paused_until
    _broker_paused_until = 0.0


@transaction.atomic
def outbox_enqueue(
    *,
    key: str,
    kind: str,
    to: str,
    language: str,
    template: str,
    inputs: dict[str, Any],
    group: Group | None = None,
    user: Any = None,
    ics: str = "",
    unsubscribe_url: str = "",
) -> OutboxEmail:
    """Queue an e-mail in the caller's transaction, rendered now in the recipient's language.

    `template` names the registered e-mail (groups/mail.py); its context function builds the
    template's plain values from `inputs`. `key` names the e-mail (kind + recipient + subject
    object + period): queuing the same key again returns the existing row and sends nothing
    more. `ics`, if given, is attached as
    text/calendar with the METHOD it declares. `unsubscribe_url`, for an optional e-mail
    (leaders/preferences.py), is added below the text and sent as List-Unsubscribe.
    The worker is nudged on commit; a rolled-back transaction leaves neither a row nor an
    e-mail.
    """
    existing = OutboxEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    rendered = render_email(
        template, language=language, inputs=inputs, unsubscribe_url=unsubscribe_url
    )
    email = OutboxEmail(
        key=key,
        kind=kind,
        to_email=to,
        language=language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        reply_to=settings.PROGRAM_TEAM_EMAIL,
        ics=ics,
        unsubscribe_url=unsubscribe_url,
        group=group,
        user=user,
    )
    email.full_clean(validate_unique=False)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin must not break the caller
            email.save(force_insert=True)
    except IntegrityError:
        return OutboxEmail.objects.get(key=key)
    # robust: the change has committed; a failing nudge must not turn it into an error page.
    transaction.on_commit(partial(outbox_nudge, email.pk), robust=True)
    return email


def outbox_queued_keys(keys: Iterable[str]) -> set[str]:
    """Which of these keys are queued already (one query): a batch job skips them before
    rendering, and `outbox_enqueue` would return their rows anyway."""
    return set(
        OutboxEmail.objects.filter(key__in=list(keys)).order_by().values_list("key", flat=True)
    )


@dataclass(frozen=True)
class Delivery:
    """What one delivery did: "sent", "skipped" (not ours to send), "retry" or "failed"."""

    outcome: str
    retry_in: timedelta | None = None


SKIPPED = Delivery("skipped")


def _backoff(attempts: int) -> timedelta:
    first = timedelta(seconds=settings.TECHGROUPS_OUTBOX_RETRY_SECONDS)
    return min(first * (1 << max(attempts - 1, 0)), BACKOFF_MAX)


def _message_id(email: OutboxEmail) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<outbox-{email.pk}-{email.created_at:%Y%m%d%H%M%S}@{domain}>"


class UnfoldedHeader(str):
    """A header written on one line as it is (up to the 998 characters RFC 5322 allows).

    Python folds a long header with a URL in it into RFC 2047 encoded words, which mail
    clients do not decode in List-Unsubscribe, and RFC 2369 forbids whitespace inside its
    URL. The email package keeps a value that has a `name` and folds it by calling `fold`.
    """

    name: str

    def __new__(cls, name: str, value: str) -> "UnfoldedHeader":
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __reduce__(self) -> tuple[type["UnfoldedHeader"], tuple[str, str]]:
        return (UnfoldedHeader, (self.name, str(self)))  # copy and pickle (the locmem backend)

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def _headers(email: OutboxEmail) -> dict[str, str]:
    """A stable Message-ID; for an optional e-mail, one-click unsubscribe (RFC 2369, 8058)."""
    headers: dict[str, str] = {"Message-ID": _message_id(email)}
    if email.unsubscribe_url:
        name = "List-Unsubscribe"
        headers[name] = UnfoldedHeader(name, f"<{email.unsubscribe_url}>")
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _calendar_method(ics: str) -> str:
    for line in ics.splitlines():
        if line.upper().startswith("METHOD:"):
            return line.partition(":")[2].strip().upper()
    return "PUBLISH"


def _send_with_calendar(email: OutboxEmail) -> int:
    """Send a row with its .ics: text, HTML, and the calendar as a text/calendar attachment."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=_headers(email),
    )
    message.attach_alternative(email.body_html, "text/html")
    part = MIMEPart()
    part.set_content(
        email.ics,
        subtype="calendar",
        disposition="attachment",
        filename="invite.ics",
        params={"method": _calendar_method(email.ics)},
    )
    message.attach(part)
    return message.send()


def _send_claimed(pk: int, claimed_at: datetime) -> Delivery:
    """Send a row this process has claimed at `claimed_at`, then record how it went."""
    email = OutboxEmail.objects.get(pk=pk)
    ours = OutboxEmail.objects.filter(pk=pk, status=Status.SENDING, claimed_at=claimed_at)
    try:
        if email.ics:
            _send_with_calendar(email)
        else:
            send_rendered(
                to=email.to_email,
                rendered=RenderedEmail(
                    subject=email.subject, text=email.body_text, html=email.body_html
                ),
                reply_to=email.reply_to,
                headers=_headers(email),
            )
    except smtplib.SMTPException as error:
        return _record_error(ours, email, error)
    except TEMPORARY_SMTP_ERRORS as error:
        return _record_error(ours, email, error)
    ours.update(status=Status.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None)
    return Delivery("sent")


def _record_error(ours: QuerySet[OutboxEmail], email: OutboxEmail, error: Exception) -> Delivery:
    text = f"{type(error).__name__}: {error}"[:2000]
    if is_temporary(error) and email.attempts < MAX_ATTEMPTS:
        wait = _backoff(email.attempts)
        ours.update(status=Status.PENDING, last_error=text, next_attempt_at=timezone.now() + wait)
        logger.warning("Outbox e-mail %s: temporary error, retry in %s: %s", email.pk, wait, text)
        return Delivery("retry", retry_in=wait)
    ours.update(status=Status.FAILED, last_error=text, next_attempt_at=None)
    logger.error("Outbox e-mail %s failed: %s", email.pk, text)
    return Delivery("failed")


def outbox_deliver(*, pk: int, now: datetime | None = None) -> Delivery:
    """Claim one row and send it, unless it is sent, failed, not yet due or claimed elsewhere."""
    now = now or timezone.now()
    claimed = (
        OutboxEmail.objects.filter(_due(now), pk=pk)
        .filter(attempts__lt=MAX_ATTEMPTS)
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return SKIPPED
    return _send_claimed(pk, now)


def _give_up_abandoned(now: datetime) -> int:
    """Rows whose every try died mid-send (e.g. a message that crashes the worker) fail."""
    return OutboxEmail.objects.filter(
        _due(now), status=Status.SENDING, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=Status.FAILED,
        last_error=f"Given up after {MAX_ATTEMPTS} attempts that did not finish.",
    )


def outbox_sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> dict[str, int]:
    """Deliver rows never nudged, never finished or due again; returns counts by outcome.

    The rows are locked with SKIP LOCKED and claimed in one short transaction, so two sweeps
    never take the same row; each is then sent and marked on its own, so a sweep killed in
    the middle of its batch leaves the sent ones marked and the others for a later sweep.
    """
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    given_up = _give_up_abandoned(now)
    if given_up:
        counts["failed"] += given_up
    with transaction.atomic():
        pks = list(
            OutboxEmail.objects.filter(_due(now), attempts__lt=MAX_ATTEMPTS)
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        OutboxEmail.objects.filter(pk__in=pks).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    for pk in pks:
        counts[_send_claimed(pk, now).outcome] += 1
    return dict(counts)


def outbox_cancel(*, keys: list[str], reason: str) -> int:
    """Withdraw e-mails not yet on their way, e.g. an invitation replaced by a newer one.

    Runs in the caller's transaction; a row already claimed for sending is left alone.
    """
    return OutboxEmail.objects.filter(key__in=keys, status=Status.PENDING).update(
        status=Status.CANCELLED, last_error=reason[:2000], next_attempt_at=None
    )


@transaction.atomic
def outbox_resend(*, emails: QuerySet[OutboxEmail], by: Any) -> int:
    """Queue failed e-mails again (the program team's "Resend"); returns how many.

    Only failed rows: a sent one is not sent twice by a slip of the mouse.
    """
    if not getattr(by, "is_staff", False):
        raise ValidationError(_("Only the program team can resend e-mail."))
    pks = list(
        OutboxEmail.objects.filter(pk__in=emails.values("pk"), status=Status.FAILED)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    OutboxEmail.objects.filter(pk__in=pks).update(
        status=Status.PENDING, attempts=0, next_attempt_at=None, claimed_at=None
    )
    for pk in pks:
        transaction.on_commit(partial(outbox_nudge, pk), robust=True)
    return len(pks)
