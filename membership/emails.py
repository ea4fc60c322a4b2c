"""The review workflow's e-mails: each one's context function and sample, registered for the
admin (title, description, preview).

The samples are unsaved objects: the preview writes and reads nothing in the database.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.models import Group
from groups.values import group_values, sample_group
from leaders.models import User
from leaders.values import sample_user
from notifications.mail import EmailKind, register_email
from notifications.values import absolute_url, recipient_values, site_url

from .models import LeaveRequest, ReturnRequest, Review
from .values import leave_request_values, return_request_values, review_values


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
    """An application admitted, with a message: every variable has a value."""
    review = Review(
        group=_sample_group(),
        decided_at=timezone.now(),
        kind=Review.Kind.APPLICATION,
        decision=Review.Decision.ADMIT,
        message="Welcome! Please add your next meeting soon.",
    )
    return {"review": review, "user": sample_user()}


register_email(
    EmailKind(
        name="review_decision",
        title=gettext_lazy("Review decision"),
        description=gettext_lazy(
            "To the group's active leader and co-leader, each in their own language, when the "
            "program team decides on an application or a request for a new review (admit, "
            "request changes, decline); once per decision. A periodic review's outcomes have "
            "their own e-mails."
        ),
        context=review_decision_context,
        sample=review_decision_sample,
    )
)

# A periodic review's outcomes, each with its own e-mail (membership.services.DECISION_TEMPLATES).


def _periodic_sample(decision: str, message: str, **extra: Any) -> Callable[[], dict[str, Any]]:
    def sample() -> dict[str, Any]:
        group = _sample_group()
        if decision == Review.Decision.INACTIVATE:
            group.status = Group.Status.INACTIVE
            group.next_review_due = None
        review = Review(
            group=group,
            decided_at=timezone.now(),
            kind=Review.Kind.PERIODIC,
            decision=decision,
            message=message,
            **extra,
        )
        return {"review": review, "user": sample_user()}

    return sample


_PERIODIC = [
    (
        "review_kept",
        gettext_lazy("Periodic review: kept"),
        gettext_lazy(
            "To the group's active leader and co-leader, each in their own language, when a "
            "periodic review keeps the group admitted; once per decision."
        ),
        _periodic_sample(Review.Decision.KEEP, "Thank you for six good meetings this year."),
    ),
    (
        "review_follow_up",
        gettext_lazy("Periodic review: kept, with a follow-up"),
        gettext_lazy(
            "To the group's active leader and co-leader, each in their own language, when a "
            "periodic review keeps the group admitted and asks it to fix something by a date: "
            "what to fix and by when; once per decision."
        ),
        _periodic_sample(
            Review.Decision.KEEP_WITH_FOLLOW_UP,
            "Your code of conduct link no longer answers. Please publish it again.",
            follow_up_by=timezone.localdate() + timedelta(days=30),
        ),
    ),
    (
        "review_inactivated",
        gettext_lazy("Periodic review: moved to inactive"),
        gettext_lazy(
            "To the group's active leader and co-leader, each in their own language, when a "
            "periodic review moves the group to inactive, with the reason; once per decision."
        ),
        _periodic_sample(
            Review.Decision.INACTIVATE, "The group has not met for more than eight months."
        ),
    ),
]

for _name, _title, _description, _sample in _PERIODIC:
    register_email(
        EmailKind(
            name=_name,
            title=_title,
            description=_description,
            context=review_decision_context,
            sample=_sample,
        )
    )


def follow_up_overdue_context(*, review: Review) -> dict[str, Any]:
    return {
        "group": group_values(review.group),
        "review": review_values(review),
        "admin_url": absolute_url(reverse("admin:groups_group_decide", args=[review.group.pk])),
    }


def follow_up_overdue_sample() -> dict[str, Any]:
    group = _sample_group()
    group.pk = 1
    return {
        "review": Review(
            group=group,
            decided_at=timezone.now() - timedelta(days=40),
            kind=Review.Kind.PERIODIC,
            decision=Review.Decision.KEEP_WITH_FOLLOW_UP,
            message="Name a co-leader.",
            follow_up_by=timezone.localdate() - timedelta(days=1),
        )
    }


register_email(
    EmailKind(
        name="follow_up_overdue",
        title=gettext_lazy("Follow-up overdue (to the program team)"),
        description=gettext_lazy(
            "To the program team's address, in the portal's default language, when a kept "
            "group's follow-up date has passed without a new decision; once per follow-up. "
            "The group stays in the review queue, flagged overdue."
        ),
        context=follow_up_overdue_context,
        sample=follow_up_overdue_sample,
    )
)


# A way back: the confirmation of a return request ---------------------------------------------


def return_request_received_context(*, return_request: ReturnRequest, user: User) -> dict[str, Any]:
    return {
        "user": recipient_values(user),
        "group": group_values(return_request.group),
        "return_request": return_request_values(return_request),
        "home_url": site_url("home"),
    }


def return_request_received_sample() -> dict[str, Any]:
    group = _sample_group()
    group.status = Group.Status.INACTIVE
    group.next_review_due = None
    user = sample_user()
    return {
        "user": user,
        "return_request": ReturnRequest(
            group=group,
            requested_by=user,
            what_changed="We have a new co-leader and have met three times since March.",
            group_status=Group.Status.INACTIVE,
            created_at=timezone.now(),
        ),
    }


register_email(
    EmailKind(
        name="return_request_received",
        title=gettext_lazy("Request for a new review received"),
        description=gettext_lazy(
            "To the contacts of an inactive, declined or departed group, each in their own "
            "language, when one of them asks for a new review; once per request."
        ),
        context=return_request_received_context,
        sample=return_request_received_sample,
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
