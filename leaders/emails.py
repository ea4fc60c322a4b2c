"""The leaders' e-mails (leaders/services.py, leaders/personal_data.py): their context
functions and samples, registered for the admin.

The samples are unsaved objects: the preview writes and reads nothing in the database.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.email_samples import sample_group, sample_user
from groups.email_values import group_values, person_values, recipient_values, site_url
from groups.mail import EmailKind, register_email
from groups.models import Group, OutboxEmail

from .models import CoLeaderInvitation, Leadership, User

SAMPLE_LINK_ID = "sample-invitation-token"


def coleader_invitation_context(*, invitation: CoLeaderInvitation) -> dict[str, Any]:
    """The invitation's link carries its token: only the invited address gets it."""
    return {
        "invitation": {"email": invitation.email, "expires_at": invitation.expires_at},
        "group": group_values(invitation.group),
        "inviter": person_values(invitation.invited_by),
        "link": site_url("leaders:invitation", invitation.token),
    }


def coleader_invitation_sample() -> dict[str, Any]:
    now = timezone.now()
    invitation = CoLeaderInvitation(
        group=sample_group(status=Group.Status.SUBMITTED),
        email="bo@example.org",
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

# News and the weekly digest register theirs next to the preferences they depend on.
from . import preference_emails  # noqa: E402, F401


def contact_left_context(*, leadership: Leadership, person: str, user: User) -> dict[str, Any]:
    """To `user`, the group's other contact: `person` (their name, kept after the account is
    gone) has left the role of `leadership`."""
    group = leadership.group
    return {
        "user": recipient_values(user),
        "group": group_values(group),
        "person": person,
        "role": leadership.role,
        "ended_at": leadership.ended_at,
        "time_zone": str(group.timezone),
        "people_url": site_url("leaders:people", group.slug),
    }


def contact_left_sample() -> dict[str, Any]:
    leadership = Leadership(
        group=sample_group(), role=Leadership.Role.CO_LEADER, ended_at=timezone.now()
    )
    return {
        "leadership": leadership,
        "person": "Ada Lindqvist",
        "user": sample_user(email="bo@example.org", name="Bo Ek"),
    }


register_email(
    EmailKind(
        name="contact_left",
        title=gettext_lazy("A contact deleted their account"),
        description=gettext_lazy(
            "To the group's other active contact, in their language, when the leader or the "
            "co-leader deletes their account (leaders/personal_data.py): the role is empty "
            "until someone is named. The program team gets its own notice at the same time."
        ),
        context=contact_left_context,
        sample=contact_left_sample,
    )
)
