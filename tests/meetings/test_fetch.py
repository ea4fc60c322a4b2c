"""Fetching a URL a leader typed: only public web addresses, checked at every hop."""

import ipaddress
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from meetings import fetch
from meetings.fetch import (
    FetchBadResponse,
    FetchDisabled,
    FetchRefused,
    FetchTooLarge,
    FetchUnreachable,
    address_is_allowed,
    check_link,
    fetch_url,
)

LIMIT = 10_000
TIMEOUT = 3.0
FEED = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def no_connections(monkeypatch):
    """Fails the test if fetch_url opens any connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"fetch_url connected to {args[0]}")

    monkeypatch.setattr(socket, "create_connection", refuse)


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Answers getaddrinfo from `answers` (a list per name, one per lookup); returns the log."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = answers[host][min(len(asked), len(answers[host])) - 1]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


# Which addresses are public --------------------------------------------------------------


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_address_is_allowed(address):
    assert address_is_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",  # private
        "172.16.0.5",
        "192.168.1.10",
        "127.0.0.1",  # loopback
        "::1",
        "169.254.169.254",  # link-local: the cloud metadata service
        "fe80::1",
        "224.0.0.1",  # multicast
        "ff02::1",
        "240.0.0.1",  # reserved
        "0.0.0.0",  # noqa: S104 (unspecified)
        "::",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "fc00::1",  # unique local IPv6
        "::ffff:10.0.0.1",  # IPv4-mapped private
        "::ffff:127.0.0.1",
        "2002:a00:1::",  # 6to4 around 10.0.0.1
    ],
)
def test_address_that_is_not_public_is_refused(address):
    assert not address_is_allowed(ipaddress.ip_address(address))


def test_loopback_is_allowed_only_when_asked_for():
    loopback = ipaddress.ip_address("127.0.0.1")

    assert address_is_allowed(loopback, allow_loopback=True)
    assert not address_is_allowed(loopback, allow_loopback=False)


def test_private_address_stays_refused_when_loopback_is_allowed():
    assert not address_is_allowed(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)


# Refused before any connection --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed.ics",
        "http://10.255.255.255:8080/feed.ics",
        "http://192.168.1.10/feed.ics",
        "http://172.16.0.5/feed.ics",
        "http://172.31.255.1/feed.ics",
        "http://127.0.0.1/feed.ics",
        "http://127.1.2.3:8000/feed.ics",
        "http://[::1]/feed.ics",
        "http://localhost/feed.ics",
        "https://localhost:8443/feed.ics",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/feed.ics",
        "http://0.0.0.0/feed.ics",
        "http://[::ffff:192.168.0.1]/feed.ics",
    ],
)
def test_address_that_is_not_public_is_refused_without_connecting(url, no_connections):
    with pytest.raises(FetchRefused, match="not on the public internet"):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://calendar.example.org/feed.ics",
        "file:///etc/passwd",
        "gopher://calendar.example.org/",
        "javascript:alert(1)",
        "webcal://calendar.example.org/feed.ics",
    ],
)
def test_url_that_is_not_http_or_https_is_refused(url, no_connections):
    with pytest.raises(FetchRefused, match="Only http and https"):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)


@pytest.mark.parametrize(
    "url", ["http://", "https:///feed.ics", "http://calendar.example.org:99999/"]
)
def test_url_without_a_usable_host_is_refused(url, no_connections):
    with pytest.raises(FetchRefused, match="not a valid web address"):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)


def test_host_with_a_private_address_among_public_ones_is_refused(monkeypatch, no_connections):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    with pytest.raises(FetchRefused):
        fetch_url("https://calendar.example.org/feed.ics", max_bytes=LIMIT, timeout=TIMEOUT)


def test_name_that_does_not_resolve_is_unreachable(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    with pytest.raises(FetchUnreachable, match="could not be found"):
        fetch_url("https://no-such-calendar.example.org/", max_bytes=LIMIT, timeout=TIMEOUT)


# The local test server --------------------------------------------------------------------


def test_loopback_server_is_refused_when_the_setting_is_off(feed_server, settings):
    settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK = False
    url = feed_server.serve("/feed.ics", FEED)

    with pytest.raises(FetchRefused):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)

    assert feed_server.requests == []


def test_setting_is_off_by_default(settings):
    del settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK

    assert fetch.loopback_allowed() is False


def test_loopback_server_is_fetched_when_the_setting_allows_it(feed_server, loopback_allowed):
    url = feed_server.serve("/feed.ics", FEED)

    assert fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT) == FEED


def test_query_string_is_sent(feed_server, loopback_allowed):
    url = feed_server.serve("/feed.ics?key=abc", FEED)

    assert fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT) == FEED


def test_host_is_resolved_once_and_the_checked_address_is_used(
    feed_server, loopback_allowed, monkeypatch
):
    # A rebinding DNS server: the check sees 127.0.0.1, a second lookup would see 10.0.0.1.
    asked = fake_dns(monkeypatch, {"calendar.test": ["127.0.0.1", "10.0.0.1"]})
    feed_server.serve("/feed.ics", FEED)

    body = fetch_url(
        f"http://calendar.test:{feed_server.port}/feed.ics", max_bytes=LIMIT, timeout=TIMEOUT
    )

    assert body == FEED
    assert asked == ["calendar.test"]
    assert feed_server.requests[0].host == f"calendar.test:{feed_server.port}"


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/feed.ics",
        "http://192.168.0.1/feed.ics",
        "http://172.16.0.1/feed.ics",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/feed.ics",
    ],
)
def test_redirect_to_an_address_that_is_not_public_is_refused(
    feed_server, loopback_allowed, target
):
    url = feed_server.redirect("/feed.ics", target)

    with pytest.raises(FetchRefused):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)

    assert [request.path for request in feed_server.requests] == ["/feed.ics"]


def test_redirect_to_loopback_is_refused_when_only_the_first_hop_was_allowed(
    feed_server, monkeypatch
):
    # The first hop stands in for a public server; the redirect then points at loopback.
    answers = iter([True, False])
    monkeypatch.setattr(fetch, "loopback_allowed", lambda: next(answers))
    feed_server.serve("/secret", b"internal")
    url = feed_server.redirect("/feed.ics", feed_server.url("/secret"))

    with pytest.raises(FetchRefused):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)

    assert [request.path for request in feed_server.requests] == ["/feed.ics"]


def test_redirect_to_a_name_that_resolves_to_a_private_address_is_refused(
    feed_server, loopback_allowed, monkeypatch
):
    fake_dns(monkeypatch, {"rebound.test": ["10.0.0.1"]})
    url = feed_server.redirect("/feed.ics", "http://rebound.test/feed.ics")

    with pytest.raises(FetchRefused, match=r"rebound\.test"):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)


def test_three_redirects_are_followed(feed_server, loopback_allowed):
    feed_server.serve("/final.ics", FEED)
    feed_server.redirect("/three", "/final.ics", status=301)
    feed_server.redirect("/two", feed_server.url("/three"), status=307)
    url = feed_server.redirect("/one", "/two", status=308)

    assert fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT) == FEED


def test_a_fourth_redirect_is_not_followed(feed_server, loopback_allowed):
    feed_server.serve("/final.ics", FEED)
    feed_server.redirect("/four", "/final.ics")
    feed_server.redirect("/three", "/four")
    feed_server.redirect("/two", "/three")
    url = feed_server.redirect("/one", "/two")

    with pytest.raises(FetchBadResponse, match="redirects more than 3 times"):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)

    assert "/final.ics" not in [request.path for request in feed_server.requests]


def test_redirect_loop_ends_with_an_error(feed_server, loopback_allowed):
    url = feed_server.redirect("/loop", "/loop")

    with pytest.raises(FetchBadResponse):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)

    assert len(feed_server.requests) == 4


def test_redirect_without_location_is_an_error(feed_server, loopback_allowed):
    url = feed_server.serve("/feed.ics", status=302)

    with pytest.raises(FetchBadResponse, match="without saying where"):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)


def test_error_status_is_reported(feed_server, loopback_allowed):
    with pytest.raises(FetchBadResponse, match="404"):
        fetch_url(feed_server.url("/missing.ics"), max_bytes=LIMIT, timeout=TIMEOUT)


def test_response_announced_as_too_large_is_refused(feed_server, loopback_allowed):
    url = feed_server.serve("/big.ics", b"x" * (LIMIT + 1))

    with pytest.raises(FetchTooLarge, match="larger than"):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)


def test_response_without_a_length_is_cut_off_at_the_limit(feed_server, loopback_allowed):
    url = feed_server.serve("/big.ics", b"x" * (LIMIT * 5), send_length=False)

    with pytest.raises(FetchTooLarge):
        fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)


def test_response_of_exactly_the_limit_is_read(feed_server, loopback_allowed):
    url = feed_server.serve("/feed.ics", b"x" * LIMIT, send_length=False)

    assert len(fetch_url(url, max_bytes=LIMIT, timeout=TIMEOUT)) == LIMIT


def test_slow_server_times_out(feed_server, loopback_allowed):
    url = feed_server.serve("/slow.ics", FEED, delay=2.0)

    with pytest.raises(FetchUnreachable, match="too long"):
        fetch_url(url, max_bytes=LIMIT, timeout=0.5)


def test_server_that_trickles_the_body_is_cut_off_at_the_deadline(feed_server, loopback_allowed):
    url = feed_server.serve("/slow.ics", FEED, trickle=0.1)  # about 3 seconds for the body

    started = time.monotonic()
    with pytest.raises(FetchUnreachable, match="too long"):
        fetch_url(url, max_bytes=LIMIT, timeout=0.5)

    assert time.monotonic() - started < 1.5


# One deadline over the whole answer ----------------------------------------------------------
# The server answers at once but never finishes: every single read is quick, only the total is
# too long. The bound is the deadline plus a second of slack for a loaded machine.

DEADLINE = 1.5
DRIP = 0.4  # seconds between the pieces the server drips


def test_server_that_drips_header_lines_is_cut_off_at_the_deadline(feed_server, loopback_allowed):
    url = feed_server.serve("/feed.ics", drip=DRIP, dripped="headers")

    started = time.monotonic()
    with pytest.raises(FetchUnreachable, match="too long"):
        fetch_url(url, max_bytes=LIMIT, timeout=DEADLINE)

    assert time.monotonic() - started < DEADLINE + 1


def test_server_that_drips_the_status_line_is_cut_off_at_the_deadline(
    feed_server, loopback_allowed
):
    url = feed_server.serve("/feed.ics", drip=DRIP, dripped="status")

    started = time.monotonic()
    with pytest.raises(FetchUnreachable, match="too long"):
        fetch_url(url, max_bytes=LIMIT, timeout=DEADLINE)

    assert time.monotonic() - started < DEADLINE + 1


def test_server_that_drips_a_chunked_body_is_cut_off_at_the_deadline(feed_server, loopback_allowed):
    # One size line of a chunked body is read as one piece: the drip never ends it.
    url = feed_server.serve("/feed.ics", drip=DRIP, dripped="chunk")

    started = time.monotonic()
    with pytest.raises(FetchUnreachable, match="too long"):
        fetch_url(url, max_bytes=LIMIT, timeout=DEADLINE)

    assert time.monotonic() - started < DEADLINE + 1


def test_deadline_counts_from_the_start_across_redirects(feed_server, loopback_allowed):
    # Each hop alone is within the deadline; together they are not.
    feed_server.serve("/final.ics", FEED, delay=0.6)
    feed_server.serve("/two", status=302, headers={"Location": "/final.ics"}, delay=0.6)
    url = feed_server.serve("/one", status=302, headers={"Location": "/two"}, delay=0.6)

    started = time.monotonic()
    with pytest.raises(FetchUnreachable, match="too long"):
        fetch_url(url, max_bytes=LIMIT, timeout=DEADLINE)

    assert time.monotonic() - started < DEADLINE + 1


def test_closed_port_is_unreachable(loopback_allowed):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchUnreachable, match="could not be reached"):
        fetch_url(f"http://127.0.0.1:{port}/feed.ics", max_bytes=LIMIT, timeout=TIMEOUT)


# https: the pinned address, the certificate checked for the name -------------------------


def self_signed_certificate(tmp_path, name: str) -> tuple[str, str]:
    """A certificate for `name` and its key, as PEM files; the certificate is its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@pytest.fixture
def https_server(tmp_path, feed_server_factory, loopback_allowed, monkeypatch):
    """An https server on 127.0.0.1 for the name calendar.test, trusted by fetch_url."""
    cert_file, key_file = self_signed_certificate(tmp_path, "calendar.test")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)
    server = feed_server_factory()
    server.use_tls(server_context)
    server.thread.start()
    real_context = ssl.create_default_context

    def trusting_the_test_certificate(*args, **kwargs):
        return real_context(cafile=cert_file)

    monkeypatch.setattr(fetch.ssl, "create_default_context", trusting_the_test_certificate)
    return server


def test_https_connects_to_the_checked_address_and_verifies_the_name(https_server, monkeypatch):
    asked = fake_dns(monkeypatch, {"calendar.test": ["127.0.0.1", "10.0.0.1"]})
    https_server.serve("/feed.ics", FEED)

    body = fetch_url(
        f"https://calendar.test:{https_server.port}/feed.ics", max_bytes=LIMIT, timeout=TIMEOUT
    )

    assert body == FEED
    assert asked == ["calendar.test"]


def test_https_server_that_drips_header_lines_is_cut_off_at_the_deadline(https_server, monkeypatch):
    fake_dns(monkeypatch, {"calendar.test": ["127.0.0.1"]})
    https_server.serve("/feed.ics", drip=DRIP, dripped="headers")

    started = time.monotonic()
    with pytest.raises(FetchUnreachable, match="too long"):
        fetch_url(
            f"https://calendar.test:{https_server.port}/feed.ics",
            max_bytes=LIMIT,
            timeout=DEADLINE,
        )

    assert time.monotonic() - started < DEADLINE + 1


def test_https_certificate_for_another_name_is_refused(https_server, monkeypatch):
    fake_dns(monkeypatch, {"impostor.test": ["127.0.0.1"]})
    https_server.serve("/feed.ics", FEED)

    with pytest.raises(FetchUnreachable, match="secure connection"):
        fetch_url(
            f"https://impostor.test:{https_server.port}/feed.ics",
            max_bytes=LIMIT,
            timeout=TIMEOUT,
        )


# check_link: whether a link answers, under the same address rules ------------------------------
# (HEAD, GET and the answers are in tests/membership/test_coc_check.py, with a server knowing HEAD.)

NOT_PUBLIC = "not on the public internet"


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/conduct",  # private
        "https://10.20.30.40:8443/conduct",
        "http://192.168.1.10/conduct",
        "http://172.16.0.5/conduct",
        "http://169.254.169.254/latest/meta-data/",  # link-local
        "http://[fe80::1]/conduct",
        "http://[fd00::5]/conduct",  # unique local
        "http://[::ffff:192.168.0.1]/conduct",
    ],
)
def test_link_check_refuses_an_address_that_is_not_public_without_connecting(
    url, no_connections, loopback_allowed
):
    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert result.status is None
    assert NOT_PUBLIC in result.error
    assert result.final_url == url


@pytest.mark.parametrize(
    "answers",
    [["10.0.0.1"], ["192.168.0.20"], ["169.254.169.254"], ["fe80::1"], ["127.0.0.1"]],
)
def test_link_check_refuses_a_name_that_resolves_to_an_address_that_is_not_public(
    answers, monkeypatch, no_connections
):
    fake_dns(monkeypatch, {"conduct.test": answers})

    result = check_link("https://conduct.test/conduct", timeout=TIMEOUT)

    assert result.ok is False
    assert "conduct.test" in result.error
    assert NOT_PUBLIC in result.error


def test_link_check_resolves_the_name_once_per_request(feed_server, loopback_allowed, monkeypatch):
    # The server knows no HEAD (501), so both HEAD and GET go out: each resolves the name
    # once and connects to what it checked; a third lookup would lead to 10.0.0.1.
    asked = fake_dns(monkeypatch, {"conduct.test": ["127.0.0.1", "127.0.0.1", "10.0.0.1"]})
    feed_server.serve("/conduct", b"<h1>Code of conduct</h1>")

    result = check_link(f"http://conduct.test:{feed_server.port}/conduct", timeout=TIMEOUT)

    assert result.ok is True
    assert asked == ["conduct.test", "conduct.test"]
    assert [request.host for request in feed_server.requests] == [
        f"conduct.test:{feed_server.port}"
    ]


def test_link_check_refuses_loopback_when_the_setting_is_off(feed_server, settings):
    settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK = False
    url = feed_server.serve("/conduct", b"rules")

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert NOT_PUBLIC in result.error
    assert feed_server.requests == []


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/conduct",
        "http://192.168.0.1/conduct",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/conduct",
        "http://rebound.test/conduct",  # a name that resolves to 10.0.0.1
    ],
)
def test_link_check_refuses_a_redirect_to_an_address_that_is_not_public(
    feed_server, loopback_allowed, monkeypatch, target
):
    fake_dns(monkeypatch, {"rebound.test": ["10.0.0.1"]})
    url = feed_server.redirect("/conduct", target)

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert result.status is None
    assert NOT_PUBLIC in result.error
    assert result.final_url == target
    assert [request.path for request in feed_server.requests] == ["/conduct"]


def test_link_check_refuses_a_redirect_to_loopback_when_only_the_first_hop_was_allowed(
    feed_server, monkeypatch
):
    # The first hop stands in for a public server; the redirect then points at loopback.
    # HEAD is refused by the server (501), so GET asks again: it is allowed once, too.
    answers = iter([True, True, False])
    monkeypatch.setattr(fetch, "loopback_allowed", lambda: next(answers))
    feed_server.serve("/internal", b"internal")
    url = feed_server.redirect("/conduct", feed_server.url("/internal"))

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert NOT_PUBLIC in result.error
    assert [request.path for request in feed_server.requests] == ["/conduct"]


def test_link_check_follows_at_most_three_redirects(feed_server, loopback_allowed):
    feed_server.serve("/final", b"rules")
    feed_server.redirect("/four", "/final")
    feed_server.redirect("/three", "/four")
    feed_server.redirect("/two", "/three")
    url = feed_server.redirect("/one", "/two")

    result = check_link(url, timeout=TIMEOUT)

    assert result.ok is False
    assert "redirects more than 3 times" in result.error
    assert "/final" not in [request.path for request in feed_server.requests]


def test_link_check_gives_up_on_a_slow_server(feed_server, loopback_allowed):
    url = feed_server.serve("/conduct", b"rules", delay=2.0)

    started = time.monotonic()
    result = check_link(url, timeout=0.5)

    assert result.ok is False
    assert "too long" in result.error
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("dripped", ["headers", "status"])
def test_link_check_of_a_server_that_drips_its_answer_ends_at_the_deadline(
    feed_server, loopback_allowed, dripped
):
    # Headers: HEAD is refused at once (501); the GET that follows meets the drip.
    url = feed_server.serve("/conduct", drip=DRIP, dripped=dripped)

    started = time.monotonic()
    result = check_link(url, timeout=DEADLINE)

    assert time.monotonic() - started < DEADLINE + 1
    assert result.ok is False
    assert "too long" in result.error


def test_link_check_of_a_closed_port_is_broken(loopback_allowed):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = check_link(f"http://127.0.0.1:{port}/conduct", timeout=TIMEOUT)

    assert result.ok is False
    assert result.status is None
    assert "could not be reached" in result.error


def test_link_with_letters_outside_ascii_is_asked_percent_encoded(feed_server, loopback_allowed):
    feed_server.serve("/uppf%C3%B6randekod", b"regler")

    result = check_link(feed_server.url("/uppförandekod"), timeout=TIMEOUT)

    assert result.ok is True
    assert [request.path for request in feed_server.requests] == ["/uppf%C3%B6randekod"]


def test_with_fetching_switched_off_nothing_is_fetched(settings):
    settings.TECHGROUPS_FETCH_ENABLED = False

    with pytest.raises(FetchDisabled, match="not to fetch anything from the internet"):
        fetch_url("https://example.org/feed.ics", max_bytes=1024, timeout=5)
