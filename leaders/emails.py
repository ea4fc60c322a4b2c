"""The leaders' e-mails (leaders/services.py, privacy/personal_data.py): their context
functions and samples, registered for the admin.

The samples are unsaved objects: the preview writes and reads nothing in the database.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.models import Group
from groups.values import group_values, sample_group
from notifications.mail import EmailKind, register_email
from notifications.models import OutboxEmail
from notifications.values import person_values, site_url

from .models import CoLeaderInvitation
from .values import sample_user

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
