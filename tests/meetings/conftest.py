"""Shared pieces of the meeting tests: a group with its leaders, iCal text, a real feed server."""

import contextlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest

from leaders.models import Leadership
from tests.factories import GroupFactory, LeadershipFactory

VTIMEZONE_STOCKHOLM = """BEGIN:VTIMEZONE
TZID:Europe/Stockholm
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE"""


def vevent(
    *extra: str,
    uid: str | None = "event-1@meetup.example.org",
    summary: str | None = "Azure Functions in practice",
    start: str | None = "DTSTART;TZID=Europe/Stockholm:20250312T180000",
    end: str | None = "DTEND;TZID=Europe/Stockholm:20250312T200000",
) -> str:
    """One VEVENT: `extra` content lines are added; pass None to leave a property out."""
    lines = ["BEGIN:VEVENT", "DTSTAMP:20250301T120000Z"]
    if uid is not None:
        lines.append(f"UID:{uid}")
    if summary is not None:
        lines.append(f"SUMMARY:{summary}")
    lines.extend(line for line in (start, end) if line is not None)
    lines.extend(extra)
    lines.append("END:VEVENT")
    return "\n".join(lines)


def calendar(*events: str) -> bytes:
    """A feed as a Meetup group publishes it: CRLF lines, a VTIMEZONE, the events."""
    text = "\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Meetup//RemoteApi//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            VTIMEZONE_STOCKHOLM,
            *events,
            "END:VCALENDAR",
        ]
    )
    return (text.replace("\n", "\r\n") + "\r\n").encode()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    send_length: bool = True
    trickle: float = 0.0  # seconds between single bytes of the body
    #: Seconds between the pieces of `dripped`, which never ends: "status" (a status line
    #: whose reason goes on a byte at a time), "headers" (one header line after another) or
    #: "chunk" (a chunked body whose first size line goes on a byte at a time).
    drip: float = 0.0
    dripped: str = ""


@dataclass
class SeenRequest:
    path: str
    host: str


#: A dripping answer stops after this long, so a client that never gives up fails its test
#: instead of hanging the suite.
DRIP_CAP_SECONDS = 20.0

DRIP_PREFIXES = {
    "status": b"HTTP/1.1 200 ",
    "headers": b"HTTP/1.1 200 OK\r\n",
    "chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
}


def drip_pieces(dripped: str) -> Iterator[bytes]:
    """The endless tail of a dripped answer, one piece at a time."""
    count = 0
    while True:
        count += 1
        if dripped == "headers":
            yield f"X-Drip-{count}: {count}\r\n".encode()
        elif dripped == "status":
            yield b"K"  # the reason phrase: "OKKKKK..."
        else:
            yield b"0"  # leading zeros of the chunk size: "0000..."


def drip(wfile: Any, route: Route) -> None:
    """Write an answer that never ends: its start at once, then a piece every `route.drip`."""
    stop = time.monotonic() + DRIP_CAP_SECONDS
    with contextlib.suppress(OSError):  # the client gave up: what the test wants
        wfile.write(DRIP_PREFIXES[route.dripped])
        wfile.flush()
        for piece in drip_pieces(route.dripped):
            if time.monotonic() > stop:
                return
            time.sleep(route.drip)
            wfile.write(piece)
            wfile.flush()


class FeedServer:
    """A real HTTP server on 127.0.0.1 in a thread, answering what the test sets up."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner.requests.append(SeenRequest(self.path, self.headers.get("Host", "")))
                route = owner.routes.get(self.path, Route(status=404, body=b"not found"))
                if route.delay:
                    time.sleep(route.delay)
                if route.drip:
                    drip(self.wfile, route)
                    self.close_connection = True
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                # The client may give up (too large, too slow): that is what the test checks.
                with contextlib.suppress(OSError):
                    if route.trickle:
                        for byte in route.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(route.trickle)
                    else:
                        self.wfile.write(route.body)
                self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def use_tls(self, context: ssl.SSLContext) -> None:
        """Serve https with `context` (call before the server starts)."""
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes = b"", **kwargs: object) -> str:
        self.routes[path] = Route(body=body, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        return self.serve(path, status=status, headers={"Location": to})


@pytest.fixture
def feed_server_factory() -> Iterator[Callable[[], FeedServer]]:
    """Makes servers (call `.thread.start()` after setting them up); stops them at the end."""
    servers: list[FeedServer] = []

    def make() -> FeedServer:
        servers.append(FeedServer())
        return servers[-1]

    yield make
    for server in servers:
        if server.thread.is_alive():
            server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def feed_server(feed_server_factory) -> FeedServer:
    server = feed_server_factory()
    server.thread.start()
    return server


@pytest.fixture
def group(db):
    return GroupFactory(timezone="Europe/Stockholm")


@pytest.fixture
def leader(group):
    return LeadershipFactory(group=group, role=Leadership.Role.LEADER).user


@pytest.fixture
def co_leader(group):
    return LeadershipFactory(group=group, role=Leadership.Role.CO_LEADER).user


#: The clock of the import tests that read feeds of 2025 (`clock`): their events lie in the
#: import window, a year back and a year ahead.
CLOCK_2025 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """django.utils.timezone.now, stopped at `now` until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Stops the clock at CLOCK_2025 for the whole test (the import's window, the leases,
    sessions and auto_now fields all read it); set `clock.now` to move it."""
    stopped = Clock(CLOCK_2025)
    with mock.patch("django.utils.timezone.now", stopped):
        yield stopped
