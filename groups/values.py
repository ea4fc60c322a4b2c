"""A group as e-mail templates see it: plain values (notifications/values.py says why), and an
unsaved sample group for the admin's previews."""

from typing import Any

from .models import Group


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


def sample_group(**fields: Any) -> Group:
    """An admitted Swedish group; `fields` change what a preview needs to show."""
    defaults: dict[str, Any] = {
        "name": "Azure User Group Uppsala",
        "slug": "azure-user-group-uppsala",
        "city": "Uppsala",
        "country": "SE",
        "timezone": "Europe/Stockholm",
        "home_page_url": "https://azure-uppsala.example.org/",
        "status": Group.Status.ADMITTED,
    }
    return Group(**{**defaults, **fields})
