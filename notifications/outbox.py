"""The e-mail outbox: every e-mail is a row written with the change that causes it, sent once.

A task queued after the commit is lost when the broker is down or the worker dies; a row
written in the same transaction is not. After the commit the worker is nudged to deliver it;
a sweep every minute (beat) delivers whatever was never nudged, never finished or is due for
another try, batch after batch while rows are due, urgent ones first, one SMTP connection per
batch: a backlog drains at the SMTP server's pace.

Delivery claims a row with one conditional UPDATE, then, for each message, marks it "handed"
just before giving it to the SMTP server and "sent" as soon as the server accepts it. A
retried task, a duplicate nudge, two sweeps or a beat tick twice send nothing more. A claim
that never reached the SMTP server (its process died or was slow) is free again after
CLAIM_LEASE; the claimer checks the row is still its own before handing it over.

The one window that remains: a process that dies after the SMTP server accepted a message
and before the row is marked sent leaves it "handed"; after HANDED_LEASE it is sent again.
There, and only there, delivery is at-least-once: the window is the server's "250" reply and
one UPDATE. The stable Message-ID lets mail clients recognise a second copy.
"""

import logging
import smtplib
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header
from email.message import MIMEPart
from email.utils import parseaddr
from functools import partial
from types import TracebackType
from typing import Any

from celery import current_app
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from .mail import RenderedEmail, email_kinds, render_email
from .models import OutboxEmail

logger = logging.getLogger(__name__)

Status = OutboxEmail.Status
Priority = OutboxEmail.Priority

#: A row claimed but not yet handed to the SMTP server is free again after this: nothing of it
#: has left, and its claimer (dead or slow) checks that it still owns a row before handing it.
CLAIM_LEASE = timedelta(minutes=1)
#: A row handed to the SMTP server but never marked may have been sent: it waits this long
#: before it is sent again (the at-least-once window, see above).
HANDED_LEASE = timedelta(minutes=10)
#: Rows one batch claims: they go over one SMTP connection.
SWEEP_BATCH = 100
#: A sweep takes no new batch after this many seconds (the task's soft limit is 240 s); the
#: next minute's sweep goes on.
SWEEP_SECONDS = 150.0
#: Tries before a row is given up as failed (the program team can resend it from the admin).
MAX_ATTEMPTS = 10
#: Backoff after a temporary error: TECHGROUPS_OUTBOX_RETRY_SECONDS (30 s), doubling, at most
#: an hour.
BACKOFF_MAX = timedelta(hours=1)
#: What replaces the text of an e-mail with a sign-in secret once it is sent.
REMOVED_TEXT = "(Removed after sending: this e-mail carried a one-time sign-in link.)"

#: Temporary failures worth another try; SMTP 4xx replies count too (see is_temporary).
TEMPORARY_SMTP_ERRORS: tuple[type[Exception], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)
#: What handing a message to the server may raise (SMTPException is an OSError too): recorded
#: on the row, never raised.
SEND_ERRORS: tuple[type[Exception], ...] = (OSError,)
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
    # Other network trouble (the server's name does not resolve, a reset connection).
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _due(now: datetime) -> Q:
    """Rows to deliver now: pending and due, claimed by a process that never handed them to
    the SMTP server within CLAIM_LEASE, or handed by one that died (after HANDED_LEASE)."""
    pending = Q(status=Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    never_handed = Q(
        status=Status.SENDING, handed_at__isnull=True, claimed_at__lt=now - CLAIM_LEASE
    )
    abandoned = Q(status=Status.SENDING, handed_at__lt=now - HANDED_LEASE)
    return pending | never_handed | abandoned


#: The task that delivers one row (notifications/tasks.py).
DELIVER_TASK = "notifications.tasks.deliver_outbox_email"
#: After the broker failed, this process stops nudging for this many seconds: a connection
#: attempt costs the web request most of a second, and the sweep delivers within a minute.
BROKER_PAUSE = 30.0
_broker_paused_until = 0.0


def outbox_nudge(pk: int) -> None:
    """Ask the worker to deliver a row now; if the broker is down, the sweep delivers it later."""
    global _broker_paused_until
    if time.monotonic() < _broker_paused_until:
        return
    try:
        # By name: the task module imports this one (NotificationsConfig.ready imports it).
        current_app.tasks[DELIVER_TASK].delay(pk)
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
    group: Any = None,  # the groups.Group the e-mail is about
    user: Any = None,
    ics: str = "",
    unsubscribe_url: str = "",
) -> OutboxEmail:
    """Queue an e-mail in the caller's transaction, rendered now in the recipient's language.

    `template` names the registered e-mail (notifications/mail.py); its context function builds the
    template's plain values from `inputs`, and its priority orders a backlog. `key` names the
    e-mail (kind + recipient + subject object + period): queuing the same key again returns
    the existing row (`queued_now` False) and sends nothing more. `ics`, if given, is attached
    as text/calendar with the METHOD it declares. `unsubscribe_url`, for an optional e-mail
    (notifications/preferences.py), is added below the text and sent as List-Unsubscribe.
    The worker is nudged on commit; a rolled-back transaction leaves neither a row nor an
    e-mail.
    """
    existing = OutboxEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    rendered = render_email(
        template, language=language, inputs=inputs, unsubscribe_url=unsubscribe_url
    )
    return outbox_enqueue_rendered(
        key=key,
        kind=kind,
        to=to,
        language=language,
        rendered=rendered,
        priority=email_kinds()[template].priority,
        group=group,
        user=user,
        ics=ics,
        unsubscribe_url=unsubscribe_url,
    )


@transaction.atomic
def outbox_enqueue_rendered(
    *,
    key: str,
    kind: str,
    to: str,
    language: str,
    rendered: RenderedEmail,
    priority: int = Priority.NORMAL,
    carries_secret: bool = False,
    group: Any = None,  # the groups.Group the e-mail is about
    user: Any = None,
    ics: str = "",
    unsubscribe_url: str = "",
) -> OutboxEmail:
    """Queue an e-mail rendered elsewhere (allauth's account e-mails), as `outbox_enqueue`.

    `carries_secret`: the text holds a sign-in secret; the admin does not show it and it is
    removed once the e-mail is sent.
    """
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
        priority=priority,
        carries_secret=carries_secret,
        group=group,
        user=user,
    )
    email.full_clean(validate_unique=False)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin must not break the caller
            email.save(force_insert=True)
    except IntegrityError:
        return OutboxEmail.objects.get(key=key)
    email.queued_now = True
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
    #: The mail server could not be reached or dropped the connection (not the message's fault).
    unreachable: bool = False


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
        return (type(self), (self.name, str(self)))  # copy and pickle (the locmem backend)

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self}{policy.linesep}"


class SubjectHeader(UnfoldedHeader):
    """A Subject folded so that it unfolds to exactly its text.

    The email package's own folding doubles a space where it breaks a long non-ASCII subject
    next to an encoded word ("fler  Azure-träffar" once decoded), and puts a long ASCII one
    on a line of its own after "Subject:" (decoded with a leading space). Here an ASCII
    subject is broken before its spaces, and any other is written as RFC 2047 encoded words
    from end to end, which decoders join without the folding between them.
    """

    WIDTH = 78

    def fold(self, *, policy: Any) -> str:
        text = str(self)
        if not text.isascii() or "=?" in text:
            encoded = Header(text, "utf-8", header_name=self.name).encode(linesep=policy.linesep)
            return f"{self.name}: {encoded}{policy.linesep}"
        linesep: str = policy.linesep
        lines, line = [], f"{self.name}:"
        for word in text.split(" "):
            if len(line) + 1 + len(word) > self.WIDTH and line != f"{self.name}:":
                lines.append(line)
                line = ""
            line += f" {word}"
        return linesep.join([*lines, line]) + linesep


class OutboxMessage(EmailMultiAlternatives):
    """The message of an outbox row, its subject folded by SubjectHeader."""

    def message(self, *, policy: Any = None) -> Any:
        message = super().message() if policy is None else super().message(policy=policy)
        del message["Subject"]
        message["Subject"] = SubjectHeader("Subject", str(self.subject))
        return message


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


def outbox_message(email: OutboxEmail) -> OutboxMessage:
    """The message a row stands for: text, HTML, and its .ics as a text/calendar attachment."""
    message = OutboxMessage(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=_headers(email),
    )
    message.attach_alternative(email.body_html, "text/html")
    if email.ics:
        part = MIMEPart()
        part.set_content(
            email.ics,
            subtype="calendar",
            disposition="attachment",
            filename="invite.ics",
            params={"method": _calendar_method(email.ics)},
        )
        message.attach(part)
    return message


class OutboxMailer:
    """One connection to the mail server for a batch: opened for the first message, dropped
    after an error so that the next message gets a fresh one."""

    def __init__(self) -> None:
        self.connection: Any = None

    def send(self, message: OutboxMessage) -> None:
        """Hand `message` to the server; returns once it accepted it, raises if it did not."""
        if self.connection is None:
            self.connection = mail.mailers.default
            self.connection.open()
        self.connection.send_messages([message])

    def reset(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except (OSError, smtplib.SMTPException):
                logger.info("Closing a broken mail server connection failed", exc_info=True)

    def __enter__(self) -> "OutboxMailer":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.reset()


def _deliver_claimed(
    pk: int, *, claimed_at: datetime, mailer: OutboxMailer, now: datetime | None
) -> Delivery:
    """Send one row this process claimed at `claimed_at`: mark it handed (unless another
    process has taken it since), give it to the server, mark it sent as soon as it accepts."""
    handed_at = now or timezone.now()
    handed = OutboxEmail.objects.filter(
        pk=pk, status=Status.SENDING, claimed_at=claimed_at, handed_at__isnull=True
    ).update(handed_at=handed_at, attempts=F("attempts") + 1)
    if not handed:
        return SKIPPED
    email = OutboxEmail.objects.get(pk=pk)
    ours = OutboxEmail.objects.filter(pk=pk, status=Status.SENDING, handed_at=handed_at)
    try:
        mailer.send(outbox_message(email))
    except SEND_ERRORS as error:
        mailer.reset()
        return _record_error(ours, email, error)
    sent: dict[str, Any] = {"status": Status.SENT, "sent_at": timezone.now(), "last_error": ""}
    if email.carries_secret:
        sent.update(body_text=REMOVED_TEXT, body_html="")
    ours.update(next_attempt_at=None, **sent)
    return Delivery("sent")


def is_unreachable(error: Exception) -> bool:
    """True when the connection failed, not the message: the next message would fail too."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _record_error(ours: QuerySet[OutboxEmail], email: OutboxEmail, error: Exception) -> Delivery:
    text = f"{type(error).__name__}: {error}"[:2000]
    if is_temporary(error) and email.attempts < MAX_ATTEMPTS:
        wait = _backoff(email.attempts)
        ours.update(status=Status.PENDING, last_error=text, next_attempt_at=timezone.now() + wait)
        logger.warning("Outbox e-mail %s: temporary error, retry in %s: %s", email.pk, wait, text)
        return Delivery("retry", retry_in=wait, unreachable=is_unreachable(error))
    ours.update(status=Status.FAILED, last_error=text, next_attempt_at=None)
    logger.error("Outbox e-mail %s failed: %s", email.pk, text)
    return Delivery("failed")


def _claim(queryset: QuerySet[OutboxEmail], now: datetime) -> int:
    return queryset.update(status=Status.SENDING, claimed_at=now, handed_at=None)


def outbox_deliver(*, pk: int, now: datetime | None = None) -> Delivery:
    """Claim one row and send it, unless it is sent, failed, not yet due or claimed elsewhere."""
    claimed_at = now or timezone.now()
    due = OutboxEmail.objects.filter(_due(claimed_at), pk=pk, attempts__lt=MAX_ATTEMPTS)
    if not _claim(due, claimed_at):
        return SKIPPED
    with OutboxMailer() as mailer:
        return _deliver_claimed(pk, claimed_at=claimed_at, mailer=mailer, now=now)


def _give_up_abandoned(now: datetime) -> int:
    """Rows whose every try died mid-send (e.g. a message that crashes the worker) fail."""
    return OutboxEmail.objects.filter(
        _due(now), status=Status.SENDING, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=Status.FAILED,
        last_error=f"Given up after {MAX_ATTEMPTS} attempts that did not finish.",
    )


def _claim_batch(now: datetime, batch: int) -> list[int]:
    """Claim up to `batch` due rows, most urgent and oldest first, skipping rows another
    sweep holds (SKIP LOCKED); one short transaction."""
    with transaction.atomic():
        pks = list(
            OutboxEmail.objects.filter(_due(now), attempts__lt=MAX_ATTEMPTS)
            .order_by("priority", "created_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        _claim(OutboxEmail.objects.filter(pk__in=pks), now)
    return pks


def _release(pks: list[int], *, claimed_at: datetime) -> int:
    """Give back claimed rows never handed to the server, as they were (no attempt counted)."""
    return OutboxEmail.objects.filter(
        pk__in=pks, status=Status.SENDING, claimed_at=claimed_at, handed_at__isnull=True
    ).update(status=Status.PENDING, claimed_at=None)


def outbox_sweep(
    *,
    now: datetime | None = None,
    batch: int = SWEEP_BATCH,
    max_batches: int | None = None,
    seconds: float = SWEEP_SECONDS,
) -> dict[str, int]:
    """Deliver rows never nudged, never finished or due again; returns counts by outcome.

    Batch after batch while rows are due (at most `max_batches`, and no row begun after
    `seconds`, well within the task's time limit), so a backlog drains at the mail server's
    pace. Each batch is claimed in one
    short transaction (SKIP LOCKED: two sweeps never take the same row) and sent over one
    connection, each row marked as it goes; a sweep killed in the middle of a batch leaves
    the sent ones marked and the others for a later sweep. When the server cannot be reached
    the rest of the batch is given back untried and the sweep stops.
    """
    started = time.monotonic()
    counts: Counter[str] = Counter()
    batches = 0
    while max_batches is None or batches < max_batches:
        moment = now or timezone.now()
        given_up = _give_up_abandoned(moment)
        if given_up:
            counts["failed"] += given_up
        pks = _claim_batch(moment, batch)
        batches += 1
        stop = False
        with OutboxMailer() as mailer:
            for index, pk in enumerate(pks):
                if time.monotonic() - started > seconds:
                    # A slow server: stop well within the task's time limit, the rest untried.
                    counts["released"] += _release(pks[index:], claimed_at=moment)
                    stop = True
                    break
                delivery = _deliver_claimed(pk, claimed_at=moment, mailer=mailer, now=now)
                counts[delivery.outcome] += 1
                if delivery.unreachable:
                    counts["released"] += _release(pks[index + 1 :], claimed_at=moment)
                    stop = True
                    break
        if stop or len(pks) < batch or time.monotonic() - started > seconds:
            break
    return {outcome: count for outcome, count in counts.items() if count}


def outbox_to_person(*, user: Any, email: str) -> QuerySet[OutboxEmail]:
    """Every e-mail addressed to a person: by account, or to their address."""
    return OutboxEmail.objects.filter(Q(user=user) | Q(to_email__iexact=email))


@transaction.atomic
def outbox_forget_person(*, user: Any, email: str, replacement_address: str) -> int:
    """A deleted account's e-mails: unsent ones are cancelled, and every one keeps its kind,
    subject and dates only (the address becomes `replacement_address`); returns how many."""
    addressed = outbox_to_person(user=user, email=email)
    addressed.filter(status=Status.PENDING).update(
        status=Status.CANCELLED, last_error="Account deleted.", next_attempt_at=None
    )
    return addressed.update(
        to_email=replacement_address, body_text="", body_html="", ics="", unsubscribe_url=""
    )


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
