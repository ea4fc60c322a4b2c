"""The links the portal fetches must lead to the public internet (meetings/url_rules.py)."""

import pytest
from django.utils import translation

from meetings.url_rules import public_url_error


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/feed.ics",
        "http://www.meetup.com/azure-malmo/events/ical/",
        "https://EXAMPLE.org./conduct",
        "https://8.8.8.8/feed.ics",
        "https://[2001:4860:4860::8888]/feed.ics",
        "https://xn--exmple-cua.org/",
        "https://exämple.org/uppförandekod",
        "https://example.org:8443/feed.ics",
        "https://local.example.org/",
        "https://localhost.example.org/",
    ],
)
def test_a_public_link_is_accepted(url):
    assert public_url_error(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8000/feed.ics",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/feed.ics",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://100.64.0.1/",  # shared address space
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1%25eth0]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://2130706433/",  # 127.0.0.1 as a decimal number
        "http://0x7f.1/",  # as hexadecimal, short form
        "http://0x7f000001/",
        "http://0177.0.0.1/",  # as octal
        "http://127.1/",
        "http://0/",
        "http://1.2.3.4.5/",  # looks like an address, is none
        "http://localhost/",
        "http://LOCALHOST./",
        "http://feeds.localhost/",
        "http://printer.local/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://nas.home.arpa/",
        "http://intranet/",
        "http://metadata/",
    ],
)
def test_a_link_into_a_private_network_is_refused(url):
    error = public_url_error(url)

    assert error is not None
    assert "not on the public internet" in error


@pytest.mark.parametrize("url", ["ftp://example.org/feed.ics", "javascript:alert(1)", "file:///"])
def test_only_http_and_https_are_accepted(url):
    assert public_url_error(url) == "Only http and https addresses can be fetched."


@pytest.mark.parametrize("url", ["http://", "https:///feed.ics", "http://[::1", "http://a:b/"])
def test_a_link_without_a_usable_host_is_refused(url):
    assert public_url_error(url) == "This is not a valid web address."


def test_the_message_names_the_host():
    error = public_url_error("http://[::ffff:127.0.0.1]:8000/feed.ics")

    assert error is not None
    assert error.startswith("The portal cannot open [::ffff:127.0.0.1]: it is not on the")


def test_no_name_is_resolved(monkeypatch):
    def resolve(*args, **kwargs):
        raise AssertionError("a name was resolved")

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    monkeypatch.setattr("socket.gethostbyname", resolve)

    assert public_url_error("https://feeds.example.org/feed.ics") is None
    assert public_url_error("http://printer.local/") is not None


def test_the_message_is_in_the_leaders_language():
    with translation.override("sv"):
        error = public_url_error("http://127.0.0.1/")

    assert error == (
        "Portalen kan inte öppna 127.0.0.1: adressen finns inte på det allmänna internet. "
        "Använd adressen som andra når sidan på via internet."
    )
