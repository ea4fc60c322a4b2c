"""Writing to the program team and answering (docs/program.md, "Contacting the program
team"). Every message is kept; each one queues its e-mails in the same transaction."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEntry
from groups.emails import program_team_key, program_team_language
from groups.models import Group
from leaders.access import groups_led_by
from notifications.outbox import outbox_enqueue

from .access import thread_readers, threads_visible_to
from .models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Message, Thread


def _check_text(*, subject: str | None = None, body: str) -> None:
    """A message must say something, within the lengths the portal keeps."""
    errors: dict[str, str] = {}
    if subject is not None:
        if not subject.strip():
            errors["subject"] = _("Give the message a subject.")
        elif len(subject) > SUBJECT_MAX_LENGTH:
            errors["subject"] = _("The subject is at most %(limit)s characters long.") % {
                "limit": SUBJECT_MAX_LENGTH
            }
    if not body.strip():
        errors["body"] = _("Write your message.")
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = _("A message is at most %(limit)s characters long.") % {
            "limit": BODY_MAX_LENGTH
        }
    if errors:
        raise ValidationError(errors)


def _tell_the_team(message: Message) -> None:
    """The program team's notice of a leader's message, once per message."""
    with program_team_language():
        outbox_enqueue(
            key=program_team_key("contact_message", f"message-{message.pk}"),
            kind="contact_message",
            to=settings.PROGRAM_TEAM_EMAIL,
            language=settings.LANGUAGE_CODE,
            template="contact_message",
            inputs={"message": message},
            group=message.thread.group,
        )


def _audit(*, thread: Thread, by: Any, summary: str, at: datetime) -> None:
    # The kind and the thread only: a confidential incident's words stay in its thread.
    audit_record(
        group=thread.group,
        actor=by,
        action=AuditEntry.Action.REQUEST,
        summary=f"{summary} ({thread.get_kind_display()}, #{thread.pk})",
        at=at,
    )


@transaction.atomic
def thread_start(
    *,
    author: Any,
    group: Group | None,
    kind: str,
    subject: str,
    body: str,
    now: datetime | None = None,
) -> Thread:
    """A leader writes to the program team: a new thread about one of the groups they lead
    (or about no group), with its first message; the team is e-mailed."""
    now = now or timezone.now()
    if kind not in Thread.Kind.values:
        raise ValidationError({"kind": _("Choose what the message is about.")})
    if group is not None and not groups_led_by(author).filter(pk=group.pk).exists():
        raise ValidationError({"group": _("You can write about the groups you lead only.")})
    _check_text(subject=subject, body=body)
    thread = Thread.objects.create(
        group=group,
        author=author,
        kind=kind,
        subject=subject.strip(),
        created_at=now,
        last_message_at=now,
    )
    message = Message.objects.create(thread=thread, author=author, body=body, created_at=now)
    _audit(thread=thread, by=author, summary=_("Wrote to the program team"), at=now)
    _tell_the_team(message)
    return thread


def _locked(thread: Thread) -> Thread:
    return (
        Thread.objects.select_for_update(of=("self",))
        .select_related("group", "author")
        .get(pk=thread.pk)
    )


@transaction.atomic
def thread_reply(*, thread: Thread, by: Any, body: str, now: datetime | None = None) -> Message:
    """A reader of the thread writes again: it waits for the program team again (a closed
    thread opens again), and the team is e-mailed."""
    now = now or timezone.now()
    if not threads_visible_to(by).filter(pk=thread.pk).exists():
        raise ValidationError(_("You cannot write in this conversation."))
    _check_text(body=body)
    locked = _locked(thread)
    message = Message.objects.create(thread=locked, author=by, body=body, created_at=now)
    locked.status, locked.last_message_at, locked.closed_at = Thread.Status.OPEN, now, None
    locked.save(update_fields=["status", "last_message_at", "closed_at"])
    _audit(thread=locked, by=by, summary=_("Wrote again to the program team"), at=now)
    _tell_the_team(message)
    return message


def _answer_enqueue(message: Message) -> None:
    """The answer to each reader of the thread, in their language, once each."""
    for reader in thread_readers(message.thread):
        outbox_enqueue(
            key=f"contact_answer:message-{message.pk}:user-{reader.pk}",
            kind="contact_answer",
            to=reader.email,
            language=reader.preferred_language,
            template="contact_answer",
            inputs={"message": message, "user": reader},
            group=message.thread.group,
            user=reader,
        )


@transaction.atomic
def thread_answer(
    *, thread: Thread, by: Any, body: str, close: bool = False, now: datetime | None = None
) -> Message:
    """The program team answers: the answer shows in the portal and is e-mailed to the
    thread's readers (the author only, for a code-of-conduct incident); `close` closes it."""
    now = now or timezone.now()
    _check_text(body=body)
    locked = _locked(thread)
    message = Message.objects.create(
        thread=locked, author=by, body=body, from_program_team=True, created_at=now
    )
    locked.last_message_at = now
    if close:
        locked.status, locked.closed_at = Thread.Status.CLOSED, now
    else:
        locked.status, locked.closed_at = Thread.Status.ANSWERED, None
    locked.save(update_fields=["status", "last_message_at", "closed_at"])
    _audit(thread=locked, by=by, summary=_("The program team answered"), at=now)
    _answer_enqueue(message)
    return message


@transaction.atomic
def thread_close(*, thread: Thread, by: Any, now: datetime | None = None) -> Thread:
    """The program team considers the conversation done; a reader's reply opens it again."""
    now = now or timezone.now()
    locked = _locked(thread)
    if locked.status == Thread.Status.CLOSED:
        raise ValidationError(_("This conversation is already closed."))
    locked.status, locked.closed_at = Thread.Status.CLOSED, now
    locked.save(update_fields=["status", "closed_at"])
    _audit(thread=locked, by=by, summary=_("Conversation closed"), at=now)
    return locked


@transaction.atomic
def thread_reopen(*, thread: Thread, by: Any, now: datetime | None = None) -> Thread:
    """The program team opens a closed conversation again: it waits for the team."""
    now = now or timezone.now()
    locked = _locked(thread)
    if locked.status != Thread.Status.CLOSED:
        raise ValidationError(_("This conversation is not closed."))
    locked.status, locked.closed_at = Thread.Status.OPEN, None
    locked.save(update_fields=["status", "closed_at"])
    _audit(thread=locked, by=by, summary=_("Conversation reopened"), at=now)
    return locked
