"""Changes in the program app."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ProgramRules, RulesAcceptance


@transaction.atomic
def rules_accept(*, user: Any, rules: ProgramRules) -> RulesAcceptance:
    """Record that a person accepts one published version of the program rules (requirement 5).

    Accepting the same version twice keeps the first acceptance.
    """
    if rules.published_at is None:
        raise ValidationError(_("Only published program rules can be accepted."))
    acceptance, _created = RulesAcceptance.objects.get_or_create(user=user, rules=rules)
    return acceptance
