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

from .models import CoLeaderInvitation, ProgramRules
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
