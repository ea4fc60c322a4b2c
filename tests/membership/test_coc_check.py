"""The daily code-of-conduct link check: HEAD then GET, the record kept, two failures fail it.

The links point at a real HTTP server on 127.0.0.1 (the loopback setting on); the refusal of
addresses that are not public is also in tests/meetings/test_fetch.py.
"""

import contextlib
import importlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from groups.models import Group
from leaders.models import Leadership
from meetings.fetch import FetchDisabled, LinkCheck, check_link
from membership import coc
from membership.coc import check_code_of_conduct_links, groups_due_for_link_check, link_check_record
from membership.models import CodeOfConductCheck
from membership.requirements import Code, Outcome, failing_q
from membership.selectors import checklist_for, groups_with_requirement_facts
from membership.services import group_update, group_update_by_leader
from membership.tasks import check_code_of_conduct_links as check_task
from tests.builders import admitted_group
from tests.factories import GroupFactory, LeadershipFactory, StaffFactory

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
TIMEOUT = 3.0
PAGE = b"<h1>Code of conduct</h1>" + b"x" * 5000
MIGRATION = "membership.migrations.0002_schedules"


# A server that answers HEAD and GET as each test sets up ------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between single bytes of the body


class LinkServer:
    """A real HTTP server on 127.0.0.1 in a thread; answers per (method, path)."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], Answer] = {}
        self.requests: list[tuple[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self, method: str) -> None:
                owner.requests.append((method, self.path))
                found = owner.answers.get((method, self.path), Answer(404, b"not found"))
                self.send_response(found.status)
                for name, value in found.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(found.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if method == "HEAD":
                    return
                with contextlib.suppress(OSError):  # the client stops reading early
                    if found.trickle:
                        for byte in found.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(found.trickle)
                    else:
                        self.wfile.write(found.body)

            def do_HEAD(self) -> None:
                self.answer("HEAD")

            def do_GET(self) -> None:
                self.answer("GET")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def page(self, path: str, body: bytes = PAGE, *, head: int | None = 200) -> str:
        """GET answers 200 with `body`; HEAD answers `head` (None: the same 404 as a miss)."""
        self.answers[("GET", path)] = Answer(200, body)
        if head is not None:
            self.answers[("HEAD", path)] = Answer(head, b"" if head != 200 else body)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        for method in ("HEAD", "GET"):
            self.answers[(method, path)] = Answer(status, headers={"Location": to})
        return self.url(path)

    def methods(self) -> list[str]:
        return [method for method, _path in self.requests]


@pytest.fixture
def server() -> Iterator[LinkServer]:
    link_server = LinkServer()
    yield link_server
    link_server.httpd.shutdown()
    link_server.httpd.server_close()


# check_link against a real server ------------------------------------------------------------


def test_link_that_answers_head_is_ok_without_a_get(server, loopback_allowed):
    url = server.page("/conduct")

    result = check_link(url, timeout=TIMEOUT)

    assert result == LinkCheck(ok=True, status=200, final_url=url, error="")
    assert server.methods() == ["HEAD"]


def test_missing_page_is_broken_after_head_and_get(server, loopback_allowed):
    result = check_link(server.url("/gone"), timeout=TIMEOUT)

    assert result.ok is False
    assert result.status == 404
    assert "404" in result.error
    assert server.methods() == ["HEAD", "GET"]


@pytest.mark.parametrize("head_status", [405, 501, 403, 400])
def test_server_that_refuses_head_is_asked_with_get(server, loopback_allowed, head_status):
    url = server.page("/conduct", head=head_status)

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is True
    assert result.status == 200
    assert server.methods() == ["HEAD", "GET"]


def test_server_that_does_not_know_head_is_asked_with_get(server, loopback_allowed):
    url = server.page("/conduct", head=None)  # HEAD of an unknown path: 404

    assert check_link(url, timeout=TIMEOUT).ok is True


def test_get_reads_only_the_start_of_the_page(server, loopback_allowed):
    # 200 bytes at 0.05 s each would take 10 s to read in full.
    server.page("/conduct", head=405)
    server.answers[("GET", "/conduct")].body = b"x" * 200
    server.answers[("GET", "/conduct")].trickle = 0.05

    started = time.monotonic()
    result = check_link(server.url("/conduct"), timeout=TIMEOUT)

    assert result.ok is True
    assert time.monotonic() - started < 1.5


def test_redirect_is_followed_to_the_page(server, loopback_allowed):
    final = server.page("/code-of-conduct")
    url = server.redirect("/conduct", "/code-of-conduct")

    result = check_link(url, timeout=TIMEOUT)

    assert result == LinkCheck(ok=True, status=200, final_url=final, error="")
    assert server.requests == [("HEAD", "/conduct"), ("HEAD", "/code-of-conduct")]


def test_redirect_to_a_missing_page_is_broken(server, loopback_allowed):
    url = server.redirect("/conduct", "/gone", status=302)

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert result.status == 404
    assert result.final_url == server.url("/gone")


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/conduct",
        "http://192.168.1.1/conduct",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/conduct",
    ],
)
def test_redirect_of_head_to_an_address_that_is_not_public_is_refused_without_a_get(
    server, loopback_allowed, target
):
    url = server.redirect("/conduct", target)

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert result.status is None
    assert "not on the public internet" in result.error
    assert server.requests == [("HEAD", "/conduct")]


def test_redirect_to_a_name_that_resolves_to_a_private_address_is_refused(
    server, loopback_allowed, monkeypatch
):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "conduct.internal.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = server.redirect("/conduct", "http://conduct.internal.test/conduct")

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert "conduct.internal.test" in result.error
    assert server.requests == [("HEAD", "/conduct")]


def test_loopback_is_refused_when_the_setting_is_off(server, settings):
    settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK = False
    url = server.page("/conduct")

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert server.requests == []


# The job: which groups, what is recorded -----------------------------------------------------


def code_of_conduct(group: Group, *, now: datetime = NOW):
    (result,) = [r for r in checklist_for(group, now=now).results if r.code is Code.CODE_OF_CONDUCT]
    return result


def run(*, now: datetime = NOW, batch: int = coc.DEFAULT_BATCH) -> coc.LinkCheckRun:
    return check_code_of_conduct_links(now=now, batch=batch)


@pytest.mark.django_db
def test_a_link_that_answers_is_recorded_as_ok(server, loopback_allowed):
    group = admitted_group(code_of_conduct_url=server.page("/conduct"))

    assert run() == coc.LinkCheckRun(checked=1, broken=0, more_due=False)

    group.refresh_from_db()
    assert (group.coc_link_checked_at, group.coc_link_failures) == (NOW, 0)
    assert group.coc_link_status_code == 200
    (check,) = CodeOfConductCheck.objects.filter(group=group)
    assert (check.ok, check.status_code, check.url, check.checked_at) == (
        True,
        200,
        group.code_of_conduct_url,
        NOW,
    )
    assert code_of_conduct(group).outcome is Outcome.PASS


@pytest.mark.django_db
def test_with_fetching_switched_off_nothing_is_checked_or_counted(
    server, loopback_allowed, settings
):
    settings.TECHGROUPS_FETCH_ENABLED = False
    group = admitted_group(code_of_conduct_url=server.url("/gone"))

    assert run() == coc.LinkCheckRun(checked=0, broken=0, more_due=False)

    group.refresh_from_db()
    assert (group.coc_link_checked_at, group.coc_link_failures) == (None, 0)
    assert not CodeOfConductCheck.objects.exists()
    assert server.requests == []
    with pytest.raises(FetchDisabled):
        check_link(server.page("/conduct"), timeout=TIMEOUT)  # never a "broken link"


@pytest.mark.django_db
def test_one_failed_check_does_not_fail_the_requirement(server, loopback_allowed):
    group = admitted_group(code_of_conduct_url=server.url("/gone"))

    assert run().broken == 1

    group.refresh_from_db()
    assert (group.coc_link_failures, group.coc_link_failing_since) == (1, NOW)
    assert group.coc_link_status_code == 404
    assert "404" in group.coc_link_error
    result = code_of_conduct(group)
    assert result.outcome is Outcome.PASS
    assert "did not answer on the last check" in result.message


@pytest.mark.django_db
def test_two_failed_checks_in_a_row_fail_the_requirement(server, loopback_allowed):
    group = admitted_group(code_of_conduct_url=server.url("/gone"))

    run()
    run(now=NOW + timedelta(days=1))

    group.refresh_from_db()
    assert group.coc_link_failures == 2
    result = code_of_conduct(group, now=NOW + timedelta(days=1))
    assert result.outcome is Outcome.FAIL
    assert result.message == (
        f"The code of conduct is published at {group.code_of_conduct_url}. It did not answer "
        "on the last 2 checks, from June 15, 2026 to June 16, 2026. The last answer was HTTP "
        "status 404. "
        "Correct the address in the group's details (Edit details), or make the page "
        "reachable again."
    )
    assert CodeOfConductCheck.objects.filter(group=group, ok=False).count() == 2


@pytest.mark.django_db
def test_the_admin_filter_agrees_that_two_failures_fail(server, loopback_allowed):
    broken_twice = admitted_group(code_of_conduct_url=server.url("/gone"))
    admitted_group(code_of_conduct_url=server.page("/conduct"))
    run()
    run(now=NOW + timedelta(days=1))
    once = admitted_group(code_of_conduct_url=server.url("/gone-once"))
    run(now=NOW + timedelta(days=1))

    facts = groups_with_requirement_facts(Group.objects.all(), now=NOW, rules_version=None)
    failing = set(facts.filter(failing_q(Code.CODE_OF_CONDUCT, now=NOW)).values_list("pk"))

    assert failing == {(broken_twice.pk,)}
    assert Group.objects.get(pk=once.pk).coc_link_failures == 1


@pytest.mark.django_db
def test_a_link_that_answers_again_starts_the_count_again(server, loopback_allowed):
    group = admitted_group(code_of_conduct_url=server.url("/conduct"))
    run()
    server.page("/conduct")

    run(now=NOW + timedelta(days=1))
    server.answers.clear()
    run(now=NOW + timedelta(days=2))

    group.refresh_from_db()
    assert (group.coc_link_failures, group.coc_link_failing_since) == (1, NOW + timedelta(days=2))
    assert code_of_conduct(group, now=NOW + timedelta(days=2)).outcome is Outcome.PASS


@pytest.mark.django_db
def test_failures_keep_counting_while_the_link_stays_broken(server, loopback_allowed):
    group = admitted_group(code_of_conduct_url=server.url("/gone"))

    for day in range(3):
        run(now=NOW + timedelta(days=day))

    group.refresh_from_db()
    assert (group.coc_link_failures, group.coc_link_failing_since) == (3, NOW)
    assert "last 3 checks" in code_of_conduct(group, now=NOW + timedelta(days=2)).message


@pytest.mark.django_db
def test_a_second_run_the_same_day_checks_nothing(server, loopback_allowed):
    admitted_group(code_of_conduct_url=server.url("/gone"))
    run()

    second = run(now=NOW + timedelta(hours=19))

    assert second == coc.LinkCheckRun(checked=0, broken=0, more_due=False)
    assert server.methods() == ["HEAD", "GET"]
    assert CodeOfConductCheck.objects.count() == 1


@pytest.mark.django_db
def test_the_next_day_checks_again(server, loopback_allowed):
    admitted_group(code_of_conduct_url=server.page("/conduct"))
    run()

    assert run(now=NOW + timedelta(hours=20)).checked == 1


@pytest.mark.django_db
def test_only_admitted_groups_with_a_link_are_checked(server, loopback_allowed):
    checked = admitted_group(code_of_conduct_url=server.page("/conduct"))
    admitted_group(code_of_conduct_url="")
    GroupFactory(code_of_conduct_url=server.page("/applying"))  # submitted
    GroupFactory(status=Group.Status.LEFT, code_of_conduct_url=server.page("/left"))

    assert run().checked == 1

    assert list(CodeOfConductCheck.objects.values_list("group", flat=True)) == [checked.pk]
    assert server.requests == [("HEAD", "/conduct")]


@pytest.mark.django_db
def test_a_run_that_stopped_part_way_resumes_with_the_links_not_yet_checked(
    server, loopback_allowed
):
    groups = [admitted_group(code_of_conduct_url=server.page(f"/conduct-{i}")) for i in range(3)]

    first = run(batch=2)
    second = run(now=NOW + timedelta(minutes=5), batch=2)
    third = run(now=NOW + timedelta(minutes=10), batch=2)

    assert (first.checked, first.more_due) == (2, True)
    assert (second.checked, second.more_due) == (1, False)
    assert third.checked == 0
    assert sorted(CodeOfConductCheck.objects.values_list("group", flat=True)) == sorted(
        group.pk for group in groups
    )


@pytest.mark.django_db
def test_links_never_checked_go_first_then_the_oldest(server, loopback_allowed):
    old = admitted_group(code_of_conduct_url=server.page("/old"))
    new = admitted_group(code_of_conduct_url=server.page("/new"))
    Group.objects.filter(pk=old.pk).update(coc_link_checked_at=NOW - timedelta(days=3))

    run(batch=1)

    assert [c.group_id for c in CodeOfConductCheck.objects.all()] == [new.pk]


@pytest.mark.django_db
def test_the_selection_costs_the_same_queries_for_many_groups(django_assert_num_queries):
    for i in range(6):
        admitted_group(code_of_conduct_url=f"https://group{i}.example.org/conduct")

    def answers(url: str) -> LinkCheck:
        return LinkCheck(ok=True, status=200, final_url=url)

    # Pick the batch, ask whether more are due; per link: lock, insert, update (in a savepoint).
    with django_assert_num_queries(2 + 6 * 5):
        check_code_of_conduct_links(now=NOW, check=answers)


# A changed URL starts again ------------------------------------------------------------------


def broken_twice(server: LinkServer) -> Group:
    group = admitted_group(code_of_conduct_url=server.url("/gone"))
    run()
    run(now=NOW + timedelta(days=1))
    group.refresh_from_db()
    assert group.coc_link_failures == 2
    return group


@pytest.mark.django_db
def test_a_leader_changing_the_link_resets_the_count(server, loopback_allowed):
    group = broken_twice(server)
    leader = LeadershipFactory(group=group, role=Leadership.Role.LEADER).user

    group_update_by_leader(
        group=group, by=leader, data={"code_of_conduct_url": "https://new.example.org/conduct"}
    )

    group.refresh_from_db()
    assert (group.coc_link_failures, group.coc_link_failing_since) == (0, None)
    assert (group.coc_link_checked_at, group.coc_link_status_code, group.coc_link_error) == (
        None,
        None,
        "",
    )
    assert code_of_conduct(group).outcome is Outcome.PASS
    assert CodeOfConductCheck.objects.filter(group=group).count() == 2  # the history stays
    assert group in groups_due_for_link_check(now=NOW + timedelta(days=1, hours=1))


@pytest.mark.django_db
def test_the_program_team_changing_the_link_resets_the_count(server, loopback_allowed):
    group = broken_twice(server)

    group_update(
        group=group,
        by=StaffFactory(),
        data={"code_of_conduct_url": "https://new.example.org/conduct"},
    )

    group.refresh_from_db()
    assert group.coc_link_failures == 0


@pytest.mark.django_db
def test_another_change_keeps_the_count(server, loopback_allowed):
    group = broken_twice(server)

    group_update(group=group, by=StaffFactory(), data={"city": "Uppsala"})

    group.refresh_from_db()
    assert group.coc_link_failures == 2


@pytest.mark.django_db
def test_a_check_of_a_link_changed_meanwhile_is_kept_but_not_counted():
    group = admitted_group(code_of_conduct_url="https://new.example.org/conduct")
    broken = LinkCheck(ok=False, status=404, final_url="https://old.example.org", error="404")

    link_check_record(group_id=group.pk, url="https://old.example.org", result=broken, now=NOW)

    group.refresh_from_db()
    assert (group.coc_link_failures, group.coc_link_checked_at) == (0, None)
    assert CodeOfConductCheck.objects.get(group=group).url == "https://old.example.org"


@pytest.mark.django_db
def test_two_runs_that_overlap_count_a_day_once():
    group = admitted_group(code_of_conduct_url="https://group.example.org/conduct")
    broken = LinkCheck(ok=False, status=500, final_url=group.code_of_conduct_url, error="500")

    for _run in range(2):
        link_check_record(group_id=group.pk, url=group.code_of_conduct_url, result=broken, now=NOW)

    group.refresh_from_db()
    assert group.coc_link_failures == 1
    assert CodeOfConductCheck.objects.filter(group=group).count() == 2


@pytest.mark.django_db
def test_the_check_does_not_bump_the_groups_version(server, loopback_allowed):
    group = admitted_group(code_of_conduct_url=server.url("/gone"))

    run()

    assert Group.objects.get(pk=group.pk).version == group.version


# The task and its schedule -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_queues_itself_again_while_links_are_due(server, loopback_allowed, monkeypatch):
    monkeypatch.setattr(coc, "DEFAULT_BATCH", 1)
    for i in range(3):
        admitted_group(code_of_conduct_url=server.page(f"/conduct-{i}"))

    check_task.delay()  # eager in the tests: the follow-ups run at once

    assert CodeOfConductCheck.objects.count() == 3
    assert not groups_due_for_link_check(now=datetime.now(UTC)).exists()


@pytest.mark.django_db
def test_the_check_ticks_hourly_from_a_migration_that_can_run_twice():
    migration = importlib.import_module(MIGRATION)
    migration.create_schedules(apps, None)
    migration.create_schedules(apps, None)

    (task,) = PeriodicTask.objects.filter(task="membership.tasks.check_code_of_conduct_links")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "hours")  # links are due daily


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_every_due_link_in_batches(
    server, loopback_allowed, monkeypatch, celery_worker
):
    monkeypatch.setattr(coc, "DEFAULT_BATCH", 2)
    groups = [admitted_group(code_of_conduct_url=server.page(f"/conduct-{i}")) for i in range(3)]
    broken = admitted_group(code_of_conduct_url=server.url("/gone"))

    check_task.delay()

    deadline = time.monotonic() + 20
    while CodeOfConductCheck.objects.count() < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)  # nothing more arrives
    assert sorted(CodeOfConductCheck.objects.values_list("group", "ok")) == sorted(
        [(group.pk, True) for group in groups] + [(broken.pk, False)]
    )


# The admin shows it --------------------------------------------------------------------------


@pytest.fixture
def staff(staff):
    # The program team reads the history (core.program_team.PERMISSIONS lists it too).
    staff.user_permissions.add(Permission.objects.get(codename="view_codeofconductcheck"))
    return staff


@pytest.mark.django_db
def test_the_group_page_in_the_admin_shows_the_last_check(client, staff, server, loopback_allowed):
    group = broken_twice(server)

    page = client.get(reverse("admin:groups_group_change", args=[group.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert "code of conduct link check" in content.lower()
    assert "broken" in content
    assert "2 failed checks in a row" in content
    assert "404 Not Found" in content


@pytest.mark.django_db
def test_a_group_never_checked_says_so_in_the_admin(client, staff):
    group = admitted_group(code_of_conduct_url="https://group.example.org/conduct")

    page = client.get(reverse("admin:groups_group_change", args=[group.pk]))

    assert "Not checked yet." in page.content.decode()


@pytest.mark.django_db
def test_the_history_is_readable_but_not_editable_or_deletable(
    client, staff, server, loopback_allowed
):
    group = broken_twice(server)
    check = CodeOfConductCheck.objects.filter(group=group).first()
    assert check is not None

    listing = client.get(
        reverse("admin:membership_codeofconductcheck_changelist") + f"?group__id__exact={group.pk}"
    )
    assert listing.status_code == 200
    assert group.name in listing.content.decode()
    page = client.get(reverse("admin:membership_codeofconductcheck_change", args=[check.pk]))
    assert page.status_code == 200
    edit = client.post(
        reverse("admin:membership_codeofconductcheck_change", args=[check.pk]), {"ok": "on"}
    )
    assert edit.status_code == 403
    assert client.get(reverse("admin:membership_codeofconductcheck_add")).status_code == 403
    delete = client.post(reverse("admin:membership_codeofconductcheck_delete", args=[check.pk]))
    assert delete.status_code == 403
    assert CodeOfConductCheck.objects.filter(pk=check.pk).exists()


# Is the code of conduct linked from the home page? --------------------------------------------

COC = "https://group.example.org/code-of-conduct"


@pytest.mark.parametrize(
    "href",
    [
        COC,
        "/code-of-conduct",
        "code-of-conduct",
        "https://www.group.example.org/code-of-conduct/",
        "http://group.example.org/code-of-conduct#harassment",
        "HTTPS://GROUP.EXAMPLE.ORG/code-of-conduct",
    ],
)
def test_a_link_to_the_code_of_conduct_is_found_in_any_spelling(href):
    html = f'<p>Read our <a href="{href}">code of conduct</a>.</p>'

    assert coc.page_links_to(html, page_url="https://group.example.org/", target=COC)


@pytest.mark.parametrize(
    "html",
    [
        "<p>No links at all</p>",
        '<a href="https://group.example.org/code-of-conduct-old">old</a>',
        '<a href="https://other.example.org/code-of-conduct">another group</a>',
        '<a href="/code-of-conduct?lang=sv">with another query</a>',
        '<a href="http://[::1">broken</a><p>code-of-conduct</p>',
        "<a>no href</a>",
    ],
)
def test_a_page_without_the_link_is_told_apart(html):
    assert not coc.page_links_to(html, page_url="https://group.example.org/", target=COC)


def test_the_home_page_is_read_and_searched_for_the_link(server, loopback_allowed):
    target = server.page("/coc", b"<h1>Code of conduct</h1>")
    home = server.page("/", b'<html><a href="/coc">Code of conduct</a></html>')
    bare = server.page("/bare", b"<html><p>Welcome</p></html>")

    assert coc.home_page_links_to(home, target) is True
    assert coc.home_page_links_to(bare, target) is False


def test_a_home_page_that_does_not_answer_or_is_not_html_tells_nothing(server, loopback_allowed):
    target = server.page("/coc")
    text = server.page("/text", b"just text")

    assert coc.home_page_links_to(server.url("/missing"), target) is None
    assert coc.home_page_links_to(text, target) is None


def test_a_code_of_conduct_on_the_home_page_itself_counts_as_linked():
    assert coc.home_page_links_to("https://g.example.org/", "https://g.example.org") is True


@pytest.mark.django_db
def test_the_run_keeps_what_it_saw_and_the_checklist_warns_when_the_link_is_missing():
    linked = admitted_group(code_of_conduct_url="https://a.example.org/coc")
    unlinked = admitted_group(code_of_conduct_url="https://b.example.org/coc")
    unknown = admitted_group(code_of_conduct_url="https://c.example.org/coc")
    seen = {linked.pk: True, unlinked.pk: False, unknown.pk: None}
    by_url = {g.code_of_conduct_url: seen[g.pk] for g in (linked, unlinked, unknown)}

    check_code_of_conduct_links(
        now=NOW,
        check=lambda url: LinkCheck(ok=True, status=200, final_url=url),
        home_links=lambda home, url: by_url[url],
    )

    outcomes = {}
    for group in (linked, unlinked, unknown):
        group.refresh_from_db()
        assert group.coc_linked_from_home is seen[group.pk]
        result = checklist_for(group, now=NOW).result(Code.CODE_OF_CONDUCT)
        outcomes[group.pk] = (result.outcome, len(result.checks))
    assert outcomes == {
        linked.pk: (Outcome.PASS, 3),
        unlinked.pk: (Outcome.WARNING, 3),
        unknown.pk: (Outcome.PASS, 2),
    }


@pytest.mark.django_db
def test_a_missing_home_page_link_only_warns_so_the_sql_filter_does_not_fail_it():
    group = admitted_group(code_of_conduct_url="https://a.example.org/coc")
    Group.objects.filter(pk=group.pk).update(coc_linked_from_home=False)

    facts = groups_with_requirement_facts(Group.objects.all(), now=NOW, rules_version=None)

    assert not facts.filter(failing_q(Code.CODE_OF_CONDUCT, now=NOW)).exists()


@pytest.mark.django_db
def test_a_new_home_page_forgets_what_the_old_one_linked():
    group = admitted_group(code_of_conduct_url="https://a.example.org/coc")
    Group.objects.filter(pk=group.pk).update(coc_linked_from_home=False)
    group.refresh_from_db()
    staff = StaffFactory()

    group_update(group=group, by=staff, data={"home_page_url": "https://new.example.org/"})

    group.refresh_from_db()
    assert group.coc_linked_from_home is None


@pytest.mark.django_db
def test_one_malformed_home_page_never_stops_the_other_groups_checks(server, loopback_allowed):
    coc_url = server.page("/coc")
    bad_home = server.page("/bad", b"<html><p>Tickets <![ soon</p>" + b"<!--" * 50_000 + b"</html>")
    good_home = server.page("/good", b'<a href="/coc">Code of conduct</a>')
    bad = admitted_group(code_of_conduct_url=coc_url, home_page_url=bad_home)
    good = admitted_group(code_of_conduct_url=coc_url, home_page_url=good_home)

    def failing_reader(home_url, url):
        if home_url == bad_home:
            raise AssertionError("a parser that gives up")
        return coc.home_page_links_to(home_url, url)

    check_code_of_conduct_links(now=NOW, home_links=failing_reader)

    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.coc_link_checked_at, bad.coc_linked_from_home) == (NOW, None)
    assert (good.coc_link_checked_at, good.coc_linked_from_home) == (NOW, True)
    assert coc.home_page_links_to(bad_home, coc_url) is False


def test_a_page_built_to_be_slow_to_parse_is_read_in_linear_time():
    hostile = '<a href="' * 200_000 + "<p>Tickets <![ soon</p>" + "<!--" * 200_000

    assert coc.page_links_to(hostile, page_url="https://g.example.org/", target=COC) is False
