"""The machinery of the end-to-end mail tests: an SMTP server whose handler records what it
accepts and misbehaves on request, a private redis-server, Celery worker processes, and the
counting of what arrived. The fixtures that start and stop them are in conftest.py.
"""

import asyncio
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext, suppress
from datetime import timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from leaders.models import CoLeaderInvitation
from notifications.mail import render_text_email
from notifications.models import OutboxEmail
from notifications.outbox import CLAIM_LEASE, HANDED_LEASE, outbox_enqueue
from tests.factories import GroupFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
MESSAGE_ID = re.compile(r"<outbox-(\d+)-")
#: Long enough for a cold worker start (Django set-up) on a slow machine.
START_TIMEOUT = 45.0
#: How long a test waits for mail it expects.
MAIL_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(predicate: Callable[[], Any], *, what: str, timeout: float = MAIL_TIMEOUT) -> Any:
    """Poll until `predicate()` is true; fail the test, saying what was awaited, if it never is."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


# The SMTP server -----------------------------------------------------------------------------


class Mailbox:
    """The aiosmtpd handler: records each accepted message; faults on request.

    - `temporary_failures = n`: the next n messages get "421 try again later" at DATA;
    - `hold_after = n`: once n messages are accepted, every further DATA waits (not accepted)
      until `release()`; a client killed meanwhile drops its connection and the message is
      never accepted, as with a real server;
    - `hold_quit_of = n`: the n-th accepted message has its 250 sent but the client's QUIT
      waits: the client is then between "the server accepted it" and "send() returned";
    - `hold_reply_of = n`: the n-th message is recorded (the server has it) but its 250 waits
      until `release()`: a client killed meanwhile never learns that it was accepted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.messages: list[EmailMessage] = []
            self.temporary_failures = 0
            self.answered_421 = 0
            self.delay = 0.0
            self.hold_after: int | None = None
            self.hold_quit_of: int | None = None
            self.hold_reply_of: int | None = None
            self.held_data = 0
            self.held_quit = 0
            self.held_reply = 0
            self._released = threading.Event()
            self._quit_sessions: set[int] = set()

    def release(self) -> None:
        self._released.set()

    def _holding_data(self) -> bool:
        with self._lock:
            return (
                self.hold_after is not None
                and len(self.messages) >= self.hold_after
                and not self._released.is_set()
            )

    async def _wait_for_release(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)
        try:
            while not self._released.is_set():
                await asyncio.sleep(0.02)  # cancelled when the client's connection drops
        finally:
            with self._lock:
                setattr(self, counter, getattr(self, counter) - 1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._holding_data():
            await self._wait_for_release("held_data")
        with self._lock:
            if self.temporary_failures > 0:
                self.temporary_failures -= 1
                self.answered_421 += 1
                return "421 4.3.2 Service busy, try again later"
            message = BytesParser(policy=email.policy.default).parsebytes(envelope.content)
            self.messages.append(message)
            if self.hold_quit_of == len(self.messages):
                self._quit_sessions.add(id(session))
            hold_reply = self.hold_reply_of == len(self.messages)
        if hold_reply:
            await self._wait_for_release("held_reply")
        return "250 2.0.0 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if id(session) in self._quit_sessions:
            await self._wait_for_release("held_quit")
        return "221 Bye"

    # What arrived --------------------------------------------------------------------------

    def outbox_pks(self) -> list[int]:
        """The outbox row of each arrived message (from its stable Message-ID), in order."""
        with self._lock:
            messages = list(self.messages)
        pks = []
        for message in messages:
            match = MESSAGE_ID.match(str(message["Message-ID"]))
            assert match, f"not an outbox message: {message['Message-ID']}"
            pks.append(int(match.group(1)))
        return pks

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]


class SmtpServer:
    """An aiosmtpd Controller on a fixed port that can be stopped (connection refused) and
    started again."""

    def __init__(self, mailbox: Mailbox, port: int) -> None:
        self.mailbox = mailbox
        self.port = port
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self.mailbox.release()  # let held sessions finish so the server can stop
            self._controller.stop()
            self._controller = None


# Redis ---------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_connect_timeout=1)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.exceptions.ConnectionError:
            return False

    def start(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not on PATH: tests/mail_e2e start a private Redis.")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (a fixed command line)
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._answers, what=f"redis-server on port {self.port}", timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


# Worker processes ----------------------------------------------------------------------------


def worker_database_url() -> str:
    """The pytest test database (created by pytest-django) as a DATABASE_URL for a worker."""
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("tests/mail_e2e need PostgreSQL: worker processes share the test database.")
    user = quote(settings["USER"] or "")
    password = quote(settings["PASSWORD"] or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{auth}{host}:{port}/{quote(settings['NAME'])}"


def worker_env(*, broker_url: str, smtp_url: str) -> dict[str, str]:
    """The environment of a worker process: test settings on the pytest test database, the
    private Redis and the test's SMTP server, tasks not eager."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "techgroups.settings.test",
        "DATABASE_URL": worker_database_url(),
        "DJANGO_CONN_MAX_AGE": "0",  # no idle connection outlives a task (the test DB is dropped)
        "CELERY_BROKER_URL": broker_url,
        "TECHGROUPS_TEST_EMAIL_URL": smtp_url,
        "TECHGROUPS_TEST_CELERY_EAGER": "false",
        "EMAIL_TIMEOUT": "20",
        "PYTHONUNBUFFERED": "1",
    }


class WorkerProcess:
    """One `celery worker` process (with its prefork pool) in a process group of its own.

    `backoff_seconds` shortens the outbox's wait after a temporary SMTP error (30 s in
    production: TECHGROUPS_OUTBOX_RETRY_SECONDS) in this worker, so a retry test waits seconds.
    """

    def __init__(
        self,
        name: str,
        *,
        env: dict[str, str],
        log: Path,
        concurrency: int = 2,
        backoff_seconds: int | None = None,
    ) -> None:
        if backoff_seconds is not None:
            env = {**env, "TECHGROUPS_OUTBOX_RETRY_SECONDS": str(backoff_seconds)}
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "techgroups",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            f"--hostname={name}@%h",
            "--prefetch-multiplier=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        self.name = name
        self.log = log
        self._offset = 0
        self._ready = False
        with log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 (our own command line)
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the pool dies with it
            )

    def output(self) -> str:
        """The worker's log since `forget_output()`."""
        return self.log.read_bytes()[self._offset :].decode(errors="replace")

    def forget_output(self) -> None:
        """Start counting results afresh (a worker shared by several tests)."""
        self._offset = self.log.stat().st_size

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"worker {self.name} exited:\n{self.output()[-3000:]}")
            return f"{self.name}@" in self.output() and " ready." in self.output()

        if not self._ready:
            wait_until(ready, what=f"worker {self.name} to start", timeout=START_TIMEOUT)
            self._ready = True

    def results(self, task: str) -> list[str]:
        """What each finished run of `task` (e.g. "sweep_outbox") returned, from the log."""
        pattern = re.compile(rf"Task [\w.]*\.{task}\[[\w-]+\] succeeded in [\d.]+s: (.*)")
        return pattern.findall(self.output())

    def pool_pids(self) -> list[int]:
        """The prefork pool's processes: the worker's children (from /proc)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as when its machine dies."""
        self._signal_group(signal.SIGKILL)
        self.process.wait()

    def kill_pool(self) -> list[int]:
        """SIGKILL the pool processes only; the main process notices and replaces them."""
        pids = self.pool_pids()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        return pids

    def _signal_group(self, signum: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def stop(self, *, warm: bool = True) -> None:
        """Warm shutdown (finish the running tasks), or at once; then nothing of it is left."""
        if warm and self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        self._signal_group(signal.SIGKILL)  # the worker if still running, any pool process
        self.process.wait()


# Data and counting ---------------------------------------------------------------------------


def queue_emails(count: int, *, nudge: bool = True, prefix: str = "e2e") -> list[OutboxEmail]:
    """`count` outbox e-mails to different people; without `nudge`, as if queued while the
    broker was down (only the sweep finds them)."""
    group = GroupFactory(admitted=True)
    inviter = UserFactory()
    rows = []
    with mock.patch("notifications.outbox.outbox_nudge") if not nudge else nullcontext():
        for n in range(count):
            rows.append(
                outbox_enqueue(
                    key=f"{prefix}:{n}",
                    kind="coleader_invitation",
                    to=f"{prefix}-{n}@example.org",
                    language="sv" if n % 2 else "en",
                    template="coleader_invitation",
                    inputs={
                        "invitation": CoLeaderInvitation(
                            group=group,
                            email=f"{prefix}-{n}@example.org",
                            token=f"{prefix}-{n}",
                            invited_by=inviter,
                            expires_at=timezone.now() + timedelta(days=14),
                        )
                    },
                    group=group,
                )
            )
    return rows


def bulk_queue(
    count: int,
    *,
    prefix: str = "bulk",
    priority: int = OutboxEmail.Priority.BULK,
) -> list[OutboxEmail]:
    """`count` outbox rows written in a few statements, as if queued while the broker was down
    (only the sweep finds them): the fields `outbox_enqueue_rendered` writes, one rendering
    shared by all, each row its own key and recipient; `created_at` grows row by row."""
    rendered = render_text_email(
        subject=f"[Tech Groups] {prefix} e-mail",
        text="Hello,\n\nA message from the end-to-end tests.\n\nThe Tech Groups program team",
        language="en",
    )
    rows = [
        OutboxEmail(
            key=f"{prefix}:{n}",
            kind=f"e2e_{prefix}"[:50],
            to_email=f"{prefix}-{n}@example.org",
            language="en",
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            reply_to=settings.PROGRAM_TEAM_EMAIL,
            priority=priority,
        )
        for n in range(count)
    ]
    return OutboxEmail.objects.bulk_create(rows, batch_size=500)


def expire_claims() -> int:
    """Move the claims of rows left "sending" back past CLAIM_LEASE, instead of waiting.

    Only rows never handed to the SMTP server are free then; a handed one waits for
    HANDED_LEASE (`expire_handed`)."""
    return OutboxEmail.objects.filter(status=OutboxEmail.Status.SENDING).update(
        claimed_at=F("claimed_at") - CLAIM_LEASE - timedelta(seconds=1)
    )


def expire_handed() -> int:
    """Move the hand-over of rows left "sending" after being handed to the SMTP server back
    past HANDED_LEASE, instead of waiting 10 minutes: they are due again."""
    return OutboxEmail.objects.filter(
        status=OutboxEmail.Status.SENDING, handed_at__isnull=False
    ).update(handed_at=F("handed_at") - HANDED_LEASE - timedelta(seconds=1))


def handed_unmarked() -> set[int]:
    """Rows handed to the SMTP server and never marked: the at-least-once window."""
    return set(
        OutboxEmail.objects.filter(
            status=OutboxEmail.Status.SENDING, handed_at__isnull=False
        ).values_list("pk", flat=True)
    )


def statuses() -> Counter[str]:
    return Counter(OutboxEmail.objects.values_list("status", flat=True))


def pks(rows: list[OutboxEmail]) -> list[int]:
    return [row.pk for row in rows]


def tally(label: str, expected: list[int], mailbox: Mailbox, **extra: int) -> Counter[int]:
    """Print and return how often each outbox row arrived: expected, arrived, duplicates."""
    arrivals = Counter(mailbox.outbox_pks())
    duplicates = sum(n - 1 for n in arrivals.values())
    details = "".join(f", {name.replace('_', ' ')} {value}" for name, value in extra.items())
    print(
        f"\n[{label}] expected {len(expected)}, arrived {sum(arrivals.values())}, "
        f"duplicates {duplicates}{details}"
    )
    assert set(arrivals) <= set(expected), "a message nobody queued arrived"
    return arrivals
