"""What the portal's contact pages read: each in a fixed number of queries."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .access import threads_visible_to
from .models import Message, Thread


def thread_list_for(user: Any) -> QuerySet[Thread]:
    """The threads `user` may read, newest activity first, with their groups and message
    counts (one query)."""
    return (
        threads_visible_to(user)
        .with_message_counts()
        .select_related("group", "author")
        .order_by("-last_message_at", "-pk")
    )


def thread_for_reader_or_404(user: Any, pk: int) -> Thread:
    """One thread `user` may read (one query); 404 for any other, so that its existence is
    not confirmed."""
    return get_object_or_404(threads_visible_to(user).select_related("group", "author"), pk=pk)


def thread_messages(thread: Thread) -> list[Message]:
    """The thread's messages, oldest first, with who wrote them (one query)."""
    return list(thread.messages.select_related("author").order_by("created_at", "pk"))
