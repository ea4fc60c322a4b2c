"""Fetch a web resource a leader named (an iCal feed, a code-of-conduct page) without letting the
link reach into the portal's own network.

A URL typed by a user must not make the server talk to its database, its cache, a cloud
metadata endpoint or anything else that is not on the public internet (server-side request
forgery). So `fetch_url`:

- accepts only http and https;
- resolves the host name once and connects to exactly the address it checked, so a DNS answer
  that changes between the check and the connection ("DNS rebinding") cannot redirect it;
- refuses addresses that are not public: private, loopback, link-local, multicast, reserved,
  unspecified and shared ones (loopback only when TECHGROUPS_FETCH_ALLOW_LOOPBACK is on, for
  tests and local demos);
- follows at most MAX_REDIRECTS redirects itself, checking every new address again;
- gives up once `timeout` seconds have passed in all, and reads at most `max_bytes` of the body.

The deadline holds for every step after the name lookup: connecting, the TLS handshake,
sending, and each read of the status line, the headers and the body, over all redirects. A
socket timeout alone bounds only one read at a time, so a server dripping a header line every
few seconds would hold the request for as long as it liked; here the socket's timeout is set
to the time left before every send and every read (`_DeadlineReader`). The name lookup itself
cannot be given a timeout by the standard library; the system resolver's own limits hold.

With TECHGROUPS_FETCH_ENABLED off both refuse at once (FetchDisabled), whatever the URL.

`check_link` asks whether a link answers (a code-of-conduct page) under the same rules: HEAD
first, then GET, reading only a little of the body, when the server refuses HEAD.

It uses http.client directly: urllib3 is not among the project's dependencies, and
urllib.request follows redirects and resolves names on its own.
"""

import http.client
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Buffer
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
USER_AGENT = "TechGroupsPortal/1.0 (+calendar import)"
LINK_CHECK_USER_AGENT = "TechGroupsPortal/1.0 (+link check)"
#: How much of a page the link check's GET reads: enough to see the server sends it.
LINK_CHECK_READ_BYTES = 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """The resource could not be fetched; `str(error)` is a message for the person who asked."""


class FetchRefused(FetchError):
    """The URL or the address it leads to is one the portal does not fetch from."""


class FetchUnreachable(FetchError):
    """No answer: the name does not resolve, the connection failed or it took too long."""


class FetchTooLarge(FetchError):
    """The response is larger than the caller allows."""


class FetchBadResponse(FetchError):
    """The server answered, but not with the resource (an error status, a redirect loop)."""


def loopback_allowed() -> bool:
    return bool(getattr(settings, "TECHGROUPS_FETCH_ALLOW_LOOPBACK", False))


def fetching_enabled() -> bool:
    """TECHGROUPS_FETCH_ENABLED: off, the portal fetches nothing from outside."""
    return bool(getattr(settings, "TECHGROUPS_FETCH_ENABLED", True))


class FetchDisabled(FetchRefused):
    """Fetching from outside is switched off on this server (TECHGROUPS_FETCH_ENABLED)."""


def _refuse_if_disabled() -> None:
    if not fetching_enabled():
        raise FetchDisabled(_("This server is set not to fetch anything from the internet."))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo), if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def address_is_allowed(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    """True for a public internet address (and for loopback when `allow_loopback`)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_is_allowed(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return allow_loopback
    not_public = (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global  # also shared (100.64.0.0/10) and documentation ranges
    )
    return not not_public


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL's parts and the checked addresses to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _resolve(host: str, port: int) -> list[str]:
    """The host's addresses, from one lookup (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchUnreachable(
            _("The address %(host)s could not be found.") % {"host": host}
        ) from error
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _ascii_path(text: str) -> str:
    """Percent-encode what a request line cannot carry (e.g. /uppförandekod, a space)."""
    return "".join(quote(char) if ord(char) > 127 or char.isspace() else char for char in text)


def _target(url: str) -> Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchRefused(_("This is not a valid web address.")) from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchRefused(_("Only http and https addresses can be fetched."))
    host = parts.hostname
    if not host:
        raise FetchRefused(_("This is not a valid web address."))
    port = port or (443 if scheme == "https" else 80)
    allow_loopback = loopback_allowed()
    addresses = _resolve(host, port)
    for address in addresses:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
        if not address_is_allowed(parsed, allow_loopback=allow_loopback):
            raise FetchRefused(
                _(
                    "The portal does not fetch from %(host)s: it leads to an address that is "
                    "not on the public internet."
                )
                % {"host": host}
            )
    if not addresses:
        raise FetchUnreachable(_("The address %(host)s could not be found.") % {"host": host})
    path = _ascii_path(parts.path or "/")
    if parts.query:
        path = f"{path}?{_ascii_path(parts.query)}"
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def _time_left(deadline: float) -> float:
    """Seconds until the deadline; a TimeoutError, as a socket would raise, once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the fetch deadline has passed")
    return left


def _remaining(deadline: float) -> float:
    try:
        return _time_left(deadline)
    except TimeoutError as error:
        raise FetchUnreachable(_("The server took too long to answer.")) from error


class _DeadlineReader(io.RawIOBase):
    """The response's raw file: sets the socket's timeout to the time left before each read.

    It reads through the socket's own file object (`makefile`), which keeps the socket open
    after http.client closes the connection and hands the response its socket.
    """

    def __init__(self, sock: socket.socket, *, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int | None:
        self._sock.settimeout(_time_left(self._deadline))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _deadline_response(deadline: float) -> type[http.client.HTTPResponse]:
    """A response class that reads its status line, headers and body under `deadline`."""

    class DeadlineResponse(http.client.HTTPResponse):
        def __init__(
            self,
            sock: socket.socket,
            debuglevel: int = 0,
            method: str | None = None,
            url: str | None = None,
        ) -> None:
            super().__init__(sock, debuglevel, method, url)
            self.fp.close()  # http.client's own file, replaced before anything is read
            self.fp = io.BufferedReader(_DeadlineReader(sock, deadline=deadline))

    return DeadlineResponse


class _DeadlineConnection(http.client.HTTPConnection):
    """Connects to the checked address (not to a new lookup of the name), sends and reads
    under one deadline: the socket's timeout is set to the time left before each step."""

    def __init__(
        self, host: str, port: int, *, address: str, deadline: float, **kwargs: Any
    ) -> None:
        super().__init__(host, port, **kwargs)  # `connect` times itself, so no `timeout`
        self.pinned_address = address
        self.deadline = deadline
        # http.client builds the response with `self.response_class(self.sock, ...)`.
        self.response_class = _deadline_response(deadline)

    def _connect_pinned(self) -> socket.socket:
        sock = socket.create_connection((self.pinned_address, self.port), _time_left(self.deadline))
        sock.settimeout(_time_left(self.deadline))
        return sock

    def send(self, data: Any) -> None:
        if self.sock is not None:
            self.sock.settimeout(_time_left(self.deadline))
        super().send(data)


class _PinnedHTTPConnection(_DeadlineConnection):
    """Sends Host: <name> but connects to the address that was checked."""

    def connect(self) -> None:
        self.sock = self._connect_pinned()


class _PinnedHTTPSConnection(_DeadlineConnection, http.client.HTTPSConnection):
    """TLS to the checked address, with the certificate verified for the host name."""

    def __init__(self, host: str, port: int, *, address: str, deadline: float) -> None:
        self.tls_context = ssl.create_default_context()
        super().__init__(host, port, address=address, deadline=deadline, context=self.tls_context)

    def connect(self) -> None:
        # The handshake as a whole is bounded by the socket's timeout: the time left.
        self.sock = self.tls_context.wrap_socket(self._connect_pinned(), server_hostname=self.host)


Connection = _PinnedHTTPConnection | _PinnedHTTPSConnection


def _connection(target: Target, address: str, deadline: float) -> Connection:
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.host, target.port, address=address, deadline=deadline)
    return _PinnedHTTPConnection(target.host, target.port, address=address, deadline=deadline)


def _open(
    target: Target, deadline: float, *, method: str = "GET", user_agent: str = USER_AGENT
) -> tuple[Connection, http.client.HTTPResponse]:
    last_error: OSError | None = None
    for address in target.addresses:
        _remaining(deadline)  # no new connection once the time is up
        connection = _connection(target, address, deadline)
        try:
            connection.request(
                method,
                target.path,
                headers={"User-Agent": user_agent, "Accept": "*/*", "Connection": "close"},
            )
            return connection, connection.getresponse()
        except ssl.SSLError as error:  # the name's certificate is wrong: another address won't help
            connection.close()
            raise FetchUnreachable(
                _("The secure connection to %(host)s failed: %(reason)s")
                % {"host": target.host, "reason": getattr(error, "reason", None) or error}
            ) from error
        except TimeoutError as error:
            connection.close()
            raise FetchUnreachable(_("The server took too long to answer.")) from error
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            last_error = error if isinstance(error, OSError) else OSError(str(error))
    raise FetchUnreachable(
        _("%(host)s could not be reached (%(reason)s).")
        % {"host": target.host, "reason": getattr(last_error, "strerror", None) or last_error}
    )


def _read_chunk(response: http.client.HTTPResponse, size: int, *, deadline: float) -> bytes:
    """Read up to `size` bytes of the body before the deadline."""
    _remaining(deadline)  # also when the response has the bytes buffered already
    try:
        return response.read1(size)
    except TimeoutError as error:
        raise FetchUnreachable(_("The server took too long to answer.")) from error
    except (OSError, http.client.HTTPException) as error:
        raise FetchUnreachable(_("The connection broke while reading the response.")) from error


def _read_body(response: http.client.HTTPResponse, *, max_bytes: int, deadline: float) -> bytes:
    too_large = FetchTooLarge(
        _("The response is larger than the %(limit)s the portal reads.")
        % {"limit": _size(max_bytes)}
    )
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise too_large
    body = bytearray()
    while True:
        chunk = _read_chunk(response, min(CHUNK_SIZE, max_bytes + 1 - len(body)), deadline=deadline)
        if not chunk:
            return bytes(body)
        body.extend(chunk)
        if len(body) > max_bytes:
            raise too_large


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return _("%(n)s MB") % {"n": round(count / (1024 * 1024), 1)}
    if count >= 1024:
        return _("%(n)s kB") % {"n": round(count / 1024)}
    return _("%(n)s bytes") % {"n": count}


def _follow(
    url: str,
    *,
    deadline: float,
    method: str = "GET",
    user_agent: str = USER_AGENT,
    visited: list[str] | None = None,
) -> tuple[Connection, http.client.HTTPResponse]:
    """Send `method` to `url`, following at most MAX_REDIRECTS redirects, each address checked
    again. Returns the first answer that is not a redirect, still open: the caller closes it.
    Every URL asked is appended to `visited`."""
    for _hop in range(MAX_REDIRECTS + 1):
        if visited is not None:
            visited.append(url)
        target = _target(url)
        connection, response = _open(target, deadline, method=method, user_agent=user_agent)
        if response.status not in REDIRECT_STATUSES:
            return connection, response
        location = response.getheader("Location")
        response.close()
        connection.close()
        if not location:
            raise FetchBadResponse(_("The server sent a redirect without saying where to."))
        url = urljoin(url, location.strip())
    raise FetchBadResponse(_("The address redirects more than %(n)s times.") % {"n": MAX_REDIRECTS})


def _status_error(response: http.client.HTTPResponse) -> FetchBadResponse:
    return FetchBadResponse(
        _("The server answered with status %(status)s %(reason)s.")
        % {"status": response.status, "reason": response.reason}
    )


def fetch_url(url: str, *, max_bytes: int, timeout: float) -> bytes:
    """GET `url` and return its body, or raise a FetchError saying why not (see module doc)."""
    _refuse_if_disabled()
    deadline = time.monotonic() + timeout
    connection, response = _follow(url, deadline=deadline)
    try:
        if response.status != 200:
            raise _status_error(response)
        return _read_body(response, max_bytes=max_bytes, deadline=deadline)
    finally:
        response.close()
        connection.close()


@dataclass(frozen=True)
class LinkCheck:
    """What `check_link` found: whether the link answered, and if not, why."""

    ok: bool
    #: The HTTP status of the last answer, None when there was none (refused, unreachable).
    status: int | None
    #: The last URL asked, after redirects.
    final_url: str
    #: A message for people when the link is broken; empty when it answered.
    error: str = ""


def _is_success(status: int) -> bool:
    return 200 <= status < 300


def _ask(url: str, *, method: str, deadline: float) -> LinkCheck:
    """One HEAD or GET of `url` (redirects followed), as a LinkCheck."""
    visited: list[str] = []
    try:
        connection, response = _follow(
            url,
            deadline=deadline,
            method=method,
            user_agent=LINK_CHECK_USER_AGENT,
            visited=visited,
        )
    except FetchError as error:
        return LinkCheck(ok=False, status=None, final_url=visited[-1], error=str(error))
    try:
        if not _is_success(response.status):
            return LinkCheck(
                ok=False,
                status=response.status,
                final_url=visited[-1],
                error=str(_status_error(response)),
            )
        if method == "GET":
            _read_chunk(response, LINK_CHECK_READ_BYTES, deadline=deadline)
        return LinkCheck(ok=True, status=response.status, final_url=visited[-1])
    except FetchError as error:
        return LinkCheck(ok=False, status=response.status, final_url=visited[-1], error=str(error))
    finally:
        response.close()
        connection.close()


def check_link(url: str, *, timeout: float) -> LinkCheck:
    """Whether `url` answers: HEAD, then GET (reading only a little) if HEAD gets an error status.

    Some servers refuse HEAD (405, 501) or answer it with another error while GET works, so an
    error status to HEAD is not yet a broken link. A refused address or an unreachable server
    is: GET would meet the same. The address rules and redirect limit are `fetch_url`'s, and
    `timeout` bounds the whole check, both requests together.
    """
    _refuse_if_disabled()  # not a broken link: no answer was asked for
    deadline = time.monotonic() + timeout
    head = _ask(url, method="HEAD", deadline=deadline)
    if head.ok or head.status is None:
        return head
    return _ask(url, method="GET", deadline=deadline)
