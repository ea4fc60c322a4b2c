"""The e-mails of conversations with the program team (contact/services.py): a notice to the
team for each message a leader writes, and each answer of the team to the thread's readers.

The samples are unsaved objects: the preview writes and reads nothing in the database.
"""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.models import Group
from groups.values import group_values, sample_group
from leaders.values import sample_user
from notifications.mail import EmailKind, register_email
from notifications.values import absolute_url, person_values, recipient_values, site_url

from .models import Message, Thread


def thread_values(thread: Thread) -> dict[str, Any]:
    """A thread as its e-mails name it: subject, kind, status and group (if any)."""
    return {
        "subject": thread.subject,
        "kind": thread.kind,
        "kind_display": str(thread.get_kind_display()),
        "confidential": thread.is_confidential,
        "status_display": str(thread.get_status_display()),
        "group": group_values(thread.group) if thread.group is not None else None,
    }


def message_values(message: Message) -> dict[str, Any]:
    return {
        "body": message.body,
        "created_at": message.created_at,
        "author": person_values(message.author),
    }


def _sample_thread(**fields: Any) -> Thread:
    return Thread(
        pk=1,
        group=sample_group(status=Group.Status.ADMITTED),
        author=sample_user(),
        kind=Thread.Kind.QUESTION,
        subject="Can we hold a meeting in English?",
        created_at=timezone.now(),
        last_message_at=timezone.now(),
        **fields,
    )


# To the program team: a leader wrote -------------------------------------------------------


def contact_message_context(*, message: Message) -> dict[str, Any]:
    thread = message.thread
    return {
        "thread": thread_values(thread),
        "message": message_values(message),
        "is_first": message.created_at <= thread.created_at,
        "admin_url": absolute_url(reverse("admin:contact_thread_answer", args=[thread.pk])),
    }


def contact_message_sample() -> dict[str, Any]:
    thread = _sample_thread()
    message = Message(
        thread=thread,
        author=thread.author,
        body="Most of our members prefer Swedish, but our next speaker does not speak it.",
        created_at=thread.created_at,
    )
    return {"message": message}


register_email(
    EmailKind(
        name="contact_message",
        title=gettext_lazy("Message to the program team"),
        description=gettext_lazy(
            "To the program team's address, in the portal's default language, for every "
            "message a leader writes to the team from the contact page or a conversation: "
            "a question, a leadership change or a code-of-conduct incident. Once per message."
        ),
        context=contact_message_context,
        sample=contact_message_sample,
    )
)


# To the thread's readers: the program team answered ---------------------------------------


def contact_answer_context(*, message: Message, user: Any) -> dict[str, Any]:
    thread = message.thread
    return {
        "user": recipient_values(user),
        "thread": thread_values(thread),
        "answer": message_values(message),
        "is_author": user.pk == thread.author_id,
        "link": site_url("contact:thread", thread.pk),
    }


def contact_answer_sample() -> dict[str, Any]:
    thread = _sample_thread(status=Thread.Status.ANSWERED)
    message = Message(
        thread=thread,
        author=sample_user(name="Petra Programteam", email="petra@example.org"),
        from_program_team=True,
        body="Yes: the program asks for meetings in the group's languages, English included.",
        created_at=timezone.now(),
    )
    return {"message": message, "user": thread.author}


register_email(
    EmailKind(
        name="contact_answer",
        title=gettext_lazy("Answer of the program team"),
        description=gettext_lazy(
            "To the author of a conversation, and for one that is not a code-of-conduct "
            "incident to the group's leader and co-leader, when the program team answers it in "
            "the admin; in each recipient's language. Once per answer and recipient."
        ),
        context=contact_answer_context,
        sample=contact_answer_sample,
    )
)
