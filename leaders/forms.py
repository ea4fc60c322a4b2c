"""Forms about people; the Tech Community user ID accepts the number or the profile URL."""

from typing import Any

from django import forms
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import parse_tech_community_id

TECH_COMMUNITY_ID_HELP = _(
    "Sign in at techcommunity.microsoft.com, click your avatar and choose My Profile: the "
    "number at the end of the address is your user ID. Paste the number or the whole address."
)


class TechCommunityIdField(forms.CharField):
    """Takes "123456" or the profile URL ending in /user-id/123456; cleans to the number."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Tech Community user ID"))
        kwargs.setdefault("help_text", TECH_COMMUNITY_ID_HELP)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)  # a string, its length checked
        if text in self.empty_values:
            return None
        return parse_tech_community_id(text)


class StaffUserChangeForm(UserChangeForm[User]):
    tech_community_id = TechCommunityIdField(required=False)

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
