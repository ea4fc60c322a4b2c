"""Which links a leader may give the portal to fetch (an iCal feed, a code of conduct).

The rule is checked when the link is typed, so the leader learns at once that a link into a
private network cannot work. It looks at the URL only and never resolves a name: a public
name may still lead to a private address, which `meetings.fetch` refuses each time it fetches.
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from .fetch import IPAddress, address_is_allowed

#: Names that never lead to the public internet: this computer (RFC 6761), the local network
#: (mDNS, RFC 6762; home networks, RFC 8375) and private networks (ICANN's .internal).
PRIVATE_NAME_SUFFIXES = ("localhost", "local", "internal", "home.arpa")
#: WHATWG URL parsing reads a host whose last label is a number as an IPv4 address, in any of
#: the forms inet_aton accepts: 2130706433, 0x7f.1, 0177.0.0.1 and 127.1 are all 127.0.0.1.
NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")


def _ip_literal(host: str) -> IPAddress | None:
    """The address `host` spells, in any form a browser or resolver reads as one; else None.

    Raises ValueError for a host that looks like an address but is none (1.2.3.4.5).
    """
    if ":" in host:
        return ipaddress.IPv6Address(host.split("%", 1)[0])  # an IPv6 zone is not the address
    if not NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError as error:
        raise ValueError(host) from error


def public_url_error(url: str) -> str | None:
    """Why the portal may not fetch `url`, for the person who typed it; None if it may.

    Only http and https, and only a host that may be on the public internet: not an address
    that is loopback, private, link-local or otherwise not public (also written as a decimal,
    octal or hexadecimal number, or as IPv4 inside IPv6), not localhost or another name of a
    private network, and not a name without a dot.
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return _("This is not a valid web address.")
    if parts.scheme.lower() not in {"http", "https"}:
        return _("Only http and https addresses can be fetched.")
    if not host:
        return _("This is not a valid web address.")
    not_public = _(
        "The portal cannot open %(host)s: it is not on the public internet. Use the address "
        "people open on the internet."
    ) % {"host": f"[{host}]" if ":" in host else host}  # "[::1]: it is", not "::1: it is"
    try:
        address = _ip_literal(host)
    except ValueError:
        return not_public
    if address is not None:
        return None if address_is_allowed(address, allow_loopback=False) else not_public
    private_name = any(
        host == suffix or host.endswith(f".{suffix}") for suffix in PRIVATE_NAME_SUFFIXES
    )
    if private_name or "." not in host:
        return not_public
    return None
