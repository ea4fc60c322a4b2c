"""The code-of-conduct link check (docs/program.md, "Code-of-conduct link check"; Requirement 2).

Once a day every admitted group's code-of-conduct link is asked whether it still answers
(`meetings.fetch.check_link`: public addresses only, HEAD then GET). Each check is kept in
CodeOfConductCheck; the group keeps the count of failed checks in a row for its current URL,
and `membership.requirements.check_code_of_conduct` fails the requirement once that count reaches
BROKEN_LINK_CHECKS. The compliance reminders read that failure; nothing is e-mailed here.

The same run reads the group's home page and looks for a link to the code of conduct
(`home_page_links_to`): "easy to reach from the group's home page". What it finds is kept on
the group (`coc_linked_from_home`) and only ever warns: a page built by scripts may hide links.
"""

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import urljoin, urlsplit

from django.db import transaction
from django.db.models import F, Q, QuerySet

from groups.models import Group
from meetings.fetch import FetchError, LinkCheck, check_link, fetch_url, fetching_enabled

from .models import CodeOfConductCheck

logger = logging.getLogger(__name__)

#: A link checked more recently than this is not checked again: the daily run that crashed
#: resumes where it stopped, and a second run on the same day checks nothing.
CHECK_INTERVAL = timedelta(hours=20)
#: Seconds one link may take, HEAD and GET together.
CHECK_TIMEOUT = 10.0
#: Links checked by one call; the task calls again while more are due (Celery's time limit).
DEFAULT_BATCH = 50
#: Links fetched at the same time, so a batch of slow servers still ends well within the limit.
FETCH_WORKERS = 8

#: The group's fields that hold the state of the check of its current URL.
STATE_FIELDS = [
    "coc_link_checked_at",
    "coc_link_failures",
    "coc_link_failing_since",
    "coc_link_status_code",
    "coc_link_error",
    "coc_linked_from_home",
]
#: How much of a home page is read to find the link.
HOME_PAGE_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class LinkCheckRun:
    """What one call of `check_code_of_conduct_links` did."""

    checked: int
    broken: int
    #: Links still due after this batch: call again.
    more_due: bool


def groups_due_for_link_check(*, now: datetime) -> QuerySet[Group]:
    """Admitted groups with a code-of-conduct URL not checked in the last CHECK_INTERVAL."""
    return (
        Group.objects.admitted()
        .exclude(code_of_conduct_url="")
        .filter(
            Q(coc_link_checked_at__isnull=True) | Q(coc_link_checked_at__lte=now - CHECK_INTERVAL)
        )
    )


def link_check_reset(group: Group) -> None:
    """Forget the checks of the old URL (not saved here): a new URL starts with no failures,
    and is checked on the next run."""
    group.coc_link_checked_at = None
    group.coc_link_failures = 0
    group.coc_link_failing_since = None
    group.coc_link_status_code = None
    group.coc_link_error = ""
    group.coc_linked_from_home = None


#: A link's target in HTML: any href attribute (quoted or not, at most 1,000 characters). A
#: scan with a bounded regular expression, not an HTML parser: it takes linear time on any
#: page and never raises (Python's html.parser raises on some malformed pages and is
#: quadratic on others). An href of another tag than a link may count: that only errs
#: towards "linked", which is what a warning-only check should do.
HREF = re.compile(
    r"""\bhref\s{0,20}=\s{0,20}(?:"([^"]{0,1000})"|'([^']{0,1000})'|([^\s"'>]{1,1000}))""",
    re.IGNORECASE,
)


def _hrefs(html_text: str) -> list[str]:
    return [
        unescape(next(group for group in match.groups() if group is not None))
        for match in HREF.finditer(html_text)
    ]


def _same_page(url: str) -> tuple[str, str, str]:
    """A URL as a page: host without "www.", path without a trailing slash, query; the scheme
    and the fragment do not make another page."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, parts.path.rstrip("/") or "/", parts.query


def page_links_to(html: str, *, page_url: str, target: str) -> bool:
    """Whether the HTML of the page at `page_url` links to `target` (relative links too)."""
    wanted = _same_page(target)
    for href in _hrefs(html):
        try:
            if _same_page(urljoin(page_url, href)) == wanted:
                return True
        except ValueError:  # a malformed link on someone else's page
            continue
    return False


def home_page_links_to(home_url: str, target: str) -> bool | None:
    """Whether the home page links to `target`; None when it cannot tell (no answer, not
    HTML). A home page that is the code of conduct itself links to it."""
    if _same_page(home_url) == _same_page(target):
        return True
    try:
        body = fetch_url(home_url, max_bytes=HOME_PAGE_MAX_BYTES, timeout=CHECK_TIMEOUT)
    except FetchError:
        return None
    html = body.decode("utf-8", errors="replace")
    if "<" not in html:
        return None
    return page_links_to(html, page_url=home_url, target=target)


@transaction.atomic
def link_check_record(
    *,
    group_id: int,
    url: str,
    result: LinkCheck,
    now: datetime,
    linked_from_home: bool | None = None,
) -> CodeOfConductCheck:
    """Keep one check of `url` and, if it is still the group's URL, count it.

    A check of a URL the leaders have since changed is kept in the history but says nothing
    about the new one. Nor is a check counted twice in a day when two runs overlapped.
    """
    group = Group.objects.select_for_update().get(pk=group_id)
    check = CodeOfConductCheck.objects.create(
        group=group,
        url=url,
        checked_at=now,
        ok=result.ok,
        status_code=result.status,
        final_url=result.final_url,
        error=result.error,
    )
    if group.code_of_conduct_url != url:
        return check
    last = group.coc_link_checked_at
    if last is not None and last > now - CHECK_INTERVAL:
        return check
    group.coc_link_checked_at = now
    group.coc_linked_from_home = linked_from_home
    group.coc_link_status_code = result.status
    group.coc_link_error = result.error
    if result.ok:
        group.coc_link_failures = 0
        group.coc_link_failing_since = None
    else:
        group.coc_link_failures += 1
        group.coc_link_failing_since = group.coc_link_failing_since or now
    # Not a change by a person: the group's version stays, so no open edit form goes stale.
    group.save(update_fields=STATE_FIELDS)
    return check


def _check(url: str) -> LinkCheck:
    return check_link(url, timeout=CHECK_TIMEOUT)


def _not_looked(home_url: str, target: str) -> bool | None:
    return None


def check_code_of_conduct_links(
    *,
    now: datetime,
    batch: int = DEFAULT_BATCH,
    check: Callable[[str], LinkCheck] = _check,
    home_links: Callable[[str, str], bool | None] = _not_looked,
) -> LinkCheckRun:
    """Check the code-of-conduct links that are due, at most `batch` of them.

    One query picks the batch (the least recently checked first) and one asks whether more
    are due; each link then costs its fetch and a short transaction recording the result.
    With fetching switched off (TECHGROUPS_FETCH_ENABLED) nothing is checked or counted.
    """
    if not fetching_enabled():
        logger.info("Code-of-conduct links: not checked, fetching is switched off")
        return LinkCheckRun(checked=0, broken=0, more_due=False)
    due = list(
        groups_due_for_link_check(now=now)
        .order_by(F("coc_link_checked_at").asc(nulls_first=True), "pk")
        .values_list("pk", "code_of_conduct_url", "home_page_url")[:batch]
    )

    def both(url: str, home_url: str) -> tuple[LinkCheck, bool | None]:
        try:
            linked = home_links(home_url, url)
        except Exception:  # one group's home page must never stop the others' checks
            logger.exception("Code-of-conduct link: reading the home page %s failed", home_url)
            linked = None
        return check(url), linked

    broken = 0
    if due:
        with ThreadPoolExecutor(max_workers=min(FETCH_WORKERS, len(due))) as pool:
            results = pool.map(both, [url for _pk, url, _home in due], [h for _p, _u, h in due])
            for (pk, url, _home), (result, linked) in zip(due, results, strict=True):
                link_check_record(
                    group_id=pk, url=url, result=result, now=now, linked_from_home=linked
                )
                broken += not result.ok
    more_due = (
        groups_due_for_link_check(now=now).exclude(pk__in=[pk for pk, _url, _home in due]).exists()
    )
    logger.info(
        "Code-of-conduct links: %d checked, %d broken, more due: %s", len(due), broken, more_due
    )
    return LinkCheckRun(checked=len(due), broken=broken, more_due=more_due)
