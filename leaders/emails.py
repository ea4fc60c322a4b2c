"""The co-leader invitation's e-mail (leaders/services.py), registered for the admin.

The sample is unsaved objects: the preview writes and reads nothing in the database.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from groups.email_samples import sample_group, sample_user
from groups.mail import EmailKind, register_email
from groups.models import Group

from .models import CoLeaderInvitation

SAMPLE_LINK_ID = "sample-invitation-token"


def coleader_invitation_sample() -> dict[str, Any]:
    group = sample_group(status=Group.Status.SUBMITTED)
    inviter = sample_user()
    now = timezone.now()
    invitation = CoLeaderInvitation(
        group=group,
        email="bo@example.org",
        token=SAMPLE_LINK_ID,
        invited_by=inviter,
        created_at=now,
        expires_at=now + timedelta(days=settings.TECHGROUPS_INVITATION_EXPIRY_DAYS),
    )
    return {
        "invitation": invitation,
        "group": group,
        "inviter": inviter,
        "link": settings.SITE_URL + reverse("leaders:invitation", args=[SAMPLE_LINK_ID]),
    }


register_email(
    EmailKind(
        name="coleader_invitation",
        title=gettext_lazy("Co-leader invitation"),
        description=gettext_lazy(
            "To the address a group's leader invites to become co-leader, with the link to "
            "accept; in the invited person's language if they have an account, else in the "
            "inviter's. Not sent again if the invitation is withdrawn before it goes out."
        ),
        sample=coleader_invitation_sample,
    )
)

# News and the weekly digest register theirs next to the preferences they depend on.
from . import preference_emails  # noqa: E402, F401


def contact_left_sample() -> dict[str, Any]:
    group = sample_group()
    return {
        "user": sample_user(email="bo@example.org", name="Bo Ek"),
        "group": group,
        "person": "Ada Lindqvist",
        "role": "co_leader",
        "ended_at": timezone.now(),
        "time_zone": group.timezone,
        "people_url": settings.SITE_URL + reverse("leaders:people", args=[group.slug]),
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
        sample=contact_left_sample,
    )
)
