"""E-mail about a group, to its leaders (each in their own language) or to the program team."""

from contextlib import AbstractContextManager

from django.conf import settings
from django.utils import translation

from leaders.models import Leadership

from .models import Group, OutboxEmail, Review
from .outbox import outbox_enqueue


def review_decision_enqueue(*, review: Review) -> list[OutboxEmail]:
    """Queue a decision's e-mail to the group's active leader and co-leader.

    Called inside the deciding transaction: the e-mails exist exactly when the decision does.
    """
    leaderships = Leadership.objects.active().filter(group=review.group).select_related("user")
    emails = []
    for leadership in leaderships:
        user = leadership.user
        emails.append(
            outbox_enqueue(
                key=f"review_decision:review-{review.pk}:user-{user.pk}",
                kind="review_decision",
                to=user.email,
                language=user.preferred_language,
                template="review_decision",
                inputs={"review": review, "user": user},
                group=review.group,
                user=user,
            )
        )
    return emails


def program_team_language() -> AbstractContextManager[None]:
    """Write the program team's notices in its language, not in the language of the leader
    whose request caused them: wrap the call, so that its `summary` is translated inside."""
    return translation.override(settings.LANGUAGE_CODE)


def program_team_key(kind: str, key: str) -> str:
    """The outbox key of a program-team notice: once per kind and `key`."""
    return f"program_team:{kind}:{key}"


def program_team_enqueue(
    *, kind: str, key: str, group: Group, summary: str, details: str, admin_path: str
) -> OutboxEmail:
    """Tell the program team that something needs them (a new or resubmitted application,
    a leave request, a leadership change), in the caller's transaction, once per `key`."""
    return outbox_enqueue(
        key=program_team_key(kind, key),
        kind=f"program_team_{kind}",
        to=settings.PROGRAM_TEAM_EMAIL,
        language=settings.LANGUAGE_CODE,
        template="program_team_notice",
        inputs={"group": group, "summary": summary, "details": details, "admin_path": admin_path},
        group=group,
    )
