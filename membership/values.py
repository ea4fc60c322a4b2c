"""A review and a leave request as e-mail templates see them (notifications/values.py)."""

from typing import Any

from .models import LeaveRequest, ReturnRequest, Review


def review_values(review: Review) -> dict[str, Any]:
    """A decision of the program team: what it decided, when, and its message to the leaders.

    `get_decision_display` keeps the name the shipped wording has always used."""
    return {
        "kind": review.kind,
        "decision": review.decision,
        "get_decision_display": review.get_decision_display(),
        "decided_at": review.decided_at,
        "message": review.message,
        "follow_up_by": review.follow_up_by,
    }


def leave_request_values(request: LeaveRequest) -> dict[str, Any]:
    return {
        "reason": request.reason,
        "created_at": request.created_at,
        "processed_at": request.processed_at,
    }


def return_request_values(request: ReturnRequest) -> dict[str, Any]:
    return {
        "what_changed": request.what_changed,
        "created_at": request.created_at,
        "group_status": request.group_status,
        "requested_by": request.requested_by.display_name,
    }
