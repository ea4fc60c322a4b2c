"""Notices to the program team about a group: a new application, a leave request, a
leadership change, a long silence. Each is an e-mail to the team's address, in the portal's
default language, once per event."""

from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from notifications.mail import EmailKind, register_email
from notifications.models import OutboxEmail
from notifications.outbox import outbox_enqueue
from notifications.values import absolute_url

from .models import Group
from .values import group_values, sample_group


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


# The notice's e-mail ----------------------------------------------------------------------


def program_team_notice_context(
    *, group: Group, summary: str, details: str, admin_path: str
) -> dict[str, Any]:
    return {
        "group": group_values(group),
        "summary": summary,
        "details": details,
        "admin_url": absolute_url(admin_path),
    }


def program_team_notice_sample() -> dict[str, Any]:
    """A leave request, the notice that carries details."""
    return {
        "group": sample_group(
            name="Azure User Group Malmö", slug="azure-user-group-malmo", city="Malmö"
        ),
        "summary": gettext_lazy("Request to leave the program"),
        "details": "We are merging with Azure User Group Lund.",
        "admin_path": "/admin/membership/leaverequest/1/change/",
    }


register_email(
    EmailKind(
        name="program_team_notice",
        title=gettext_lazy("Notice to the program team"),
        description=gettext_lazy(
            "To the program team's address, in the portal's default language, when something "
            "needs the team: a new or resubmitted application, a leave request, a leadership "
            "change, a group without meetings for a long time. The summary and the details "
            "come from the portal; once per event."
        ),
        context=program_team_notice_context,
        sample=program_team_notice_sample,
    )
)
