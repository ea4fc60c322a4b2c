"""The content library's filter: a GET form whose empty values mean "all"."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContentItem


class ContentFilterForm(forms.Form):
    """Filter by kind and language. A value it does not know is reported and then ignored."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        error_messages={"invalid_choice": _("Unknown kind: showing every kind.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        error_messages={"invalid_choice": _("Unknown language: showing every language.")},
    )

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field: Any = self.fields["kind"]
        language_field: Any = self.fields["language"]
        kind_field.choices = [("", _("All kinds")), *ContentItem.Kind.choices]
        language_field.choices = [("", _("All languages")), *languages]

    def filters(self) -> dict[str, str]:
        """The valid filters only: kind and language, "" for all."""
        if not self.is_bound:
            return {"kind": "", "language": ""}
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("kind", "language")}
