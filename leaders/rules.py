"""The program's rules of conduct: the version in force, publishing a version, each person's
acceptance of it and the time they have to give it (docs/program.md, "Requirement 5: program
rules accepted" and "Program rules versions")."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditEntry
from groups.models import Group
from notifications.outbox import outbox_enqueue, outbox_queued_keys

from .models import Leadership, ProgramRules, RulesAcceptance, User

#: The registered e-mail (leaders/emails.py) asking a contact to accept a version.
RULES_EMAIL = "program_rules_to_accept"


def rules_grace() -> timedelta:
    """How long a contact of an admitted group has to accept a new version."""
    return timedelta(days=int(settings.TECHGROUPS_RULES_GRACE_DAYS))


def acceptance_due(*, published_at: datetime, role_started_at: datetime | None) -> datetime:
    """When a contact's grace period for a version ends: counted from the version's
    publication or the start of their role, whichever is later (docs/program.md,
    Requirement 5)."""
    start = max(published_at, role_started_at) if role_started_at else published_at
    return start + rules_grace()


def current_rules_version(*, at: datetime | None = None) -> int | None:
    """The number of the version in force at `at` (the clock if not given); one query."""
    rules = ProgramRules.objects.current(at=at)
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
def rules_accept(*, user: Any, rules: ProgramRules, at: datetime | None = None) -> RulesAcceptance:
    """Record that a person accepts one published version of the program rules (requirement 5).

    Accepting is the person's act; each group they lead gets an audit entry, as the group's
    standing on requirement 5 may change. Accepting the same version twice keeps the first
    acceptance.
    """
    at = at or timezone.now()
    if rules.published_at is None or rules.published_at > at:
        raise ValidationError(_("Only published program rules can be accepted."))
    acceptance, created = RulesAcceptance.objects.get_or_create(
        user=user, rules=rules, defaults={"accepted_at": at}
    )
    if created:
        led = Leadership.objects.active().filter(user=user).select_related("group")
        for leadership in led:
            audit_record(
                group=leadership.group,
                actor=user,
                action=AuditEntry.Action.RULES_ACCEPTED,
                summary=_("%(name)s accepted version %(version)d of the program rules.")
                % {"name": user.display_name, "version": rules.version},
                changes={"rules_version": {"before": None, "after": rules.version}},
                at=at,
            )
    return acceptance


@transaction.atomic
def rules_publish(
    *, rules: ProgramRules, by: Any, at: datetime | None = None, now: datetime | None = None
) -> ProgramRules:
    """Publish a version of the program rules, now or at a later time ("Program rules
    versions"). Its e-mails go out when it becomes current (`rules_emails_queue`)."""
    now = now or timezone.now()
    at = max(at or now, now)
    rules = ProgramRules.objects.select_for_update().get(pk=rules.pk)
    if rules.published_at is not None:
        raise ValidationError(_("This version is published already."))
    missing = [
        label
        for label, value in [
            (_("title (English)"), rules.title),
            (_("text (English)"), rules.body),
            (_("title (Swedish)"), rules.title_sv),
            (_("text (Swedish)"), rules.body_sv),
        ]
        if not value.strip()
    ]
    if missing:
        raise ValidationError(
            _("Write the rules in both languages before publishing; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    later = ProgramRules.objects.exclude(published_at=None).filter(version__gte=rules.version)
    if later.exists():
        raise ValidationError(
            _("A version with a higher number is published already: give this one a higher number.")
        )
    rules.published_at = at
    rules.save(update_fields=["published_at"])
    audit_record(
        group=None,
        actor=by,
        action=AuditEntry.Action.RULES_PUBLISHED,
        summary=_("Version %(version)d of the program rules published for %(at)s.")
        % {"version": rules.version, "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
        changes={"published_at": {"before": None, "after": at}},
        at=now,
    )
    if at <= now:
        rules_emails_queue(now=now)
    return rules


def contacts_to_accept(rules: ProgramRules) -> list[Leadership]:
    """The active contacts of admitted groups (active accounts) who have not accepted
    `rules`, one row per person: their earliest role (one query)."""
    accepted = RulesAcceptance.objects.filter(user=OuterRef("user_id"), rules=rules)
    rows = (
        Leadership.objects.active()
        .filter(Group.benefits_q("group__"), user__is_active=True)
        .filter(~Exists(accepted))
        .select_related("user")
        .order_by("user_id", "started_at")
    )
    first: dict[int, Leadership] = {}
    for row in rows:
        first.setdefault(row.user_id, row)
    return list(first.values())


def rules_email_key(*, version: int, user_id: int) -> str:
    return f"program_rules:v{version}:user{user_id}"


def rules_emails_queue(*, now: datetime) -> int:
    """Ask every contact of an admitted group who has not accepted the current version to
    read and accept it, once per person and version (the outbox key): publication, a version
    that became current, a contact named later (in the admin, a hand-over, a co-leader
    joining). Idempotent; the hourly job (`leaders.tasks.queue_rules_emails`) and publishing
    call it. Returns how many it queued."""
    rules = ProgramRules.objects.current(at=now)
    if rules is None or rules.published_at is None:
        return 0
    contacts = contacts_to_accept(rules)
    keys = {c.user_id: rules_email_key(version=rules.version, user_id=c.user_id) for c in contacts}
    queued = outbox_queued_keys(keys.values())
    count = 0
    for contact in contacts:
        key = keys[contact.user_id]
        if key in queued:
            continue
        due = acceptance_due(published_at=rules.published_at, role_started_at=contact.started_at)
        with transaction.atomic():
            email = outbox_enqueue(
                key=key,
                kind=RULES_EMAIL,
                to=contact.user.email,
                language=contact.user.preferred_language,
                template=RULES_EMAIL,
                inputs={"user": contact.user, "rules": rules, "due": due},
                user=contact.user,
            )
        count += int(email.queued_now)
    return count


@dataclass(frozen=True)
class RulesBanner:
    """What the portal's banner says to a contact who has not accepted the rules in force."""

    version: int
    due: datetime


@dataclass(frozen=True)
class PortalStanding:
    """What every portal page's layout asks about a signed-in person: whether they lead a
    group the benefits apply to (the program menu), and the rules banner, if any."""

    leads_admitted_group: bool
    rules_banner: RulesBanner | None


def portal_standing(user: Any, *, now: datetime) -> PortalStanding:
    """Both in one query (so the banner costs no query of its own): the start of the
    person's first role in an admitted group, the rules in force and whether they accepted
    them. The banner is for a contact of an admitted group who has not accepted the current
    version: the version and the earliest end of their grace periods."""
    first_role = (
        Leadership.objects.active()
        .filter(Group.benefits_q("group__"), user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(first=Min("started_at"))
        .values("first")
    )
    current = ProgramRules.objects.published(at=now).order_by("-version")
    accepted = RulesAcceptance.objects.filter(
        user=OuterRef("pk"), rules=Subquery(current.values("pk")[:1])
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            role_started_at=Subquery(first_role[:1]),
            rules_version=Subquery(current.values("version")[:1]),
            rules_published_at=Subquery(current.values("published_at")[:1]),
            rules_accepted=Exists(accepted),
        )
        .values("role_started_at", "rules_version", "rules_published_at", "rules_accepted")
        .first()
    )
    if row is None or row["role_started_at"] is None:
        return PortalStanding(leads_admitted_group=False, rules_banner=None)
    banner = None
    if row["rules_version"] is not None and not row["rules_accepted"]:
        due = acceptance_due(
            published_at=row["rules_published_at"], role_started_at=row["role_started_at"]
        )
        banner = RulesBanner(version=row["rules_version"], due=due)
    return PortalStanding(leads_admitted_group=True, rules_banner=banner)


@dataclass(frozen=True)
class RosterRow:
    """A current contact of an admitted group and their acceptance of one version."""

    group_name: str
    role: str
    name: str
    email: str
    accepted_at: datetime | None


def rules_roster(rules: ProgramRules) -> list[RosterRow]:
    """Who among the current contacts of admitted groups has accepted `rules` and when
    (one query), by group."""
    accepted_at = RulesAcceptance.objects.filter(user=OuterRef("user_id"), rules=rules).values(
        "accepted_at"
    )[:1]
    rows = (
        Leadership.objects.active()
        .filter(Group.benefits_q("group__"))
        .select_related("user", "group")
        .annotate(rules_accepted_at=Subquery(accepted_at))
        .order_by("group__name", "group_id", "role")
    )
    return [
        RosterRow(
            group_name=row.group.name,
            role=str(row.get_role_display()),
            name=row.user.display_name,
            email=row.user.email,
            accepted_at=row.rules_accepted_at,  # type: ignore[attr-defined]
        )
        for row in rows
    ]
