"""A thin client over the ``caldav`` package: open a connection to a host's CalDAV
server, find their calendars, read the events of a time span.

Every failure leaves this module as one named error, ``CalDavError``, whose message is
written for the host and names the form field to fix. Its text is built here and never
copied from the library or the HTTP layer: their messages and reprs may carry the
server address with credentials in it, or an Authorization header. For the same reason
nothing here logs an exception's text.

Discovery and reads use plain WebDAV requests (PROPFIND, REPORT) through the library's
client, so one listing or one read is one request, whatever the server.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import caldav
from caldav.lib import error as dav_errors
from flask import current_app
from niquests import exceptions as http_errors

from interviews.addresses import LinkUse, network_problem, problem_with
from interviews.scheduling.models import CalDavAccount
from interviews.secret_box import SecretUnreadable, open_sealed

# An answer larger than this is refused rather than parsed: a calendar's events for a
# few weeks are far smaller (the iCal feeds' limit is 5 MB).
MAX_ANSWER_BYTES = 10 * 1024 * 1024
# Where a CalDAV address may lead: a web address (the feeds' webcal:// makes no sense
# here); its length is the form's limit.
MAX_URL_LENGTH = 500

T = TypeVar("T")

_D = "{DAV:}"
_C = "{urn:ietf:params:xml:ns:caldav}"
_PROPS = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:resourcetype/><D:displayname/><C:supported-calendar-component-set/></D:prop>
</D:propfind>"""
_EVENTS_BETWEEN = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT"><C:time-range start="{start}" end="{end}"/></C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>"""


class CalDavError(Exception):
    """Talking to a CalDAV server failed. ``message`` is for the host and never holds a
    password; ``field`` is the form field to fix (``url``, ``username`` or
    ``password``); ``status`` the HTTP status when the server answered one."""

    def __init__(self, message: str, *, field: str = "url", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass(frozen=True)
class FoundCalendar:
    """A calendar collection on the server."""

    url: str
    name: str
    events: bool  # it may hold VEVENTs (a task list may not)


@dataclass(frozen=True)
class Discovery:
    """What a login sees: its principal, its calendars, and the calendar the address
    named (when it was a calendar's own address)."""

    principal_url: str | None
    calendars: list[FoundCalendar]
    named: FoundCalendar | None


def open_client(url: str, username: str, password: str, *, timeout: float) -> caldav.DAVClient:
    """A client for the server at ``url`` logged in as ``username``. Opens no
    connection yet: the first request does, and may raise the library's errors; pass
    them through ``explain`` to get a CalDavError."""
    return caldav.DAVClient(
        url=url,
        username=username,
        password=password,
        timeout=timeout,  # type: ignore[arg-type]  # niquests takes seconds as a float
        # The address is given in full: no DNS-based discovery of another server.
        enable_rfc6764=False,
    )


def account_password(account: CalDavAccount) -> str:
    """The account's password in the clear. Raises CalDavError (field password) when it
    was sealed under a key this server no longer has."""
    try:
        return open_sealed(
            account.password_encrypted,
            current_app.config["SECRET_KEY"],
            current_app.config.get("SECRET_KEY_FALLBACKS") or (),
        )
    except SecretUnreadable as unreadable:
        raise CalDavError(str(unreadable), field="password") from None


def client_for(account: CalDavAccount, *, timeout: float) -> caldav.DAVClient:
    """A client for a stored account. Raises CalDavError (field password) when its
    password cannot be read."""
    return open_client(
        account.server_url, account.username, account_password(account), timeout=timeout
    )


def address_problem(url: str, *, allow_private: bool) -> str | None:
    """Why the server must not connect to ``url`` (not an http(s) address, credentials
    in it, or it resolves to this machine or a private network while private addresses
    are not allowed: BUSY_FEED_ALLOW_PRIVATE), or None. A name that does not resolve is
    left for the connection to report."""
    problem = problem_with(url, LinkUse.WEB)
    if problem:
        return problem
    if allow_private:
        return None
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    try:
        found = {
            str(info[4][0])
            for info in socket.getaddrinfo(
                host, parts.port or (443 if parts.scheme == "https" else 80)
            )
        }
    except (OSError, UnicodeError):
        return None
    for ip in sorted(found):
        reason = network_problem(ip)
        if reason:
            shown = host if host == ip else f"{host} ({ip})"
            return (
                f"{shown} is {reason}, so this server does not connect to it. Use your "
                "calendar server's public address."
            )
    return None


def explain(failure: BaseException, *, timeout: float | None = None) -> CalDavError:
    """The host-facing CalDavError for anything a request raised. Only the type and
    status of ``failure`` are used, never its text in a message."""
    if isinstance(failure, CalDavError):
        return failure
    if isinstance(failure, dav_errors.AuthorizationError):
        if failure.status == 403:
            return CalDavError(
                "The server accepted the login but does not let this user read that "
                "address. Check the username, or use an address of this user's own.",
                field="username",
                status=403,
            )
        return CalDavError(
            "The server refused this username and password. Services such as iCloud, "
            "Fastmail or Nextcloud with two-step login need an app password.",
            field="password",
            status=failure.status or 401,
        )
    if isinstance(failure, dav_errors.NotFoundError):
        return CalDavError(
            "Nothing was found at this address on the server (was the calendar deleted or moved?).",
            status=404,
        )
    if isinstance(failure, dav_errors.RateLimitError):
        return CalDavError("The server asks to wait: it is receiving too many requests.")
    if isinstance(failure, dav_errors.DAVError):
        status = failure.status
        return CalDavError(
            f"The server answered with an error (HTTP {status})."
            if status
            else "The server's answer was not a CalDAV answer.",
            status=status,
        )
    if isinstance(failure, http_errors.Timeout):
        waited = f" within {timeout:g} second{'' if timeout == 1 else 's'}" if timeout else ""
        return CalDavError(f"The server did not answer{waited}.")
    if isinstance(failure, http_errors.SSLError):
        return CalDavError(
            "The server's security certificate could not be verified, so nothing was sent to it."
        )
    if isinstance(failure, (http_errors.InvalidURL, http_errors.InvalidSchema)):
        return CalDavError("That is not a valid server address.")
    if isinstance(failure, (http_errors.ConnectionError, OSError)):
        if _cause_mentions(failure, ("resolve", "name or service", "nodename", "getaddrinfo")):
            return CalDavError("No server with that name was found: check the address.")
        if _cause_mentions(failure, ("refused",)):
            return CalDavError(
                "The server refused the connection: check the address and port, or it may be down."
            )
        return CalDavError("The server could not be reached.")
    return CalDavError("The server's answer was not understood as CalDAV.")


def _cause_mentions(failure: BaseException, words: tuple[str, ...]) -> bool:
    """Whether the chain of causes reads like one of ``words`` (looked at, never shown)."""
    seen: BaseException | None = failure
    for _ in range(10):
        if seen is None:
            return False
        text = f"{type(seen).__name__} {seen}".lower()
        if any(word in text for word in words):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _guarded(work: Callable[[], T], *, timeout: float) -> T:
    try:
        return work()
    except CalDavError:
        raise
    except Exception as failure:  # noqa: BLE001  every failure becomes a host message
        raise explain(failure, timeout=timeout) from None


def discover(url: str, username: str, password: str, *, timeout: float) -> Discovery:
    """The calendars ``username`` sees from ``url``: a server root, a principal or a
    calendar address. Raises CalDavError: login refused (field password/username),
    server not reachable, nothing CalDAV there, or no calendar at all (field url)."""
    client = open_client(url, username, password, timeout=timeout)
    try:
        return _guarded(lambda: _discover(client, url), timeout=timeout)
    finally:
        client.close()


def _discover(client: caldav.DAVClient, url: str) -> Discovery:
    # A calendar's own address is answered for itself: that calendar is the one meant.
    here = _list(client, url, depth=0)
    named = here[0] if here else None
    principal = client.principal()
    principal_url = str(principal.url)
    home = str(principal.calendar_home_set.url)
    calendars = _list(client, home, depth=1)
    if named and not any(same_address(found.url, named.url) for found in calendars):
        calendars.append(named)  # shared from elsewhere: still that login's to read
    if not calendars:
        raise CalDavError(
            "No calendar was found for this login at this address: check the address, "
            "or give the address of a calendar."
        )
    return Discovery(principal_url=principal_url, calendars=calendars, named=named)


def _list(client: caldav.DAVClient, url: str, *, depth: int) -> list[FoundCalendar]:
    """The calendar collections at ``url`` (depth 0: it itself, if it is one)."""
    answer = client.propfind(url, _PROPS, depth=depth)
    if answer.status == 404 and depth == 0:
        return []
    _check(answer)
    found = []
    for response in _responses(answer):
        href = response.findtext(f"{_D}href") or ""
        prop = _ok_prop(response)
        if prop is None or prop.find(f"{_D}resourcetype/{_C}calendar") is None:
            continue
        components = [
            (comp.get("name") or "").upper()
            for comp in prop.findall(f"{_C}supported-calendar-component-set/{_C}comp")
        ]
        address = str(client.url.join(href))
        name = (prop.findtext(f"{_D}displayname") or "").strip()
        found.append(
            FoundCalendar(
                url=address,
                name=name or _last_segment(address),
                # A server that does not say may hold anything.
                events=not components or "VEVENT" in components,
            )
        )
    return found


def read_events(
    client: caldav.DAVClient, calendar_url: str, start: datetime, end: datetime, *, timeout: float
) -> list[bytes]:
    """The calendar objects (VCALENDAR texts) with an event in [start, end): a
    recurring event comes whole, to be expanded by the reader. Raises CalDavError."""

    def read() -> list[bytes]:
        query = _EVENTS_BETWEEN.format(start=_stamp(start), end=_stamp(end))
        answer = client.report(calendar_url, query, depth=1)
        _check(answer)
        bodies = []
        for response in _responses(answer):
            prop = _ok_prop(response)
            data = prop.findtext(f"{_C}calendar-data") if prop is not None else None
            if data and data.strip():
                bodies.append(data.encode())
        return bodies

    return _guarded(read, timeout=timeout)


def _check(answer: Any) -> None:
    """Refuse an answer that is an error or not a multistatus (raises CalDavError)."""
    if answer.status == 404:
        raise CalDavError(
            "Nothing was found at this address on the server (was the calendar deleted or moved?).",
            status=404,
        )
    if answer.status not in (200, 207):
        raise CalDavError(
            f"The server answered with an error (HTTP {answer.status}).", status=answer.status
        )
    if len(getattr(answer, "_raw_body", b"") or b"") > MAX_ANSWER_BYTES:
        raise CalDavError("The server's answer is too large to read.")
    tree = getattr(answer, "tree", None)
    if tree is None or tree.tag != f"{_D}multistatus":
        raise CalDavError("The server's answer was not understood as CalDAV.")


def _responses(answer: Any) -> list[Any]:
    return list(answer.tree.iterfind(f"{_D}response"))


def _ok_prop(response: Any) -> Any | None:
    """The properties the server found for one resource (its 200 propstat)."""
    for propstat in response.iterfind(f"{_D}propstat"):
        status = propstat.findtext(f"{_D}status") or ""
        if " 200 " in f"{status} ":
            return propstat.find(f"{_D}prop")
    return None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def same_address(a: str, b: str) -> bool:
    """Whether two addresses name the same collection, whatever the trailing slash or
    percent-encoding."""

    def key(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        return (parts.netloc.lower(), unquote(parts.path).rstrip("/"))

    return key(a) == key(b)


def _last_segment(url: str) -> str:
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or url
