"""The program requirements (docs/program.md, "The requirements checklist"), in one place.

`evaluate_requirements` is a pure function of a group's facts: views, the admin and the jobs all
call it, and every message a leader reads comes from here. `failing_q` gives the same verdicts
as database filters (the admin's "failing requirement" filter); a test holds the two together.
Facts for many groups are gathered in a fixed number of queries by
`membership.selectors.groups_with_checklist_facts` (to evaluate) and
`membership.selectors.groups_with_requirement_facts` (to filter with `failing_q`).
"""

import itertools
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leaders.rules import acceptance_due

#: A year of meetings: "at least six meetings a year" is counted over the last 12 months.
WINDOW = relativedelta(months=12)


def meeting_window(now: datetime) -> tuple[datetime, datetime]:
    """The period the meeting rules look at: the 12 months up to `now`, both ends included."""
    return now - WINDOW, now


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105
    WARNING = "warning"
    FAIL = "fail"


class Code(StrEnum):
    """The program's five requirements, in the program's order (docs/program.md)."""

    CONTACTS = "contacts"
    CODE_OF_CONDUCT = "code_of_conduct"
    FREE_ATTENDANCE = "free_attendance"
    AZURE_MEETINGS = "azure_meetings"
    PROGRAM_RULES = "program_rules"


def requirement_title(code: Code) -> str:
    """The requirement's title in the program's words, in the active language."""
    match code:
        case Code.CONTACTS:
            return _("A leader and a co-leader")
        case Code.CODE_OF_CONDUCT:
            return _("A code of conduct reachable from the group's home page")
        case Code.FREE_ATTENDANCE:
            return _("Free attendance")
        case Code.AZURE_MEETINGS:
            minimum = _min_meetings()
            return ngettext(
                "At least %(minimum)d Azure-related meeting a year, at regular intervals",
                "At least %(minimum)d Azure-related meetings a year, at regular intervals",
                minimum,
            ) % {"minimum": minimum}
        case Code.PROGRAM_RULES:
            return _("The program's rules of conduct accepted")


APPLICATION_STATUSES = frozenset({"draft", "submitted", "changes_requested"})

#: A code-of-conduct link that did not answer on this many checks in a row fails requirement 2
#: (one failure may be a passing outage).
BROKEN_LINK_CHECKS = 2


@dataclass(frozen=True)
class Contact:
    """One of the group's two contacts, as far as the requirements care."""

    user_id: int
    name: str
    has_tech_community_id: bool
    accepted_rules_version: int | None
    #: When their current role in the group started: their grace period for a new version of
    #: the program rules runs from then if later than its publication (Requirement 5).
    role_started_at: datetime | None = None


@dataclass(frozen=True)
class GroupFacts:
    """Everything the requirements look at, for one group."""

    status: str
    timezone: str
    admitted_at: datetime | None
    code_of_conduct_url: str
    planned_meetings_per_year: int | None
    leader: Contact | None
    co_leader: Contact | None
    #: Starts of the Azure-related meetings inside `meeting_window(now)`.
    azure_meeting_starts: Sequence[datetime]
    #: Meetings inside the window that charged an entry fee.
    fee_meeting_count: int
    current_rules_version: int | None
    #: When the current version was published (its grace period starts then); None: no grace.
    rules_published_at: datetime | None = None
    #: The daily check of the code-of-conduct link (membership/coc.py), for the current URL:
    #: failed checks in a row, the first of them, the last check and its HTTP status.
    coc_link_failures: int = 0
    coc_link_failing_since: datetime | None = None
    coc_link_checked_at: datetime | None = None
    coc_link_status_code: int | None = None
    #: Whether the group's home page links to the code of conduct, as the daily check saw it;
    #: None when it could not tell.
    coc_linked_from_home: bool | None = None


_SEVERITY = {Outcome.PASS: 0, Outcome.WARNING: 1, Outcome.FAIL: 2}


@dataclass(frozen=True)
class Check:
    """One of a requirement's sub-checks, e.g. "the link answers" of requirement 2."""

    outcome: Outcome
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"outcome": self.outcome.value, "message": self.message}


@dataclass(frozen=True)
class RequirementResult:
    """One requirement's verdict: the worst of its sub-checks, and their messages."""

    code: Code
    outcome: Outcome
    message: str
    checks: tuple[Check, ...] = ()

    @classmethod
    def of(cls, code: Code, *checks: Check) -> "RequirementResult":
        if not checks:
            raise ValueError("A requirement's result needs at least one check.")
        outcome = max((check.outcome for check in checks), key=_SEVERITY.__getitem__)
        message = " ".join(check.message for check in checks)
        return cls(code, outcome, message, tuple(checks))

    @property
    def title(self) -> str:
        return requirement_title(self.code)

    @property
    def is_met(self) -> bool:
        return self.outcome is not Outcome.FAIL

    def as_dict(self) -> dict[str, Any]:
        """The result as stored in a review's snapshot (`Review.checklist`)."""
        return {
            "code": self.code.value,
            "title": self.title,
            "outcome": self.outcome.value,
            "message": self.message,
            "checks": [check.as_dict() for check in self.checks],
        }


@dataclass(frozen=True)
class Checklist:
    results: list[RequirementResult] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(result.is_met for result in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def all_met(self) -> bool:
        return self.met == self.total

    @property
    def failing(self) -> list[RequirementResult]:
        return [result for result in self.results if not result.is_met]

    @property
    def warnings(self) -> list[RequirementResult]:
        return [result for result in self.results if result.outcome is Outcome.WARNING]

    @property
    def summary(self) -> str:
        return _("%(met)d of %(total)d met") % {"met": self.met, "total": self.total}

    def result(self, code: Code) -> RequirementResult | None:
        return next((result for result in self.results if result.code == code), None)

    def as_list(self) -> list[dict[str, Any]]:
        return [result.as_dict() for result in self.results]


def _min_meetings() -> int:
    return int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)


def _max_gap() -> timedelta:
    return timedelta(days=settings.TECHGROUPS_MAX_MEETING_GAP_DAYS)


def _contact_check(role: str, contact: Contact | None, *, missing: str) -> Check:
    if contact is None:
        return Check(Outcome.FAIL, missing)
    return Check(
        Outcome.PASS, _("%(name)s is the %(role)s.") % {"name": contact.name, "role": role}
    )


def check_contacts(facts: GroupFacts) -> RequirementResult:
    """docs/program.md, Requirement 1: a leader and a co-leader, two different people, both
    active (only active roles reach the facts)."""
    leader, co_leader = facts.leader, facts.co_leader
    checks = [
        _contact_check(
            _("leader"), leader, missing=_("The group has no leader (primary contact). Name one.")
        ),
        _contact_check(
            _("co-leader"),
            co_leader,
            missing=_(
                "The group has no co-leader (secondary contact). Invite one, so the group keeps "
                "a contact when a leader changes."
            ),
        ),
    ]
    if leader is not None and co_leader is not None and leader.user_id == co_leader.user_id:
        checks.append(
            Check(Outcome.FAIL, _("The leader and the co-leader must be two different people."))
        )
    return RequirementResult.of(Code.CONTACTS, *checks)


def _local_date(moment: datetime | None, facts: GroupFacts) -> str:
    if moment is None:
        return ""
    return date_format(moment.astimezone(zoneinfo.ZoneInfo(facts.timezone)), "DATE_FORMAT")


def _link_answers_check(facts: GroupFacts) -> Check:
    values = {
        "url": facts.code_of_conduct_url,
        "count": facts.coc_link_failures,
        "since": _local_date(facts.coc_link_failing_since, facts),
        "last": _local_date(facts.coc_link_checked_at, facts),
        "status": facts.coc_link_status_code,
    }
    if facts.coc_link_failures >= BROKEN_LINK_CHECKS:
        message = ngettext(
            "It did not answer on the last %(count)d check, from %(since)s to %(last)s.",
            "It did not answer on the last %(count)d checks, from %(since)s to %(last)s.",
            facts.coc_link_failures,
        )
        parts = [message % values]
        if facts.coc_link_status_code is not None:
            parts.append(_("The last answer was HTTP status %(status)d.") % values)
        parts.append(
            _(
                "Correct the address in the group's details (Edit details), or make the page "
                "reachable again."
            )
        )
        return Check(Outcome.FAIL, " ".join(parts))
    if facts.coc_link_failures:
        return Check(
            Outcome.PASS,
            _(
                "It did not answer on the last check (%(last)s). If it fails the next check "
                "too, this requirement fails."
            )
            % values,
        )
    if facts.coc_link_checked_at is None:
        return Check(Outcome.PASS, _("The daily link check has not reached it yet."))
    return Check(Outcome.PASS, _("It answered on the last check (%(last)s).") % values)


def _linked_from_home_check(facts: GroupFacts) -> Check | None:
    if facts.coc_linked_from_home is False:
        return Check(
            Outcome.WARNING,
            _(
                "The last check found no link to it on the group's home page. Link it from "
                "there, so members can find it."
            ),
        )
    if facts.coc_linked_from_home:
        return Check(Outcome.PASS, _("The group's home page links to it."))
    return None


def check_code_of_conduct(facts: GroupFacts) -> RequirementResult:
    """docs/program.md, Requirement 2: an address given, the daily link check passing, and
    (a warning only) a link from the group's home page when the check could see one."""
    url = facts.code_of_conduct_url
    if not url:
        return RequirementResult.of(
            Code.CODE_OF_CONDUCT,
            Check(
                Outcome.FAIL,
                _(
                    "Add the address of your code of conduct, easy to reach from the group's "
                    "home page. If you have none, start from the portal's example."
                ),
            ),
        )
    checks = [
        Check(Outcome.PASS, _("The code of conduct is published at %(url)s.") % {"url": url}),
        _link_answers_check(facts),
    ]
    home = _linked_from_home_check(facts)
    if home is not None:
        checks.append(home)
    return RequirementResult.of(Code.CODE_OF_CONDUCT, *checks)


def check_free_attendance(facts: GroupFacts) -> RequirementResult:
    """docs/program.md, Requirement 3: no meeting in the last 12 months charged an entry fee."""
    count = facts.fee_meeting_count
    if count == 0:
        return RequirementResult.of(
            Code.FREE_ATTENDANCE,
            Check(Outcome.PASS, _("No meeting in the last 12 months charged an entry fee.")),
        )
    message = ngettext(
        "%(count)d meeting in the last 12 months charged an entry fee. Members may never be "
        "charged to attend; only costs such as venue or food and drink may be recovered.",
        "%(count)d meetings in the last 12 months charged an entry fee. Members may never be "
        "charged to attend; only costs such as venue or food and drink may be recovered.",
        count,
    ) % {"count": count}
    return RequirementResult.of(Code.FREE_ATTENDANCE, Check(Outcome.FAIL, message))


# Requirement 4: the pace of meetings and the intervals between them ------------------------


def _is_new(facts: GroupFacts, window_start: datetime) -> bool:
    """Admitted less than 12 months ago: judged by its pace, not yet by a full year."""
    return facts.admitted_at is not None and facts.admitted_at > window_start


def is_established(facts: GroupFacts, *, now: datetime) -> bool:
    """Judged on a full year: not an application, and not admitted in the last 12 months."""
    window_start, _end = meeting_window(now)
    return facts.status not in APPLICATION_STATUSES and not _is_new(facts, window_start)


def meetings_expected(*, days: int, window_days: int) -> int:
    """THE pace rule (docs/program.md, Requirement 4): after `days` of a `window_days` year,
    a group on pace has held the minimum times the share of the year gone, rounded down:
    `floor(minimum * days / window_days)`. Rounding down: a group is behind only once it is a
    whole meeting short. The checklist, the pace reminder and the overview all use this."""
    if days <= 0:
        return 0
    return min(_min_meetings() * days // window_days, _min_meetings())


def pace_start(admitted_at: datetime | None, *, now: datetime) -> datetime:
    """Where the pace is counted from: the later of the window's start and the admission."""
    window_start, _end = meeting_window(now)
    return max(window_start, admitted_at) if admitted_at is not None else window_start


def _window_days(now: datetime) -> int:
    window_start, window_end = meeting_window(now)
    return (window_end - window_start).days


def meetings_expected_by(admitted_at: datetime | None, *, now: datetime) -> int:
    """How many Azure-related meetings a group on pace has held in the window by `now`."""
    days = (now - pace_start(admitted_at, now=now)).days
    return meetings_expected(days=days, window_days=_window_days(now))


def days_until_behind(count: int, *, window_days: int) -> int:
    """The fewest whole days of the pace after which `count` meetings are behind it: the
    smallest d with `meetings_expected(days=d) > count` (the overview's SQL twin uses it)."""
    minimum = _min_meetings()
    return -(-(count + 1) * window_days // minimum)  # ceil((count + 1) * window_days / minimum)


def is_behind_pace(count: int, admitted_at: datetime | None, *, now: datetime) -> bool:
    return count < meetings_expected_by(admitted_at, now=now)


def _count_check(facts: GroupFacts, *, now: datetime) -> Check:
    minimum = _min_meetings()
    count = len(facts.azure_meeting_starts)
    window_start, _end = meeting_window(now)
    counted = ngettext(
        "%(count)d Azure-related meeting in the last 12 months",
        "%(count)d Azure-related meetings in the last 12 months",
        count,
    ) % {"count": count}
    values: dict[str, Any] = {"counted": counted, "minimum": minimum, "count": count}
    if count >= minimum:
        return Check(
            Outcome.PASS, _("%(counted)s (the program asks for at least %(minimum)d).") % values
        )
    if facts.status in APPLICATION_STATUSES:
        values["planned"] = facts.planned_meetings_per_year or 0
        if values["planned"] >= minimum:
            return Check(
                Outcome.WARNING,
                _(
                    "%(counted)s; you plan %(planned)d a year. The program asks for at least "
                    "%(minimum)d a year, so log them as you hold them."
                )
                % values,
            )
        return Check(
            Outcome.FAIL,
            _(
                "%(counted)s, and %(planned)d planned a year. The program asks for at least "
                "%(minimum)d Azure-related meetings a year."
            )
            % values,
        )
    if facts.admitted_at is not None and _is_new(facts, window_start):
        expected = meetings_expected_by(facts.admitted_at, now=now)
        behind_after = days_until_behind(count, window_days=_window_days(now))
        # The last day on which the next meeting keeps the pace (behind from the next day's
        # clock time of the admission, so the day before is always in time).
        due = facts.admitted_at + timedelta(days=behind_after - 1)
        values |= {
            "admitted": _local_date(facts.admitted_at, facts),
            "expected": expected,
            "due": _local_date(due, facts),
        }
        if count < expected:
            message = _(
                "%(counted)s: behind the pace of %(minimum)d a year since the admission on "
                "%(admitted)s, which asks for %(expected)d by now."
            )
            return Check(Outcome.WARNING, message % values)
        if count == 0:
            return Check(
                Outcome.PASS,
                _(
                    "Admitted on %(admitted)s: at the pace of %(minimum)d a year, hold the first "
                    "Azure-related meeting by %(due)s."
                )
                % values,
            )
        return Check(
            Outcome.PASS,
            _(
                "%(counted)s: on pace for %(minimum)d a year since the admission on "
                "%(admitted)s. Hold the next by %(due)s to keep it."
            )
            % values,
        )
    return Check(
        Outcome.FAIL, _("Only %(counted)s; the program asks for at least %(minimum)d.") % values
    )


def _interval_check(facts: GroupFacts, *, now: datetime) -> Check:
    """At regular intervals: from the later of the window's start and the admission, through
    each Azure-related meeting to now, no stretch longer than TECHGROUPS_MAX_MEETING_GAP_DAYS.
    A longer one fails an established group and warns anyone else."""
    limit = _max_gap()
    start = pace_start(facts.admitted_at, now=now)
    starts = sorted(t for t in facts.azure_meeting_starts if start <= t <= now)
    points = [start, *starts, now]
    longest, gap_from, gap_to = max(
        ((later - earlier, earlier, later) for earlier, later in itertools.pairwise(points)),
        key=lambda gap: gap[0],
    )
    days = math.ceil(longest / timedelta(days=1))
    values = {
        "days": days,
        "from": _local_date(gap_from, facts),
        "to": _local_date(gap_to, facts),
        "limit": limit.days,
        "start": _local_date(start, facts),
    }
    if longest > limit:
        outcome = Outcome.FAIL if is_established(facts, now=now) else Outcome.WARNING
        message = ngettext(
            "No Azure-related meeting for %(days)d day, from %(from)s to %(to)s. The program "
            "asks for meetings at regular intervals: at most %(limit)d days apart.",
            "No Azure-related meeting for %(days)d days, from %(from)s to %(to)s. The program "
            "asks for meetings at regular intervals: at most %(limit)d days apart.",
            days,
        )
        return Check(outcome, message % values)
    if not starts:
        return Check(
            Outcome.PASS,
            _(
                "No Azure-related meeting yet since %(start)s; meetings must be at most "
                "%(limit)d days apart."
            )
            % values,
        )
    message = ngettext(
        "Meetings are at regular intervals: the longest stretch without one was %(days)d day "
        "(at most %(limit)d).",
        "Meetings are at regular intervals: the longest stretch without one was %(days)d days "
        "(at most %(limit)d).",
        days,
    )
    return Check(Outcome.PASS, message % values)


def check_azure_meetings(facts: GroupFacts, *, now: datetime) -> RequirementResult:
    """docs/program.md, Requirement 4: the count (or, for a new group, the pace; for an
    application, the plan) and the intervals."""
    return RequirementResult.of(
        Code.AZURE_MEETINGS, _count_check(facts, now=now), _interval_check(facts, now=now)
    )


def _contacts(facts: GroupFacts) -> list[tuple[str, Contact | None]]:
    return [(_("leader"), facts.leader), (_("co-leader"), facts.co_leader)]


def _rules_due(facts: GroupFacts, contact: Contact) -> datetime | None:
    """When the contact's grace period for the current version ends; None for an
    application, whose contacts accept while applying (no grace)."""
    if facts.status in APPLICATION_STATUSES or facts.rules_published_at is None:
        return None
    return acceptance_due(
        published_at=facts.rules_published_at, role_started_at=contact.role_started_at
    )


def _rules_check(
    role: str, contact: Contact | None, facts: GroupFacts, current: int, *, now: datetime
) -> Check:
    if contact is None:
        return Check(
            Outcome.FAIL,
            _("There is no %(role)s yet to accept the current version.") % {"role": role},
        )
    values: dict[str, Any] = {"role": role, "name": contact.name, "version": current}
    accepted = contact.accepted_rules_version
    if accepted is not None and accepted >= current:
        return Check(
            Outcome.PASS, _("The %(role)s, %(name)s, accepted version %(version)d.") % values
        )
    due = _rules_due(facts, contact)
    if due is not None and now < due:
        values["due"] = _local_date(due, facts)
        return Check(
            Outcome.WARNING,
            _(
                "The %(role)s, %(name)s, has not accepted version %(version)d yet; they have "
                "until %(due)s."
            )
            % values,
        )
    if accepted is None:
        return Check(
            Outcome.FAIL,
            _("The %(role)s, %(name)s, has not accepted version %(version)d.") % values,
        )
    values["old"] = accepted
    return Check(
        Outcome.FAIL,
        _(
            "The %(role)s, %(name)s, accepted version %(old)d, which is out of date; "
            "version %(version)d is current."
        )
        % values,
    )


def check_program_rules(facts: GroupFacts, *, now: datetime) -> RequirementResult:
    """docs/program.md, Requirement 5: both contacts accepted the current version; a contact
    of a group past the application has TECHGROUPS_RULES_GRACE_DAYS (a warning) from the
    version's publication or their role's start, whichever is later."""
    current = facts.current_rules_version
    if current is None:
        return RequirementResult.of(
            Code.PROGRAM_RULES,
            Check(Outcome.PASS, _("No program rules have been published yet.")),
        )
    return RequirementResult.of(
        Code.PROGRAM_RULES,
        *(
            _rules_check(role, contact, facts, current, now=now)
            for role, contact in _contacts(facts)
        ),
    )


def evaluate_requirements(facts: GroupFacts, *, now: datetime) -> Checklist:
    """Evaluate the program's five requirements for one group, in the program's order."""
    return Checklist(
        [
            check_contacts(facts),
            check_code_of_conduct(facts),
            check_free_attendance(facts),
            check_azure_meetings(facts, now=now),
            check_program_rules(facts, now=now),
        ]
    )


# Not a requirement: what the Leaders Hub benefit needs ---------------------------------------


@dataclass(frozen=True)
class BenefitsCheck:
    """Whether both contacts gave the Tech Community user ID that Leaders Hub access needs
    (docs/program.md, "Tech Community user IDs"). Not an admission requirement."""

    ready: bool
    message: str
    #: The contacts without an ID.
    missing: tuple[Contact, ...] = ()


def check_benefit_ids(facts: GroupFacts) -> BenefitsCheck:
    missing = []
    parts = []
    for role, contact in _contacts(facts):
        if contact is None:
            parts.append(_("there is no %(role)s yet") % {"role": role})
        elif not contact.has_tech_community_id:
            missing.append(contact)
            parts.append(
                _("the %(role)s, %(name)s, has not given one")
                % {"role": role, "name": contact.name}
            )
    if not parts:
        return BenefitsCheck(True, _("Both contacts have given their Tech Community user ID."))
    return BenefitsCheck(
        False,
        _(
            "Leaders Hub access needs the Tech Community user ID of both contacts: %(missing)s. "
            "Add it on the profile page."
        )
        % {"missing": "; ".join(parts)},
        tuple(missing),
    )


def benefit_ids_missing_q() -> Q:
    """The SQL twin of `check_benefit_ids`: groups (annotated by
    `groups_with_requirement_facts`) where a contact or a contact's ID is missing."""
    return Q(req_leader_has_id=False) | Q(req_co_leader_has_id=False)


# The SQL twins -------------------------------------------------------------------------------


def failing_q(code: Code, *, now: datetime) -> Q:
    """A filter for groups annotated by `groups_with_requirement_facts` that fail `code`.

    It states in SQL what the `check_*` function above decides in Python; an agreement test
    per requirement holds them together.
    """
    window_start, _end = meeting_window(now)
    minimum = _min_meetings()
    match code:
        case Code.CONTACTS:
            return Q(req_has_leader=False) | Q(req_has_co_leader=False)
        case Code.CODE_OF_CONDUCT:
            return Q(code_of_conduct_url="") | Q(coc_link_failures__gte=BROKEN_LINK_CHECKS)
        case Code.FREE_ATTENDANCE:
            return Q(req_fee_meetings__gt=0)
        case Code.AZURE_MEETINGS:
            applying = Q(status__in=APPLICATION_STATUSES)
            application_short = applying & Q(
                Q(planned_meetings_per_year__isnull=True) | Q(planned_meetings_per_year__lt=minimum)
            )
            established = ~applying & (
                Q(admitted_at__isnull=True) | Q(admitted_at__lte=window_start)
            )
            too_few = Q(req_azure_meetings__lt=minimum) & (application_short | established)
            return too_few | (established & Q(req_long_meeting_gap=True))
        case Code.PROGRAM_RULES:
            # An annotation is true when the contact accepted or is still in their grace period.
            return Q(req_leader_accepted=False) | Q(req_co_leader_accepted=False)


def failing_any_q(*, now: datetime) -> Q:
    """Groups that fail at least one requirement (the admin's "any requirement" filter)."""
    condition = Q(pk__in=[])
    for code in Code:
        condition |= failing_q(code, now=now)
    return condition
