"""What e-mail templates see: plain values, chosen field by field (notifications/sandbox.py).

The program team edits e-mail wording in the admin (notifications/mail.py), so a template must
never hold a model instance: through one, `{{ review.reviewer.groups.all }}` would reach other
people's accounts. Each e-mail's context function builds its context from helpers like these
(and those of the app that owns the e-mail, e.g. groups/values.py), and the sandbox refuses
anything that is not a plain value. A field added here is a field every template can show:
add only what an e-mail to its recipient may say.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """The portal's address of `path` (for links in e-mail)."""
    site: str = settings.SITE_URL
    return site.rstrip("/") + path


def site_url(name: str, *args: Any) -> str:
    """The absolute address of the portal's page `name` (for links in e-mail)."""
    return absolute_url(reverse(name, args=args))


def person_values(user: Any) -> dict[str, Any]:
    """Someone named in an e-mail (the inviter, a fellow leader): the name they go by."""
    return {"display_name": user.display_name, "name": user.name}


def recipient_values(user: Any) -> dict[str, Any]:
    """The person an e-mail is addressed to: their name and their own address."""
    return {**person_values(user), "email": user.email}
