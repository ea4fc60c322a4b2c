"""The program rules page: any signed-in person reads the rules in force in their language, sees
what they accepted and when, and accepts the current version (docs/program.md, "Requirement 5:
program rules accepted")."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.forms import add_service_errors

from .models import ProgramRules, RulesAcceptance, User
from .rules import rules_accept

RULES_CHANGED = _(
    "The program rules changed while you were reading them. Read the new version and accept it."
)


class RulesAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    accept = forms.BooleanField(
        label=_("I have read the program rules and accept them."),
        error_messages={"required": _("Tick the box to accept the program rules.")},
    )

    def __init__(self, data: Any = None, *, rules: ProgramRules) -> None:
        super().__init__(data, initial={"version": rules.version})
        self.rules = rules

    def clean_version(self) -> int:
        version: int = self.cleaned_data["version"]
        if version != self.rules.version:
            raise ValidationError(RULES_CHANGED)
        return version


class RulesView(LoginRequiredMixin, View):
    """The rules in force, the reader's acceptances, and the form to accept (a fixed number of
    queries)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.now = timezone.now()
        self.rules = ProgramRules.objects.current(at=self.now)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, None)

    def post(self, request: HttpRequest) -> HttpResponseBase:
        if self.rules is None:
            messages.error(request, _("No program rules have been published yet."))
            return redirect("leaders:rules")
        form = RulesAcceptForm(request.POST, rules=self.rules)
        if form.is_valid():
            try:
                rules_accept(user=request.user, rules=self.rules, at=self.now)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you: you accepted version %(version)d of the program rules.")
                    % {"version": self.rules.version},
                )
                return redirect("leaders:rules")
        return self.page(request, form)

    def page(self, request: HttpRequest, form: RulesAcceptForm | None) -> HttpResponse:
        language = get_language() or "en"
        user = request.user
        assert isinstance(user, User)
        acceptances = list(
            RulesAcceptance.objects.filter(user=user, rules__published_at__lte=self.now)
            .select_related("rules")
            .order_by("-rules__version")
        )
        current = None
        if self.rules is not None:
            current = next((a for a in acceptances if a.rules_id == self.rules.pk), None)
            if current is None and form is None:
                form = RulesAcceptForm(rules=self.rules)
        context = {
            "rules": self.rules,
            "title": self.rules.title_in(language) if self.rules else "",
            "paragraphs": self.rules.paragraphs_in(language) if self.rules else [],
            # A version published before the rules had a Swedish text is shown in English.
            "english_only": self.rules is not None
            and self.rules.body_in(language) == self.rules.body
            and not language.startswith("en"),
            "accepted": current,
            "acceptances": [
                {
                    "version": a.rules.version,
                    "title": a.rules.title_in(language),
                    "at": a.accepted_at,
                }
                for a in acceptances
            ],
            "form": form if current is None else None,
        }
        return render(request, "leaders/rules.html", context)
