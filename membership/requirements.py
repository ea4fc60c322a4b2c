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

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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
    CONTACTS = "contacts"
    CODE_OF_CONDUCT = "code_of_conduct"
    FREE_ATTENDANCE = "free_attendance"
    AZURE_MEETINGS = "azure_meetings"
    MEETING_SPREAD = "meeting_spread"
    TECH_COMMUNITY_IDS = "tech_community_ids"
    PROGRAM_RULES = "program_rules"


TITLES = {
    Code.CONTACTS: gettext_lazy("A leader and a co-leader"),
    Code.CODE_OF_CONDUCT: gettext_lazy("Code of conduct"),
    Code.FREE_ATTENDANCE: gettext_lazy("Free attendance"),
    Code.AZURE_MEETINGS: gettext_lazy("Six Azure-related meetings a year"),
    Code.MEETING_SPREAD: gettext_lazy("Meetings spread through the year"),
    Code.TECH_COMMUNITY_IDS: gettext_lazy("Tech Community user IDs"),
    Code.PROGRAM_RULES: gettext_lazy("Program rules accepted"),
}

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
    #: The daily check of the code-of-conduct link (membership/coc.py), for the current URL:
    #: failed checks in a row, the first of them, the last check and its HTTP status.
    coc_link_failures: int = 0
    coc_link_failing_since: datetime | None = None
    coc_link_checked_at: datetime | None = None
    coc_link_status_code: int | None = None


@dataclass(frozen=True)
class RequirementResult:
    code: Code
    outcome: Outcome
    message: str

    @property
    def title(self) -> str:
        return str(TITLES[self.code])

    @property
    def is_met(self) -> bool:
        return self.outcome is not Outcome.FAIL

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code.value,
            "title": self.title,
            "outcome": self.outcome.value,
            "message": self.message,
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

    def as_list(self) -> list[dict[str, str]]:
        return [result.as_dict() for result in self.results]


def _min_meetings() -> int:
    return int(settings.TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR)


def _max_gap() -> timedelta:
    return timedelta(days=settings.TECHGROUPS_MAX_MEETING_GAP_DAYS)


def check_contacts(facts: GroupFacts) -> RequirementResult:
    code = Code.CONTACTS
    leader, co_leader = facts.leader, facts.co_leader
    if leader is None and co_leader is None:
        message = _("The group has neither a leader nor a co-leader. Name both.")
    elif leader is None:
        message = _("The group has no leader (primary contact). Name one.")
    elif co_leader is None:
        message = _(
            "The group has no co-leader (secondary contact). Invite one, so the group keeps "
            "a contact when a leader changes."
        )
    elif leader.user_id == co_leader.user_id:
        message = _("The leader and the co-leader must be two different people.")
    else:
        message = _("%(leader)s leads the group and %(co_leader)s is co-leader.") % {
            "leader": leader.name,
            "co_leader": co_leader.name,
        }
        return RequirementResult(code, Outcome.PASS, message)
    return RequirementResult(code, Outcome.FAIL, message)


def _local_date(moment: datetime | None, facts: GroupFacts) -> str:
    if moment is None:
        return ""
    return date_format(moment.astimezone(zoneinfo.ZoneInfo(facts.timezone)), "DATE_FORMAT")


def check_code_of_conduct(facts: GroupFacts) -> RequirementResult:
    """A code of conduct at a public URL that answers (docs/program.md, Requirement 2)."""
    url = facts.code_of_conduct_url
    values = {
        "url": url,
        "count": facts.coc_link_failures,
        "since": _local_date(facts.coc_link_failing_since, facts),
        "last": _local_date(facts.coc_link_checked_at, facts),
        "status": facts.coc_link_status_code,
    }
    if url and facts.coc_link_failures >= BROKEN_LINK_CHECKS:
        message = ngettext(
            "The code of conduct at %(url)s did not answer on the last %(count)d check, "
            "from %(since)s to %(last)s.",
            "The code of conduct at %(url)s did not answer on the last %(count)d checks, "
            "from %(since)s to %(last)s.",
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
        return RequirementResult(Code.CODE_OF_CONDUCT, Outcome.FAIL, " ".join(parts))
    if url and facts.coc_link_failures:
        return RequirementResult(
            Code.CODE_OF_CONDUCT,
            Outcome.PASS,
            _(
                "The code of conduct is published at %(url)s, but it did not answer on the "
                "last check (%(last)s). If it fails the next check too, this requirement fails."
            )
            % values,
        )
    if url:
        return RequirementResult(
            Code.CODE_OF_CONDUCT,
            Outcome.PASS,
            _("The code of conduct is published at %(url)s.") % {"url": url},
        )
    return RequirementResult(
        Code.CODE_OF_CONDUCT,
        Outcome.FAIL,
        _(
            "Add the address of your code of conduct, easy to reach from the group's home page. "
            "If you have none, start from the portal's example."
        ),
    )


def check_free_attendance(facts: GroupFacts) -> RequirementResult:
    count = facts.fee_meeting_count
    if count == 0:
        return RequirementResult(
            Code.FREE_ATTENDANCE,
            Outcome.PASS,
            _("No meeting in the last 12 months charged an entry fee."),
        )
    message = ngettext(
        "%(count)d meeting in the last 12 months charged an entry fee. Members may never be "
        "charged to attend; only costs such as venue or food and drink may be recovered.",
        "%(count)d meetings in the last 12 months charged an entry fee. Members may never be "
        "charged to attend; only costs such as venue or food and drink may be recovered.",
        count,
    ) % {"count": count}
    return RequirementResult(Code.FREE_ATTENDANCE, Outcome.FAIL, message)


def _is_new(facts: GroupFacts, window_start: datetime) -> bool:
    """Admitted less than 12 months ago: judged by its pace, not yet by a full year."""
    return facts.admitted_at is not None and facts.admitted_at > window_start


def check_azure_meetings(facts: GroupFacts, *, now: datetime) -> RequirementResult:
    code = Code.AZURE_MEETINGS
    minimum = _min_meetings()
    count = len(facts.azure_meeting_starts)
    window_start, _end = meeting_window(now)
    counted = ngettext(
        "%(count)d Azure-related meeting in the last 12 months",
        "%(count)d Azure-related meetings in the last 12 months",
        count,
    ) % {"count": count}
    if count >= minimum:
        return RequirementResult(
            code,
            Outcome.PASS,
            _("%(counted)s (the program asks for at least %(minimum)d).")
            % {"counted": counted, "minimum": minimum},
        )
    if facts.status in APPLICATION_STATUSES:
        planned = facts.planned_meetings_per_year or 0
        if planned >= minimum:
            return RequirementResult(
                code,
                Outcome.WARNING,
                _(
                    "%(counted)s; you plan %(planned)d a year. The program asks for at least "
                    "%(minimum)d a year, so log them as you hold them."
                )
                % {"counted": counted, "planned": planned, "minimum": minimum},
            )
        return RequirementResult(
            code,
            Outcome.FAIL,
            _(
                "%(counted)s, and %(planned)d planned a year. The program asks for at least "
                "%(minimum)d Azure-related meetings a year."
            )
            % {"counted": counted, "planned": planned, "minimum": minimum},
        )
    if facts.admitted_at is not None and _is_new(facts, window_start):
        days = max((now - facts.admitted_at).days, 1)
        projected = math.floor(count * 365 / days)
        expected_by_now = math.floor(minimum * days / 365)
        values = {
            "count": count,
            "days": days,
            "projected": projected,
            "minimum": minimum,
            "expected": expected_by_now,
        }
        if count * 365 >= minimum * days:  # the pace of `minimum` a year, exactly
            message = ngettext(
                "%(count)d Azure-related meeting in the %(days)d days since admission: on "
                "course for about %(projected)d a year (the program asks for %(minimum)d).",
                "%(count)d Azure-related meetings in the %(days)d days since admission: on "
                "course for about %(projected)d a year (the program asks for %(minimum)d).",
                count,
            )
            return RequirementResult(code, Outcome.PASS, message % values)
        message = ngettext(
            "%(count)d Azure-related meeting in the %(days)d days since admission: at this "
            "pace about %(projected)d a year, short of %(minimum)d. By now about "
            "%(expected)d would be on course.",
            "%(count)d Azure-related meetings in the %(days)d days since admission: at this "
            "pace about %(projected)d a year, short of %(minimum)d. By now about "
            "%(expected)d would be on course.",
            count,
        )
        return RequirementResult(code, Outcome.WARNING, message % values)
    return RequirementResult(
        code,
        Outcome.FAIL,
        _("Only %(counted)s; the program asks for at least %(minimum)d.")
        % {"counted": counted, "minimum": minimum},
    )


def _spread_start(facts: GroupFacts, window_start: datetime) -> datetime:
    if facts.admitted_at is not None and facts.admitted_at > window_start:
        return facts.admitted_at
    return window_start


def check_meeting_spread(facts: GroupFacts, *, now: datetime) -> RequirementResult:
    """Warn when the Azure meetings bunch up, leaving a long stretch with none.

    docs/program.md, Requirement 4: six Azure meetings a year, spread out.
    """
    window_start, _end = meeting_window(now)
    start = _spread_start(facts, window_start)
    points = [start, *sorted(t for t in facts.azure_meeting_starts if t >= start), now]
    longest, gap_from, gap_to = max(
        ((later - earlier, earlier, later) for earlier, later in itertools.pairwise(points)),
        key=lambda gap: gap[0],
    )
    tz = zoneinfo.ZoneInfo(facts.timezone)
    values = {
        "days": math.ceil(longest / timedelta(days=1)),
        "start": date_format(gap_from.astimezone(tz), "DATE_FORMAT"),
        "end": date_format(gap_to.astimezone(tz), "DATE_FORMAT"),
        "limit": _max_gap().days,
    }
    if longest > _max_gap():
        return RequirementResult(
            Code.MEETING_SPREAD,
            Outcome.WARNING,
            _(
                "No Azure-related meeting for %(days)d days, from %(start)s to %(end)s. Spread "
                "meetings through the year (at most %(limit)d days apart) so content stays current."
            )
            % values,
        )
    return RequirementResult(
        Code.MEETING_SPREAD,
        Outcome.PASS,
        _("Meetings are spread through the year: the longest gap is %(days)d days.") % values,
    )


def _contacts(facts: GroupFacts) -> list[tuple[str, Contact | None]]:
    return [(_("leader"), facts.leader), (_("co-leader"), facts.co_leader)]


def check_tech_community_ids(facts: GroupFacts) -> RequirementResult:
    missing = []
    for role, contact in _contacts(facts):
        if contact is None:
            missing.append(_("there is no %(role)s yet") % {"role": role})
        elif not contact.has_tech_community_id:
            missing.append(
                _("the %(role)s, %(name)s, has not given one")
                % {"role": role, "name": contact.name}
            )
    if not missing:
        return RequirementResult(
            Code.TECH_COMMUNITY_IDS,
            Outcome.PASS,
            _("Both contacts have given their Tech Community user ID."),
        )
    return RequirementResult(
        Code.TECH_COMMUNITY_IDS,
        Outcome.FAIL,
        _(
            "Leaders Hub access needs the Tech Community user ID of both contacts: %(missing)s. "
            "Add it on the profile page."
        )
        % {"missing": "; ".join(missing)},
    )


def check_program_rules(facts: GroupFacts) -> RequirementResult:
    current = facts.current_rules_version
    if current is None:
        return RequirementResult(
            Code.PROGRAM_RULES, Outcome.PASS, _("No program rules have been published yet.")
        )
    missing = []
    for role, contact in _contacts(facts):
        if contact is None:
            missing.append(_("there is no %(role)s yet") % {"role": role})
        elif contact.accepted_rules_version is None:
            missing.append(
                _("the %(role)s, %(name)s, has not accepted them")
                % {"role": role, "name": contact.name}
            )
        elif contact.accepted_rules_version < current:
            missing.append(
                _("the %(role)s, %(name)s, accepted version %(old)d, which is out of date")
                % {"role": role, "name": contact.name, "old": contact.accepted_rules_version}
            )
    if not missing:
        return RequirementResult(
            Code.PROGRAM_RULES,
            Outcome.PASS,
            _("Both contacts have accepted the current program rules (version %(version)d).")
            % {"version": current},
        )
    return RequirementResult(
        Code.PROGRAM_RULES,
        Outcome.FAIL,
        _("Both contacts must accept the current program rules (version %(version)d): %(missing)s.")
        % {"version": current, "missing": "; ".join(missing)},
    )


def evaluate_requirements(facts: GroupFacts, *, now: datetime) -> Checklist:
    """Evaluate every program requirement for one group, in the order docs/program.md lists them."""
    return Checklist(
        [
            check_contacts(facts),
            check_code_of_conduct(facts),
            check_free_attendance(facts),
            check_azure_meetings(facts, now=now),
            check_meeting_spread(facts, now=now),
            check_tech_community_ids(facts),
            check_program_rules(facts),
        ]
    )


#: Requirements that can fail outright (the spread rule only ever warns).
FAILABLE = [
    Code.CONTACTS,
    Code.CODE_OF_CONDUCT,
    Code.FREE_ATTENDANCE,
    Code.AZURE_MEETINGS,
    Code.TECH_COMMUNITY_IDS,
    Code.PROGRAM_RULES,
]


def failing_q(code: Code, *, now: datetime) -> Q:
    """A filter for groups annotated by `groups_with_requirement_facts` that fail `code`.

    It states in SQL what the `check_*` function above decides in Python; keep them together.
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
            planned_enough = Q(status__in=APPLICATION_STATUSES) & Q(
                planned_meetings_per_year__gte=minimum
            )
            application_short = Q(status__in=APPLICATION_STATUSES) & ~planned_enough
            established = ~Q(status__in=APPLICATION_STATUSES) & (
                Q(admitted_at__isnull=True) | Q(admitted_at__lte=window_start)
            )
            return Q(req_azure_meetings__lt=minimum) & (application_short | established)
        case Code.TECH_COMMUNITY_IDS:
            return Q(req_leader_has_id=False) | Q(req_co_leader_has_id=False)
        case Code.PROGRAM_RULES:
            return Q(req_leader_accepted=False) | Q(req_co_leader_accepted=False)
        case _:
            return Q(pk__in=[])


def failing_any_q(*, now: datetime) -> Q:
    """Groups that fail at least one requirement (the admin's "any requirement" filter)."""
    condition = Q(pk__in=[])
    for code in FAILABLE:
        condition |= failing_q(code, now=now)
    return condition
