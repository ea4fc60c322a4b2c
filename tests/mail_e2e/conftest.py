"""End-to-end mail: a real SMTP server, a private Redis and real Celery worker processes.

Everything here is started by the fixtures and stopped by them again, also when a test fails:
- `smtp`: an aiosmtpd server on a free port whose handler (Mailbox) records every message it
  accepts, and can be told to answer 421 or to hold a message so a test can kill the worker
  at a known point;
- `private_redis`: `redis-server` on a free port (never the machine's Redis on 6379, which
  other test runs share), so a test can stop and start it;
- `broker`: points this process's Celery app at that Redis (a database of the test's own,
  unless it uses the shared worker) with eager mode off, so the outbox's nudges go through
  the broker as in production;
- `worker` (one shared by the tests that do not kill it) and `start_worker` (a test's own):
  `python -m celery -A techgroups worker --pool=prefork` processes on the pytest test
  database, the private Redis and the SMTP server (TECHGROUPS_TEST_EMAIL_URL,
  TECHGROUPS_TEST_CELERY_EAGER=false: see techgroups/settings/test.py).

No skips: a missing `redis-server` or a database other than PostgreSQL fails the tests.
"""

import itertools
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from techgroups.celery import app

from .harness import (
    Mailbox,
    PrivateRedis,
    SmtpServer,
    WorkerProcess,
    free_port,
    worker_env,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.path)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


# The SMTP server -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    server = SmtpServer(Mailbox(), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> Iterator[SmtpServer]:
    """The session's SMTP server, running and with an empty mailbox."""
    smtp_server.mailbox.reset()
    smtp_server.start()
    yield smtp_server
    smtp_server.mailbox.release()
    smtp_server.start()


# Redis ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    server = PrivateRedis(free_port(), tmp_path_factory.mktemp("redis") / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _reset_producer_pool() -> None:
    """Forget the app's connection pools so the next publish uses the current broker_url.

    (Not closed: kombu keeps one pool per URL and hands the same one out again.)"""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


#: Redis databases for tests with workers of their own; the shared worker listens on 0.
_private_databases = itertools.cycle(range(1, 16))


@pytest.fixture
def broker(request: pytest.FixtureRequest, private_redis: PrivateRedis) -> Iterator[str]:
    """This process publishes tasks to the private Redis (not eagerly): the production path.

    Returns the broker URL: the shared worker's database if the test uses it, else a
    database of the test's own, so no other worker takes its tasks.
    """
    db = 0 if "worker" in request.fixturenames else next(_private_databases)
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = private_redis.url(db)
    app.conf.task_always_eager = False
    _reset_producer_pool()
    try:
        yield app.conf.broker_url
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_producer_pool()
        private_redis.start()  # a test may have stopped it
        if db:
            private_redis.client(db).flushdb()  # its workers are gone: nothing left for others
        else:
            private_redis.client(db).delete("celery")  # no task left over for the next test


# Worker processes ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_worker(
    django_db_setup: None,
    private_redis: PrivateRedis,
    smtp_server: SmtpServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[WorkerProcess]:
    """One worker for the tests that do not kill theirs (a cold start takes seconds).

    Its retry backoff is 1 s, for the retry tests. It stops before the test database is
    dropped.
    """
    worker = WorkerProcess(
        "shared",
        env=worker_env(broker_url=private_redis.url(0), smtp_url=smtp_server.url),
        log=tmp_path_factory.mktemp("workers") / "worker-shared.log",
        backoff_seconds=1,
    )
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def worker(
    shared_worker: WorkerProcess, transactional_db: None, broker: str, smtp: SmtpServer
) -> WorkerProcess:
    """The shared worker, ready, its results counted from this test on."""
    shared_worker.wait_ready()
    shared_worker.forget_output()
    return shared_worker


@pytest.fixture
def start_worker(
    transactional_db: None, broker: str, smtp: SmtpServer, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker processes of this test's own; each is gone before the database is flushed."""
    started: list[WorkerProcess] = []

    def start(name: str, *, env: dict[str, str] | None = None, **options: Any) -> WorkerProcess:
        """A worker named `name`; `env` adds to its environment (e.g. a short
        CELERY_VISIBILITY_TIMEOUT)."""
        worker = WorkerProcess(
            name,
            env={**worker_env(broker_url=broker, smtp_url=smtp.url), **(env or {})},
            log=tmp_path / f"worker-{name}.log",
            **options,
        )
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop(warm=False)  # the test is over: nothing of its work is left to finish
