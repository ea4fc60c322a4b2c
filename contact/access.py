"""Who may read a conversation with the program team (docs/program.md, "Contacting the
program team"): the rule, once, as a query and as the list of people an answer goes to.

- A code-of-conduct incident is confidential: its author and the program team only.
- Any other thread: its author, and the active leader and co-leader of its group.
- A thread about no group: its author only.
The program team reads every thread in the admin; in the portal, staff are people like any
other. `tests/contact/test_access.py` holds the query and the recipient list together.
"""

from typing import Any

from django.db.models import Q

from leaders.models import Leadership

from .models import Thread, ThreadQuerySet


def threads_visible_to(user: Any) -> ThreadQuerySet:
    """The threads `user` may read and answer in the portal."""
    if not getattr(user, "is_authenticated", False):
        return Thread.objects.none()
    led = Leadership.objects.active().filter(user=user).values("group_id")
    shared = Q(group__in=led) & ~Q(kind=Thread.Kind.CONDUCT_INCIDENT)
    return Thread.objects.filter(Q(author=user) | shared)


def thread_readers(thread: Thread) -> list[Any]:
    """The people who may read `thread` in the portal (whom an answer is e-mailed to): its
    author, and for a thread that is not confidential, its group's active contacts."""
    readers = {thread.author_id: thread.author}
    if thread.group_id is not None and not thread.is_confidential:
        for leadership in (
            Leadership.objects.active()
            .filter(group_id=thread.group_id)
            .select_related("user")
            .order_by("role", "pk")
        ):
            readers.setdefault(leadership.user_id, leadership.user)
    return [reader for reader in readers.values() if reader.is_active]
