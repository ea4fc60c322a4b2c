"""The benchmarks (benchmarks/pages.py, benchmarks/reminders.py) work: their measurements on a
tiny demo data set."""

from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks import pages, reminders
from meetings.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", groups=20, meetings_per_group=3, stdout=StringIO())


def test_every_page_answers_and_is_compared_with_its_visitors_bare_page(demo):
    with pages.benchmark_settings():
        measured = pages.measure_pages(repeat=1)

    by_name = {(m.name, m.visitor): m for m in measured}
    assert set(by_name) == {
        ("bare page (floor)", "leader"),
        ("bare page (floor)", "staff"),
        ("bare page (floor)", "anonymous"),
        ("leader dashboard", "leader"),
        ("admin home (Django's)", "staff"),
        ("admin group list", "staff"),
        ("review queue", "staff"),
        ("program overview", "staff"),
        ("overview, computing", "staff"),
        ("directory", "anonymous"),
    }
    for m in measured:
        assert m.median > 0
        assert m.peak > 0
        assert m.ratio is not None and m.ratio > 0
        assert m.size > 1000  # a whole page, not a redirect
    # The bare page makes no query of its own: only the session and the user when signed in.
    assert by_name["bare page (floor)", "anonymous"].queries == 0
    assert by_name["bare page (floor)", "leader"].queries <= 3
    assert (
        by_name["admin group list", "staff"].queries > by_name["bare page (floor)", "staff"].queries
    )


def test_the_overview_is_measured_with_its_figures_kept_and_computing_them(demo, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.TECHGROUPS_OVERVIEW_CACHE_SECONDS = 300

    with pages.benchmark_settings():
        measured = {m.name: m for m in pages.measure_pages(repeat=1)}

    assert measured["program overview"].queries < measured["overview, computing"].queries
    assert measured["admin home (Django's)"].reference
    assert not measured["admin home (Django's)"].over_aim


def test_the_export_is_streamed_to_the_last_row(demo):
    with pages.benchmark_settings():
        export = pages.run_export(repeat=1)

    assert export.rows == Meeting.objects.count() > 50
    assert export.queries > 0
    assert export.peak > 0


def test_the_sweep_runs_twice_and_the_second_run_queues_nothing(demo):
    from django.utils import timezone

    sweeps, chunks = pages.run_sweep(now=timezone.now())

    first, second = sweeps
    assert chunks == 1
    assert first.queued > 0
    assert second.queued == 0
    assert second.queries < first.queries


def test_the_table_marks_pages_over_the_aim():
    floor = pages.Measurement("bare page (floor)", "staff", queries=2, median=0.01, peak=1, ratio=1)
    fast = pages.Measurement("fast page", "staff", queries=3, median=0.015, peak=1, ratio=1.5)
    slow = pages.Measurement("slow page", "staff", queries=9, median=0.05, peak=1, ratio=5.0)

    floor_line, fast_line, slow_line = pages.page_table([floor, fast, slow])[1:]

    assert floor_line.endswith("floor")
    assert fast_line.endswith("within")
    assert slow_line.endswith("OVER (5.0x)")


def test_the_reminder_benchmark_builds_the_demo_and_its_second_run_queues_nothing():
    from django.utils import timezone

    now = timezone.now()
    sizes = reminders.build(groups=20, meetings=3, seed=5, now=now)

    assert sizes["groups"] == 20
    assert sizes["meetings"] == Meeting.objects.count() > 0
    first = reminders.run(now=now, chunk_size=0, trace=False)
    second = reminders.run(now=now, chunk_size=0, trace=True)
    assert any(first["counts"].values())
    assert not any(second["counts"].values())
    assert second["peak"] > 0
