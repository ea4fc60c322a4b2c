"""What e-mail templates see of the portal's objects: plain values, chosen field by field.

The program team edits e-mail wording in the admin (groups/mail.py), so a template must never
hold a model instance: through one, `{{ review.reviewer.groups.all }}` would reach other
people's accounts. Each e-mail's context function builds its context from these helpers, and
groups/mail_sandbox.py refuses anything that is not a plain value. A field added here is a
field every template can show: add only what an e-mail to its recipient may say.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse

from leaders.models import User

from .models import Group, LeaveRequest, Review


def absolute_url(path: str) -> str:
    """The portal's address of `path` (for links in e-mail)."""
    site: str = settings.SITE_URL
    return site.rstrip("/") + path


def site_url(name: str, *args: Any) -> str:
    """The absolute address of the portal's page `name` (for links in e-mail)."""
    return absolute_url(reverse(name, args=args))


def person_values(user: User) -> dict[str, Any]:
    """Someone named in an e-mail (the inviter, a fellow leader): the name they go by."""
    return {"display_name": user.display_name, "name": user.name}


def recipient_values(user: User) -> dict[str, Any]:
    """The person an e-mail is addressed to: their name and their own address."""
    return {**person_values(user), "email": user.email}


def group_values(group: Group) -> dict[str, Any]:
    """A group as its e-mails name it: what the public directory shows, its status and the
    date of its next review."""
    return {
        "name": group.name,
        "slug": group.slug,
        "city": group.city,
        "country": {"code": str(group.country.code or ""), "name": str(group.country.name)},
        "timezone": str(group.timezone),
        "home_page_url": group.home_page_url,
        "status": group.status,
        "status_display": group.get_status_display(),
        "next_review_due": group.next_review_due,
    }


def review_values(review: Review) -> dict[str, Any]:
    """A decision of the program team: what it decided, when, and its message to the leaders.

    `get_decision_display` keeps the name the shipped wording has always used."""
    return {
        "kind": review.kind,
        "decision": review.decision,
        "get_decision_display": review.get_decision_display(),
        "decided_at": review.decided_at,
        "message": review.message,
    }


def leave_request_values(request: LeaveRequest) -> dict[str, Any]:
    return {
        "reason": request.reason,
        "created_at": request.created_at,
        "processed_at": request.processed_at,
    }
