"""Forms of the program team's review in the admin."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LANGUAGE_CHOICES, Group, Review
from .services import STAFF_EDITABLE_FIELDS


class BulkDecisionForm(forms.Form):
    """The texts of a decision; for several groups each still gets its own record and e-mail."""

    message = forms.CharField(
        label=_("Message to the leaders"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Required when requesting changes, declining or moving to inactive."),
    )
    override_reason = forms.CharField(
        label=_("Reason for admitting despite failed requirements"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Used only for groups that fail a requirement."),
    )


class DecisionForm(BulkDecisionForm):
    """One decision on one group; `version` is the state the decider looked at."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Review.Decision.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    field_order = ["decision", "message", "override_reason"]

    def __init__(self, *args: Any, decisions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Review.Decision.choices)
        decision = cast(forms.ChoiceField, self.fields["decision"])
        decision.choices = [(d, labels[d]) for d in decisions]


class GroupAdminForm(forms.ModelForm[Group]):
    """The program team's edit of a group: languages as boxes to tick, not raw JSON."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Group
        fields = STAFF_EDITABLE_FIELDS
