"""Deleting an account: the form that asks for the password (and, for the last contact of an
admitted group, an explicit confirmation)."""

from typing import Any

from allauth.core import ratelimit
from django import forms
from django.utils.translation import gettext_lazy as _

from leaders.models import User


class AccountDeleteForm(forms.Form):
    """Deleting an account: the current password, and for the last contact of an admitted
    group an explicit confirmation that the group is left without a contact."""

    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm_last_contact = forms.BooleanField(
        label=_(
            "I understand that the groups above are left without a contact for the program "
            "team and no longer meet requirement 1."
        ),
        required=False,
    )

    def __init__(
        self, *args: Any, user: User, request: Any, last_contact: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.last_contact = last_contact
        if not last_contact:
            del self.fields["confirm_last_contact"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # The same limit as allauth's re-authentication: a stolen session cannot guess on.
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            raise forms.ValidationError(
                _("Too many attempts. Wait a minute and try again."), code="rate_limited"
            )
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("This is not your current password."), code="wrong_password"
            )
        return password

    def clean_confirm_last_contact(self) -> bool:
        confirmed = bool(self.cleaned_data.get("confirm_last_contact"))
        if self.last_contact and not confirmed:
            raise forms.ValidationError(
                _("Tick the box to confirm that the groups above are left without a contact."),
                code="not_confirmed",
            )
        return confirmed
