"""The program's rules of conduct: the version in force, and each person's acceptance of it
(docs/program.md, "Requirement 5: program rules accepted")."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from .models import ProgramRules, RulesAcceptance


def current_rules_version() -> int | None:
    rules = ProgramRules.objects.current()
    return rules.version if rules else None


def current_rules_for(user: Any) -> tuple[ProgramRules | None, RulesAcceptance | None]:
    """The rules in force and the user's acceptance of that version, if any (two queries)."""
    rules = ProgramRules.objects.current()
    if rules is None:
        return None, None
    return rules, RulesAcceptance.objects.filter(user=user, rules=rules).first()


def user_accepted_current_rules(user: Any) -> bool:
    """Whether the user accepted the rules in force (true when none are published); one query."""
    accepted = RulesAcceptance.objects.filter(user=user, rules=OuterRef("pk"))
    current = (
        ProgramRules.objects.published()
        .order_by("-version")
        .annotate(accepted=Exists(accepted))
        .values_list("accepted", flat=True)
        .first()
    )
    return current is None or bool(current)


@transaction.atomic
def rules_accept(*, user: Any, rules: ProgramRules) -> RulesAcceptance:
    """Record that a person accepts one published version of the program rules (requirement 5).

    Accepting the same version twice keeps the first acceptance.
    """
    if rules.published_at is None:
        raise ValidationError(_("Only published program rules can be accepted."))
    acceptance, _created = RulesAcceptance.objects.get_or_create(user=user, rules=rules)
    return acceptance
