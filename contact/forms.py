"""The leader's forms: a new message to the program team, and a reply in a thread."""

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from groups.models import Group
from leaders.access import groups_led_by

from .models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Thread


def body_field() -> forms.CharField:
    return forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write your message.")},
    )


class BodyLimitMixin:
    """Says the message's limit in the reader's language (set per form, not at import)."""

    fields: dict[str, forms.Field]

    def _say_limit(self) -> None:
        self.fields["body"].help_text = gettext("At most %(limit)s characters.") % {
            "limit": number_format(BODY_MAX_LENGTH, force_grouping=True)
        }


class ThreadStartForm(BodyLimitMixin, forms.Form):
    """A new thread: which of the person's groups it is about (or none), its kind, subject and
    first message."""

    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("No group"),
        to_field_name="slug",
    )
    kind = forms.ChoiceField(
        label=_("What is it about?"),
        choices=Thread.Kind.choices,
        error_messages={"required": _("Choose what the message is about.")},
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX_LENGTH,
        error_messages={"required": _("Give the message a subject.")},
    )
    body = body_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._say_limit()
        groups = groups_led_by(user).order_by("name")
        field = self.fields["group"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = groups
        field.help_text = gettext(
            "A code-of-conduct incident is confidential: only you and the program team see it. "
            "Other messages about a group are visible to its leader and co-leader too."
        )

    @classmethod
    def initial_from(cls, query: Any, *, user: Any) -> dict[str, Any]:
        """What the page's address pre-selects (?kind=, ?group=); anything unknown is ignored."""
        initial: dict[str, Any] = {}
        kind = query.get("kind", "")
        if kind in Thread.Kind.values:
            initial["kind"] = kind
        slug = query.get("group", "")
        if slug and len(slug) <= 100:
            group = groups_led_by(user).filter(slug=slug).first()
            if group is not None:
                initial["group"] = group.slug
        return initial


class ReplyForm(BodyLimitMixin, forms.Form):
    body = body_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._say_limit()


class AnswerForm(forms.Form):
    """The program team's answer in the admin."""

    body = forms.CharField(
        label=_("Answer"),
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text=_(
            "Shown in the portal and e-mailed to the author (and, unless the conversation is a "
            "code-of-conduct incident, to the group's leader and co-leader)."
        ),
    )
