"""The rules for addresses people type: which links are accepted where, and why not.

Pure: no Flask, no database. One module so that every form, service, template and
calendar file applies the same rules. A link a person types is a web address, http or
https; Markdown notes may also link an email address (mailto); a calendar feed may be
given as webcal:// (read as https); a phone becomes a tel: link only when it is one.
Anything else (javascript:, data:, vbscript:, file:, scheme-relative //host ...) is
refused when typed and never rendered as a link when found in an older row.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit


class LinkUse(StrEnum):
    """Where an address is typed; each place accepts its own schemes."""

    WEB = "web"  # a study's video link, a recording: opened in a browser
    NOTE = "note"  # a link in Markdown notes and takeaways
    FEED = "feed"  # a busy calendar's iCal address, fetched by the server


SCHEMES = {
    LinkUse.WEB: ("http", "https"),
    LinkUse.NOTE: ("http", "https", "mailto"),
    LinkUse.FEED: ("http", "https", "webcal", "webcals"),
}
# The columns they are kept in: a video or recording link, 500; a feed (whose secret
# key makes it long), 2,000.
MAX_LENGTH = {LinkUse.WEB: 500, LinkUse.NOTE: 2000, LinkUse.FEED: 2000}
# Schemes a browser runs or opens as a document of their own: named in the refusal.
_SCRIPT_SCHEMES = ("javascript", "vbscript", "data")
# Invisible or layout characters: a browser drops some of them and keeps others, so an
# address holding one may not be the address it looks like. Surrounding spaces are
# trimmed (a paste often carries them); any left inside refuse the address.
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp")
# Characters a browser reads as a path separator or that cannot stand in an address.
_FORBIDDEN = set('\\<>"`{}|^')
_TRIM = " \t\r\n"
# A phone number as tel: wants it: digits after an optional +, no words.
_PHONE_DIGITS = re.compile(r"\+?[0-9]{3,20}")
_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")


def _example(use: LinkUse) -> str:
    if use is LinkUse.FEED:
        return "Use your calendar's iCal address: it starts with https:// or webcal://."
    if use is LinkUse.NOTE:
        return "Link to a web address (https://...) or an email address (mailto:...)."
    return "Use a web address that starts with https://."


def problem_with(typed: str, use: LinkUse = LinkUse.WEB) -> str | None:
    """Why ``typed`` is not an acceptable address for ``use``, in a PM's words; None when it is.

    Spaces around the address do not count (see ``cleaned``); anything inside it does.
    """
    address = (typed or "").strip(_TRIM)
    if not address:
        if use is LinkUse.FEED:
            return "Paste your calendar's iCal address (it ends in .ics)."
        return "Paste the address here."
    if len(address) > MAX_LENGTH[use]:
        return f"That address is longer than {MAX_LENGTH[use]:,} characters; use a shorter link."
    if any(unicodedata.category(c) in _INVISIBLE for c in address):
        return (
            "That address holds spaces or invisible characters, so it may not lead where it "
            "seems to. Copy it again from the address bar."
        )
    if any(c in _FORBIDDEN for c in address):
        return "That address holds characters a link cannot have (such as \\ < > or quotes)."
    if address.startswith("//"):
        return f"That address has no scheme. {_example(use)}"
    scheme_end = address.find(":")
    scheme = address[:scheme_end].lower() if scheme_end > 0 else ""
    if not re.fullmatch(r"[a-z][a-z0-9+.\-]*", scheme):
        return f"That is not a full address. {_example(use)}"
    if scheme not in SCHEMES[use]:
        if scheme in _SCRIPT_SCHEMES:
            return (
                f"“{scheme}:” links can run code in the reader's browser, so they are "
                f"refused. {_example(use)}"
            )
        return f"“{scheme}:” links are not accepted here. {_example(use)}"
    if scheme == "mailto":
        return None if "@" in address[scheme_end + 1 :] else "Put an email address after mailto:."
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        return "The server name or port in that address is not valid."
    if not address[scheme_end + 1 :].startswith("//") or not parts.hostname:
        return f"That address has no server name in it. {_example(use)}"
    if parts.username is not None or parts.password is not None:
        return (
            "Leave the user name and password out of the address: anyone who sees the "
            "link would see them, and the @ in it can hide where it leads."
        )
    if port == 0:
        return "The port in that address is not valid."
    return None


def cleaned(typed: str, use: LinkUse = LinkUse.WEB) -> str:
    """The address to keep: ``typed`` without the spaces around it. Raises ValueError
    (its message from ``problem_with``) when the address is not acceptable."""
    problem = problem_with(typed, use)
    if problem:
        raise ValueError(problem)
    return typed.strip(_TRIM)


def web_link(address: str | None) -> str | None:
    """The address to put in an href (or a calendar's URL), or None: only http(s) links
    that pass the rules are ever rendered as links, whatever an older row holds."""
    if not address or problem_with(address, LinkUse.WEB):
        return None
    return address.strip(_TRIM)


def feed_fetch_address(typed: str) -> str:
    """The http(s) address to fetch for a calendar feed (webcal:// is https underneath).

    Raises ValueError with the reason when the address is not an acceptable feed.
    """
    address = cleaned(typed, LinkUse.FEED)
    parts = urlsplit(address)
    if parts.scheme in ("webcal", "webcals"):
        parts = parts._replace(scheme="https")
    return urlunsplit(parts)


def tel_link(phone: str | None) -> str | None:
    """A tel: link for a phone number as people write it (+49 30 123-4567), or None when
    it is not one: then it is shown as text, never as a link."""
    digits = _PHONE_PUNCTUATION.sub("", phone or "")
    if not _PHONE_DIGITS.fullmatch(digits):
        return None
    return f"tel:{digits}"


# --- network addresses a server may fetch from ---------------------------------------------

_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is where a
    packet to it ends up; else the address itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def network_problem(ip: IPAddress | str) -> str | None:
    """Why the server must not fetch from ``ip`` (it is not a public internet address:
    loopback, private, link-local, unspecified, multicast, reserved), or None."""
    address = _embedded(ipaddress.ip_address(ip) if isinstance(ip, str) else ip)
    if address.is_loopback:
        return "this server itself"
    if address.is_link_local:
        return "a link-local address (such as a cloud server's metadata service)"
    if address.is_unspecified:
        return "an unspecified address (this server itself)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "an address that is not on the public internet"
    if address.is_private:
        return "an address on a private network"
    if not address.is_global:
        return "an address that is not on the public internet"
    return None
