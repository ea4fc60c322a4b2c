"""Benchmark: the compliance reminder job over many groups. Not a test.

    DJANGO_SETTINGS_MODULE=techgroups.settings.dev .venv/bin/python -m benchmarks.reminders \\
        --groups 10000 [--database-url postgres://postgres@127.0.0.1:5432/techgroups]

Builds a throwaway database (Django's test database beside the given one, or by default a
SQLite file under /tmp; both are removed afterwards, the named database is never touched),
fills it with the demo's builders (demo/builders, what seed_demo writes: groups in every
status, their leaders, about 12 meetings a regular group, a realistic share of them failing a
requirement or due for review), then runs the job twice: the first run queues the reminders
that are due, the second (same day) must queue nothing. For each it prints the queries, the
wall time, the peak memory (tracemalloc) and the e-mails queued.

Each run is measured twice: once for time (without tracemalloc, which slows Python down;
the first run's timing pass is rolled back) and once for queries and memory. Workers are not
nudged (the outbox rows are written, nothing is sent).
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=10_000, help="groups to create")
    parser.add_argument(
        "--database-url",
        default="",
        help="a database server to create the throwaway test database on "
        "(default: a SQLite file under /tmp)",
    )
    parser.add_argument(
        "--meetings", type=int, default=12, help="meetings a year of a regular admitted group"
    )
    parser.add_argument("--chunk-size", type=int, default=0, help="groups per chunk")
    parser.add_argument("--seed", type=int, default=5)
    return parser.parse_args(argv)


def setup_django(database_url: str) -> str:
    """Point Django at the benchmark's database; returns the SQLite file to remove, if any."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techgroups.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"  # no query log eating memory
    sqlite_file = ""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        handle, sqlite_file = tempfile.mkstemp(prefix="techgroups-bench-", suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    import django

    django.setup()
    return sqlite_file


@contextmanager
def throwaway_database(sqlite_file: str) -> Iterator[None]:
    """Migrate a fresh database and remove it afterwards."""
    from django.core.management import call_command
    from django.db import connection

    if sqlite_file:
        call_command("migrate", verbosity=0, interactive=False)
        try:
            yield
        finally:
            connection.close()
            Path(sqlite_file).unlink(missing_ok=True)
        return
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


# The data set ----------------------------------------------------------------------------------


def build(*, groups: int, meetings: int, seed: int, now: datetime) -> dict[str, int]:
    """The demo (demo.builders.demo.build_demo) of `groups` groups, dated from `now`, with
    `meetings` meetings a year for a regular admitted group; returns what it holds."""
    from demo.builders.context import demo_context
    from demo.builders.demo import build_demo
    from groups.models import Group
    from leaders.models import Leadership, User
    from meetings.models import Meeting

    build_demo(ctx=demo_context(seed=seed, now=now), groups=groups, meetings_per_group=meetings)
    return {
        "groups": Group.objects.count(),
        "users": User.objects.count(),
        "leaderships": Leadership.objects.count(),
        "meetings": Meeting.objects.count(),
    }


# Measuring -------------------------------------------------------------------------------------


class QueryCounter:
    """Counts the queries sent to the database, without keeping them (no memory cost)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, ctx)


def run(*, now: datetime, chunk_size: int, trace: bool) -> dict[str, Any]:
    from django.db import connection

    from membership.reminders import CHUNK_SIZE, queue_compliance_reminders

    counter = QueryCounter()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        counts = queue_compliance_reminders(now=now, chunk_size=chunk_size or CHUNK_SIZE)
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"counts": counts, "queries": counter.count, "seconds": seconds, "peak": peak}


def timed_rolled_back(*, now: datetime, chunk_size: int) -> dict[str, Any]:
    """A run whose writes are undone, so the same run can be measured again."""
    from django.db import transaction

    with transaction.atomic():
        result = run(now=now, chunk_size=chunk_size, trace=False)
        transaction.set_rollback(True)
    return result


def report(label: str, groups: int, timing: dict[str, Any], traced: dict[str, Any]) -> None:
    counts = traced["counts"]
    emails = sum(value for kind, value in counts.items() if kind != "inactivity_escalation")
    print(f"{label}:")
    print(f"  groups            {groups}")
    print(f"  queries           {traced['queries']}")
    traced_seconds = f"(with tracemalloc: {traced['seconds']:.2f} s)"
    print(f"  wall time         {timing['seconds']:.2f} s {traced_seconds}")
    print(f"  peak memory       {traced['peak'] / 1024 / 1024:.1f} MiB (tracemalloc)")
    print(f"  e-mails queued    {emails}")
    print(f"  escalations       {counts.get('inactivity_escalation', 0)}")
    detail = ", ".join(f"{kind} {value}" for kind, value in counts.items() if value)
    print(f"  by kind           {detail or '-'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sqlite_file = setup_django(args.database_url)

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from demo.builders.groups import MIN_GROUPS

    if args.groups < MIN_GROUPS:
        print(f"ERROR: --groups must be at least {MIN_GROUPS}", file=sys.stderr)
        return 2
    with throwaway_database(sqlite_file), mock.patch("notifications.outbox.outbox_nudge"):
        now = timezone.now()
        started = time.perf_counter()
        sizes = build(groups=args.groups, meetings=args.meetings, seed=args.seed, now=now)
        built = time.perf_counter() - started
        print(
            f"Database: {connection.vendor} {connection.settings_dict['NAME']} "
            f"({settings.SETTINGS_MODULE})"
        )
        print(
            "Data set: "
            + ", ".join(f"{value} {name}" for name, value in sizes.items())
            + f" in {built:.1f} s"
        )
        chunk = args.chunk_size
        first_time = timed_rolled_back(now=now, chunk_size=chunk)
        first = run(now=now, chunk_size=chunk, trace=True)
        report("First run (queues what is due)", sizes["groups"], first_time, first)
        second_time = run(now=now, chunk_size=chunk, trace=False)
        second = run(now=now, chunk_size=chunk, trace=True)
        report("Second run, same day (idempotent)", sizes["groups"], second_time, second)
        if any(second["counts"].values()):
            print("ERROR: the second run queued e-mail", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
