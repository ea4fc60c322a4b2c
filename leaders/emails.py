"""The leaders' e-mails (leaders/services.py, leaders/rules.py, privacy/personal_data.py):
their context functions and samples, registered for the admin.

The samples are unsaved objects: the preview writes and reads nothing in the database.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from groups.models import Group
from groups.values import group_values, sample_group
from notifications.mail import EmailKind, register_email
from notifications.models import OutboxEmail
from notifications.values import person_values, recipient_values, site_url

from .models import CoLeaderInvitation, Leadership, LeadershipChangeRequest, ProgramRules, User
from .values import sample_user

SAMPLE_LINK_ID = "sample-invitation-token"


def coleader_invitation_context(*, invitation: CoLeaderInvitation) -> dict[str, Any]:
    """The invitation's link carries its token: only the invited address gets it."""
    replaces = invitation.replaces
    return {
        "invitation": {
            "email": invitation.email,
            "name": invitation.name,
            "expires_at": invitation.expires_at,
            "replaces": replaces.user.display_name if replaces is not None else "",
        },
        "group": group_values(invitation.group),
        "inviter": person_values(invitation.invited_by),
        "link": site_url("leaders:invitation", invitation.token),
    }


def coleader_invitation_sample() -> dict[str, Any]:
    now = timezone.now()
    invitation = CoLeaderInvitation(
        group=sample_group(status=Group.Status.SUBMITTED),
        email="bo@example.org",
        name="Bo Ek",
        token=SAMPLE_LINK_ID,
        invited_by=sample_user(),
        created_at=now,
        expires_at=now + timedelta(days=settings.TECHGROUPS_INVITATION_EXPIRY_DAYS),
    )
    return {"invitation": invitation}


register_email(
    EmailKind(
        name="coleader_invitation",
        title=gettext_lazy("Co-leader invitation"),
        description=gettext_lazy(
            "To the address a group's leader invites to become co-leader, with the link to "
            "accept; in the invited person's language if they have an account, else in the "
            "inviter's. Not sent again if the invitation is withdrawn before it goes out."
        ),
        context=coleader_invitation_context,
        sample=coleader_invitation_sample,
        priority=OutboxEmail.Priority.URGENT,
    )
)


# A contact reports that the other has left (docs/program.md, "Leadership changes") ----------


def _report_values(request: LeadershipChangeRequest, took_over: bool) -> dict[str, Any]:
    reported = request.reported_leadership
    assert reported is not None
    invitation = request.invitation
    return {
        "group": group_values(request.group),
        "reporter": person_values(request.requested_by),
        "person": person_values(reported.user),
        "role": reported.role,
        "reported_at": request.created_at,
        "details": request.details,
        "took_over": took_over,
        "successor": {"email": invitation.email, "name": invitation.name}
        if invitation is not None
        else None,
    }


def leadership_reported_left_context(
    *, request: LeadershipChangeRequest, user: User, took_over: bool
) -> dict[str, Any]:
    """To the person reported as left: a wrong report is caught by replying."""
    return {"user": recipient_values(user), **_report_values(request, took_over)}


def leadership_report_confirmation_context(
    *, request: LeadershipChangeRequest, user: User, took_over: bool
) -> dict[str, Any]:
    """To the contact who reported: what was recorded and what happens next."""
    return {
        "user": recipient_values(user),
        **_report_values(request, took_over),
        "people_url": site_url("leaders:people", request.group.slug),
    }


def _report_sample() -> dict[str, Any]:
    now = timezone.now()
    group = sample_group()
    reporter = sample_user()
    reported = sample_user(email="bo@example.org", name="Bo Ek")
    invitation = CoLeaderInvitation(
        group=group,
        email="cecilia@example.org",
        name="Cecilia Holm",
        token=SAMPLE_LINK_ID,
        invited_by=reporter,
        created_at=now,
        expires_at=now + timedelta(days=settings.TECHGROUPS_INVITATION_EXPIRY_DAYS),
    )
    request = LeadershipChangeRequest(
        group=group,
        requested_by=reporter,
        kind=LeadershipChangeRequest.Kind.CO_LEADER_LEFT,
        details="Bo moved to Berlin in May.",
        created_at=now,
        reported_leadership=Leadership(
            group=group, user=reported, role=Leadership.Role.CO_LEADER, ended_at=now
        ),
        invitation=invitation,
    )
    return {"request": request, "user": reported, "took_over": False}


def _report_confirmation_sample() -> dict[str, Any]:
    sample = _report_sample()
    return {**sample, "user": sample["request"].requested_by}


def program_rules_to_accept_context(
    *, user: Any, rules: ProgramRules, due: datetime
) -> dict[str, Any]:
    """The version's title in the recipient's language (English if it has none)."""
    language = get_language() or "en"
    return {
        "user": recipient_values(user),
        "rules": {
            "version": rules.version,
            "title": rules.title_in(language),
            "published_at": rules.published_at,
        },
        "due": due,
        "link": site_url("leaders:rules"),
    }


def program_rules_to_accept_sample() -> dict[str, Any]:
    now = timezone.now()
    rules = ProgramRules(
        version=2,
        title="Program rules of conduct",
        title_sv="Programmets uppföranderegler",
        body="Be kind.",
        published_at=now,
    )
    days = int(settings.TECHGROUPS_RULES_GRACE_DAYS)
    return {"user": sample_user(), "rules": rules, "due": now + timedelta(days=days)}


register_email(
    EmailKind(
        name="leadership_reported_left",
        title=gettext_lazy("Reported as having left a group"),
        description=gettext_lazy(
            "To the leader or co-leader whom the group's other contact reported as having "
            "left, in their language: their role has ended; if the report is wrong, they "
            "reply and the program team puts it right."
        ),
        context=leadership_reported_left_context,
        sample=_report_sample,
    )
)

register_email(
    EmailKind(
        name="leadership_report_confirmation",
        title=gettext_lazy("Report of a contact who left: confirmation"),
        description=gettext_lazy(
            "To the contact who reported that the group's other contact has left, in their "
            "language: what was recorded, whether they took over as leader and whom they "
            "invited as successor."
        ),
        context=leadership_report_confirmation_context,
        sample=_report_confirmation_sample,
    )
)


# An invitation that replaces the co-leader is accepted (docs/program.md, "Co-leader invitation")


def coleader_replaced_context(*, leadership: Leadership, successor: User) -> dict[str, Any]:
    """To the co-leader whose role ended because the person invited to replace them accepted."""
    return {
        "user": recipient_values(leadership.user),
        "group": group_values(leadership.group),
        "successor": person_values(successor),
        "ended_at": leadership.ended_at,
    }


def coleader_replaced_sample() -> dict[str, Any]:
    leadership = Leadership(
        group=sample_group(),
        user=sample_user(email="bo@example.org", name="Bo Ek"),
        role=Leadership.Role.CO_LEADER,
        ended_at=timezone.now(),
    )
    return {"leadership": leadership, "successor": sample_user(name="Cecilia Holm")}


register_email(
    EmailKind(
        name="coleader_replaced",
        title=gettext_lazy("Co-leader replaced"),
        description=gettext_lazy(
            "To the co-leader, in their language, when the person a contact invited to "
            "replace them accepts: their role has ended. The program team gets its own notice."
        ),
        context=coleader_replaced_context,
        sample=coleader_replaced_sample,
    )
)


register_email(
    EmailKind(
        name="program_rules_to_accept",
        title=gettext_lazy("Program rules to accept"),
        description=gettext_lazy(
            "To each leader and co-leader of an admitted group who has not accepted the current "
            "version of the program rules: when a version becomes current, and when someone "
            "becomes a contact later. Once per person and version, in their language, with the "
            "date their grace period ends and the link to the rules page."
        ),
        context=program_rules_to_accept_context,
        sample=program_rules_to_accept_sample,
    )
)
