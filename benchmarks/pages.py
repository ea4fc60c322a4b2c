"""Benchmark: the portal's heavy pages, the export and the compliance sweep. Not a test.

    DJANGO_SETTINGS_MODULE=techgroups.settings.dev .venv/bin/python -m benchmarks.pages \\
        [--groups 10000] [--meetings-per-group 15] [--repeat 7] \\
        [--database-url postgres://postgres@127.0.0.1:5432/techgroups]

Builds a throwaway database as benchmarks.reminders does (Django's test database beside the
given one, or by default a SQLite file under /tmp; both are removed afterwards, the named
database is never touched), fills it with the demo's builders (as `seed_demo`), refreshes the
planner's statistics as autovacuum would (VACUUM ANALYZE), then requests each page through
Django's test Client on the full middleware stack with DEBUG off: the leader dashboard (as
leader@example.org), the admin group list, the review queue and the program overview (as
staff@example.org, with an authenticator app), the public directory (signed out). The
overview is measured twice: with its figures kept in the settings' cache (what most visits
cost) and computing them on every visit (TECHGROUPS_OVERVIEW_CACHE_SECONDS=0). Django's own
admin home is measured for reference: the cost of any admin page before its own work.

For each page it prints the queries (one run under CaptureQueriesContext), the median time
of --repeat runs after a warm-up, the peak memory (tracemalloc, in a pass of its own) and the
ratio of the median to a bare page that renders base.html with no query of its own, requested
by the same visitor (benchmarks/urls.py mounts it). The aim: within 2x of it.

The meetings export is streamed to the end (every row read); the compliance sweep
(membership.reminders.queue_compliance_reminders) runs twice, the second run finding everything
already queued. Workers are not nudged (outbox rows are written, nothing is sent).
"""

import argparse
import math
import os
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from unittest import mock

#: A page is on target when its median is within this many times the bare page's.
AIM_RATIO = 2.0
MIB = 1024 * 1024
#: The password of the demo accounts is irrelevant here: the clients are signed in directly.
#: A TOTP secret for the staff account's authenticator (the admin needs one; never used).
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - a throwaway benchmark account


class BenchmarkError(Exception):
    """A page did not answer 200, or the data set lacks what the benchmark needs."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=10_000, help="groups to create")
    parser.add_argument(
        "--meetings-per-group",
        type=int,
        default=15,
        help="seed_demo's meetings a year of a regular group (15: about 118,000 meetings "
        "for 10,000 groups)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a database server to create the throwaway test database on "
        "(default: a SQLite file under /tmp)",
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each page")
    parser.add_argument("--export-repeat", type=int, default=3, help="timed runs of the export")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's random seed")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.export_repeat < 1:
        parser.error("--repeat and --export-repeat must be at least 1")
    return args


# Settings and visitors -------------------------------------------------------------------------


@contextmanager
def benchmark_settings() -> Iterator[None]:
    """DEBUG off, the bare page mounted, the test client's host allowed, plain static files.

    Static files: the manifest storage needs `collectstatic` first; the plain storage gives
    the same URLs without it (the lookup is not what is measured).
    """
    from django.conf import settings
    from django.test.utils import override_settings

    with override_settings(
        DEBUG=False,
        ROOT_URLCONF="benchmarks.urls",
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


def visitors() -> dict[str, Any]:
    """Test clients: signed out, the featured demo leader, and the program team's staff member.

    The staff member gets an authenticator app, as StaffMfaRequiredMiddleware asks for one
    before the admin (it checks that one exists; the code is never asked on force_login).
    """
    from allauth.mfa.models import Authenticator
    from django.test import Client

    from demo.builders.people import LEADER_EMAIL, STAFF_EMAIL
    from leaders.models import User

    try:
        leader = User.objects.get(email=LEADER_EMAIL)
        staff = User.objects.get(email=STAFF_EMAIL)
    except User.DoesNotExist as error:
        raise BenchmarkError("The demo accounts are missing: seed with seed_demo first.") from error
    Authenticator.objects.get_or_create(
        user=staff, type=Authenticator.Type.TOTP, defaults={"data": {"secret": TOTP_SECRET}}
    )
    clients = {"anonymous": Client(), "leader": Client(), "staff": Client()}
    clients["leader"].force_login(leader)
    clients["staff"].force_login(staff)
    return clients


@dataclass(frozen=True)
class Page:
    name: str
    visitor: str
    url: str
    #: Settings the page is measured under (e.g. the overview with its figures kept or not).
    settings: tuple[tuple[str, Any], ...] = ()
    #: Measured for comparison only (Django's own pages): no aim of ours applies.
    reference: bool = False


def pages() -> list[Page]:
    """The pages measured, in the order printed (the bare page's visitors come from these)."""
    from django.urls import reverse

    from demo.builders.people import LEADER_EMAIL
    from groups.models import Group

    featured = (
        Group.objects.filter(
            leaderships__user__email=LEADER_EMAIL, leaderships__ended_at__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if featured is None:
        raise BenchmarkError(f"{LEADER_EMAIL} leads no group: seed with seed_demo first.")
    overview = reverse("program_overview")
    return [
        Page("leader dashboard", "leader", reverse("groups:dashboard", args=[featured.slug])),
        # Django's own admin home: what any admin page costs before its own work.
        Page("admin home (Django's)", "staff", reverse("admin:index"), reference=True),
        Page("admin group list", "staff", reverse("admin:groups_group_changelist")),
        Page("review queue", "staff", reverse("admin:groups_review_queue")),
        Page("program overview", "staff", overview),
        # The same, computing its figures on every visit (what a visit costs every
        # TECHGROUPS_OVERVIEW_CACHE_SECONDS, or after "Compute again now").
        Page(
            "overview, computing",
            "staff",
            overview,
            settings=(("TECHGROUPS_OVERVIEW_CACHE_SECONDS", 0),),
        ),
        Page("directory", "anonymous", reverse("directory:list")),
    ]


def export_url() -> str:
    from django.urls import reverse

    return reverse("admin:meetings_meeting_export")


def bare_url() -> str:
    from django.urls import reverse

    from benchmarks.urls import BARE_URL_NAME

    return reverse(BARE_URL_NAME)


# Measuring -------------------------------------------------------------------------------------


def refresh_statistics() -> None:
    """What the database's autovacuum does soon after a bulk load, done at once: the planner's
    statistics and (PostgreSQL) the visibility map that index-only scans rely on."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


@dataclass
class Fetched:
    status: int
    size: int
    lines: int


def fetch(client: Any, url: str) -> Fetched:
    """One GET through the whole stack; a streamed body is read to the end, chunk by chunk."""
    response = client.get(url)
    if response.streaming:
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        # Read to the end, the test client has closed the response (never close it twice:
        # the second close would run close_old_connections, closing the database connection).
        return Fetched(response.status_code, size, lines)
    return Fetched(response.status_code, len(response.content), response.content.count(b"\n"))


def checked_fetch(client: Any, url: str) -> Fetched:
    fetched = fetch(client, url)
    if fetched.status != 200:
        raise BenchmarkError(f"{url} answered {fetched.status}, not 200.")
    return fetched


def traced_peak(action: Callable[[], Any]) -> int:
    """The peak memory Python allocated while `action` ran (bytes, tracemalloc)."""
    tracemalloc.start()
    try:
        action()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


@dataclass
class Measurement:
    name: str
    visitor: str
    queries: int
    median: float  # seconds
    peak: int  # bytes
    size: int = 0
    rows: int = 0
    times: list[float] = field(default_factory=list)
    ratio: float | None = None
    reference: bool = False

    @property
    def over_aim(self) -> bool:
        return not self.reference and self.ratio is not None and self.ratio > AIM_RATIO


def measure_page(page: Page, client: Any, *, repeat: int) -> Measurement:
    """A warm-up, one run counting queries, `repeat` timed runs, one run tracing memory."""
    from django.test.utils import override_settings

    with override_settings(**dict(page.settings)):
        return _measure_page(page, client, repeat=repeat)


def _measure_page(page: Page, client: Any, *, repeat: int) -> Measurement:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = checked_fetch(client, page.url)
    with CaptureQueriesContext(connection) as captured:
        checked_fetch(client, page.url)
    queries = len(captured)  # now: the next request empties the connection's query log
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        checked_fetch(client, page.url)
        times.append(time.perf_counter() - started)
    peak = traced_peak(lambda: checked_fetch(client, page.url))
    return Measurement(
        page.name,
        page.visitor,
        queries=queries,
        median=statistics.median(times),
        peak=peak,
        size=first.size,
        times=times,
        reference=page.reference,
    )


def measure_export(client: Any, *, repeat: int) -> Measurement:
    """The meetings CSV, streamed to the end: rows, queries, median time, peak memory."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = export_url()
    with CaptureQueriesContext(connection) as captured:
        fetched = checked_fetch(client, url)
    queries = len(captured)  # now: the next request empties the connection's query log
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        checked_fetch(client, url)
        times.append(time.perf_counter() - started)
    peak = traced_peak(lambda: checked_fetch(client, url))
    return Measurement(
        "meetings export (CSV)",
        "staff",
        queries=queries,
        median=statistics.median(times),
        peak=peak,
        size=fetched.size,
        rows=fetched.lines - 1,  # the header; no exported cell holds a line break
        times=times,
    )


def measure_pages(*, repeat: int) -> list[Measurement]:
    """The bare page for each visitor, then every page with its ratio to its visitor's floor."""
    clients = visitors()
    page_list = pages()
    floors: dict[str, Measurement] = {}
    results: list[Measurement] = []
    for visitor in dict.fromkeys(page.visitor for page in page_list):
        floor = measure_page(
            Page("bare page (floor)", visitor, bare_url()), clients[visitor], repeat=repeat
        )
        floor.ratio = 1.0
        floors[visitor] = floor
    for page in page_list:
        measured = measure_page(page, clients[page.visitor], repeat=repeat)
        measured.ratio = measured.median / floors[page.visitor].median
        results.append(measured)
    return [*floors.values(), *results]


def run_export(*, repeat: int) -> Measurement:
    return measure_export(visitors()["staff"], repeat=repeat)


@dataclass
class Sweep:
    label: str
    queries: int
    seconds: float
    traced_seconds: float
    peak: int
    queued: int


def run_sweep(*, now: datetime) -> tuple[list[Sweep], int]:
    """queue_compliance_reminders twice (the first run's timing pass rolled back), and the
    number of chunks the groups it reads make."""
    from benchmarks.reminders import run, timed_rolled_back
    from membership.reminders import CHUNK_SIZE, reminder_candidates

    candidates = reminder_candidates(now=now).count()
    chunks = candidates // CHUNK_SIZE + 1
    sweeps = []
    with mock.patch("notifications.outbox.outbox_nudge"):
        first_time = timed_rolled_back(now=now, chunk_size=0)
        first = run(now=now, chunk_size=0, trace=True)
        second_time = run(now=now, chunk_size=0, trace=False)
        second = run(now=now, chunk_size=0, trace=True)
    for label, timing, traced in (
        ("sweep, first run", first_time, first),
        ("sweep, second run", second_time, second),
    ):
        sweeps.append(
            Sweep(
                label,
                queries=traced["queries"],
                seconds=timing["seconds"],
                traced_seconds=traced["seconds"],
                peak=traced["peak"],
                queued=sum(traced["counts"].values()),
            )
        )
    return sweeps, chunks


# Report ----------------------------------------------------------------------------------------


def page_table(measurements: list[Measurement]) -> list[str]:
    lines = [
        f"{'page':<26} {'as':<10} {'queries':>7} {'median ms':>10} {'peak MiB':>9} "
        f"{'ratio':>6}  aim (≤ {AIM_RATIO:g}x the bare page)"
    ]
    for m in measurements:
        ratio = m.ratio if m.ratio is not None else math.nan
        if m.name.startswith("bare page"):
            verdict = "floor"
        elif m.reference:
            verdict = "reference"
        elif ratio <= AIM_RATIO:
            verdict = "within"
        else:
            verdict = f"OVER ({ratio:.1f}x)"
        lines.append(
            f"{m.name:<26} {m.visitor:<10} {m.queries:>7} {m.median * 1000:>10.1f} "
            f"{m.peak / MIB:>9.2f} {ratio:>5.1f}x  {verdict}"
        )
    return lines


def export_lines(m: Measurement) -> list[str]:
    rate = m.rows / m.median if m.median else 0
    return [
        f"{m.name}: {m.rows:,} rows, {m.size / MIB:.1f} MiB of CSV, {m.queries} queries, "
        f"median {m.median:.2f} s ({rate:,.0f} rows/s), peak {m.peak / MIB:.1f} MiB "
        "(tracemalloc; streamed, so it does not grow with the rows)"
    ]


def sweep_lines(sweeps: list[Sweep], chunks: int) -> list[str]:
    lines = []
    for s in sweeps:
        lines.append(
            f"{s.label}: {s.queries} queries ({s.queries / chunks:.1f} per chunk of groups, "
            f"{chunks} chunks), {s.seconds:.2f} s (with tracemalloc {s.traced_seconds:.2f} s), "
            f"peak {s.peak / MIB:.1f} MiB, {s.queued} e-mails queued"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from benchmarks.reminders import setup_django, throwaway_database

    sqlite_file = setup_django(args.database_url)
    # WhiteNoise looks for STATIC_ROOT, which only `collectstatic` makes; no file is served here.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    from django.db import connection
    from django.utils import timezone

    from demo.builders.context import demo_context
    from demo.builders.demo import build_demo

    with throwaway_database(sqlite_file), benchmark_settings():
        started = time.perf_counter()
        with mock.patch("notifications.outbox.outbox_nudge"):
            build_demo(
                ctx=demo_context(seed=args.seed),
                groups=args.groups,
                meetings_per_group=args.meetings_per_group,
            )
        built = time.perf_counter() - started
        refresh_statistics()
        from groups.models import Group
        from meetings.models import Meeting

        print(
            f"Database: {connection.vendor} {connection.settings_dict['NAME']} "
            f"({os.environ['DJANGO_SETTINGS_MODULE']}, DEBUG off)"
        )
        print(
            f"Data set (seed_demo): {Group.objects.count():,} groups, "
            f"{Meeting.objects.count():,} meetings in {built:.1f} s; "
            f"median of {args.repeat} runs after a warm-up"
        )
        print()
        try:
            measured = measure_pages(repeat=args.repeat)
            export = run_export(repeat=args.export_repeat)
        except BenchmarkError as error:
            print(f"ERROR: {error}", file=sys.stderr)
            return 1
        for line in page_table(measured):
            print(line)
        print()
        for line in export_lines(export):
            print(line)
        sweeps, chunks = run_sweep(now=timezone.now())
        for line in sweep_lines(sweeps, chunks):
            print(line)
        over = [m.name for m in measured if m.over_aim]
        print()
        if over:
            print(f"Over the aim (> {AIM_RATIO:g}x the bare page): {', '.join(over)}")
        else:
            print(f"Every page is within {AIM_RATIO:g}x the bare page.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
