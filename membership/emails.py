"""The review workflow's e-mails: each one's context function and sample, registered for the
admin (title, description, preview).

The samples are unsaved objects: the preview writes and reads nothing in the database.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.models import Group
from groups.values import group_values, sample_group
from leaders.models import User
from leaders.values import sample_user
from notifications.mail import EmailKind, register_email
from notifications.values import recipient_values, site_url

from .models import LeaveRequest, Review
from .values import leave_request_values, review_values


def _sample_group() -> Group:
    return sample_group(
        name="Azure User Group Malmö",
        slug="azure-user-group-malmo",
        city="Malmö",
        home_page_url="https://azure-malmo.example.org/",
        next_review_due=timezone.localdate() + timedelta(days=182),
    )


def review_decision_context(*, review: Review, user: User) -> dict[str, Any]:
    return {
        "user": recipient_values(user),
        "review": review_values(review),
        "group": group_values(review.group),
        "home_url": site_url("home"),
    }


def review_decision_sample() -> dict[str, Any]:
    """A periodic review that keeps the group, with a message: every variable has a value."""
    review = Review(
        group=_sample_group(),
        decided_at=timezone.now(),
        kind=Review.Kind.PERIODIC,
        decision=Review.Decision.KEEP,
        message="Thank you for six good meetings this year. Please add your next one soon.",
    )
    return {"review": review, "user": sample_user()}


register_email(
    EmailKind(
        name="review_decision",
        title=gettext_lazy("Review decision"),
        description=gettext_lazy(
            "To the group's active leader and co-leader, each in their own language, when the "
            "program team decides on an application or a periodic review (admit, request "
            "changes, decline, keep, move to inactive); once per decision."
        ),
        context=review_decision_context,
        sample=review_decision_sample,
    )
)

# The compliance reminders register theirs next to their sample data.
from . import reminder_emails  # noqa: E402, F401

# The review queue's e-mail: a processed leave request ---------------------------------------


def leave_processed_context(*, leave_request: LeaveRequest, user: User) -> dict[str, Any]:
    return {
        "user": recipient_values(user),
        "group": group_values(leave_request.group),
        "leave_request": leave_request_values(leave_request),
        "home_url": site_url("home"),
    }


def leave_processed_sample() -> dict[str, Any]:
    """A leave request processed today, with the reason the group gave."""
    group = _sample_group()
    group.status = Group.Status.LEFT
    group.next_review_due = None
    user = sample_user()
    now = timezone.now()
    return {
        "user": user,
        "leave_request": LeaveRequest(
            group=group,
            requested_by=user,
            reason="We are merging with Azure User Group Lund.",
            created_at=now - timedelta(days=6),
            status=LeaveRequest.Status.PROCESSED,
            processed_at=now,
        ),
    }


register_email(
    EmailKind(
        name="leave_processed",
        title=gettext_lazy("Leave request processed"),
        description=gettext_lazy(
            "To the group's leader and co-leader (as they were until then), each in their own "
            "language, when the program team processes the group's request to leave: the group "
            "has left and their roles have ended; once per request."
        ),
        context=leave_processed_context,
        sample=leave_processed_sample,
    )
)
