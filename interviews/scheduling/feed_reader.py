"""Reading a busy calendar from its server, without letting the address reach inside.

A host's calendar address is fetched by this server, so an address could point it at
something only the server can reach: itself (127.0.0.1), the private network, a cloud
metadata service (169.254.169.254). So, unless BUSY_FEED_ALLOW_PRIVATE is set:

- the host name is resolved here and every address it resolves to must be a public
  internet address (interviews.addresses.network_problem);
- the connection is made to those checked addresses only (not resolved a second time,
  so a name that answers differently a moment later, DNS rebinding, gains nothing), and
  the address the socket did connect to is checked again;
- redirects are followed here, at most MAX_REDIRECTS, each one checked the same way.

No Flask and no database: the caller passes the settings in.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from interviews.addresses import LinkUse, feed_fetch_address, network_problem, problem_with
from interviews.scheduling.busy import MAX_FEED_BYTES, BusyFeedError

MAX_REDIRECTS = 5
_PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))
_REDIRECTS = (301, 302, 303, 307, 308)
_HINTS = {
    401: " Use the calendar's secret address, which needs no password.",
    403: " Use the calendar's secret address, which needs no password.",
    404: " The address may have been reset: copy it from your calendar again.",
    410: " The address may have been reset: copy it from your calendar again.",
}

# (host, port) -> the IP addresses it resolves to.
Resolver = Callable[[str, int], list[str]]
# (host, ip) -> why the server must not connect there, or None.
Permit = Callable[[str, str], str | None]


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since the copy we hold
    etag: str | None
    last_modified: str | None


class RefusedAddress(BusyFeedError):
    """The address leads to a network the server does not read calendars from."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the operating system resolves ``host`` to, IPv4 and IPv6."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def public_only(host: str, ip: str) -> str | None:
    """The default permit: public internet addresses only."""
    reason = network_problem(ip)
    if reason is None:
        return None
    shown = host if host == ip else f"{host} ({ip})"
    return (
        f"{shown} is {reason}, not a public calendar server, so it is not read. Use the "
        "public iCal address your calendar service gives you."
    )


def anywhere(host: str, ip: str) -> str | None:
    """The permit with BUSY_FEED_ALLOW_PRIVATE: every address (development, tests)."""
    return None


def address_problem(
    url: str, *, allow_private: bool, resolve: Resolver = system_resolver
) -> str | None:
    """Why a calendar address cannot be kept (not http(s)/webcal, or it resolves to a
    private address), or None. A name that does not resolve now is not refused here:
    the read right after saving says so, and it may resolve later."""
    problem = problem_with(url, LinkUse.FEED)
    if problem or allow_private:
        return problem
    parts = urlsplit(feed_fetch_address(url))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = resolve(parts.hostname or "", port)
    except (OSError, UnicodeError):
        return None
    for ip in found:
        refused = public_only(parts.hostname or "", ip)
        if refused:
            return refused
    return None


def fetch(
    url: str,
    *,
    user_agent: str,
    timeout: float,
    allow_private: bool,
    etag: str | None = None,
    last_modified: str | None = None,
    resolve: Resolver = system_resolver,
    permit: Permit | None = None,
) -> Fetched:
    """GET a calendar feed, conditionally when we hold a copy, following redirects here.

    ``resolve`` and ``permit`` are seams for tests; ``permit`` defaults to public
    addresses only, or anywhere with ``allow_private``. Raises BusyFeedError (its
    subclass RefusedAddress for an address that is not allowed).
    """
    try:
        address = feed_fetch_address(url)
    except ValueError as error:
        raise BusyFeedError(str(error)) from None
    check = permit or (anywhere if allow_private else public_only)
    headers = {"User-Agent": user_agent, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    first_host = urlsplit(address).hostname or ""
    for hop in range(MAX_REDIRECTS + 1):
        try:
            status, reason, response_headers, body = _get(address, headers, timeout, resolve, check)
        except RefusedAddress as refused:
            if hop == 0:
                raise
            raise RefusedAddress(f"{first_host} sent us on to another address: {refused}") from None
        if status in _REDIRECTS and response_headers.get("Location"):
            target = urljoin(address, response_headers["Location"])
            try:
                address = feed_fetch_address(target)
            except ValueError:
                raise BusyFeedError(
                    f"{first_host} sent us on to an address that is not a calendar address."
                ) from None
            continue
        host = urlsplit(address).hostname
        if status == 304:
            return Fetched(None, etag, last_modified)
        if status >= 400:
            raise BusyFeedError(f"{host} answered {status} {reason}.{_HINTS.get(status, '')}")
        if status >= 300:
            raise BusyFeedError(f"{host} answered {status} {reason} without a new address.")
        return Fetched(body, response_headers.get("ETag"), response_headers.get("Last-Modified"))
    raise BusyFeedError(f"{first_host} redirected more than {MAX_REDIRECTS} times.")


def _get(
    address: str, headers: dict[str, str], timeout: float, resolve: Resolver, check: Permit
) -> tuple[int, str, http.client.HTTPMessage, bytes]:
    """One GET, on a connection to a checked address. Returns status, reason, headers, body."""
    parts = urlsplit(address)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    # http.client opens its socket through this attribute: swapping it in makes every
    # connection, plain or TLS, go to an address checked here (TLS still verifies the
    # certificate against the host name).
    connection._create_connection = _guarded_connect(resolve, check)  # type: ignore[attr-defined]
    # A request line is ASCII: letters beyond it (a path in another script) go as %XX.
    path = quote(parts.path or "/", safe=_PRINTABLE_ASCII)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PRINTABLE_ASCII)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read(MAX_FEED_BYTES + 1)
        return response.status, response.reason, response.headers, body
    except RefusedAddress:
        raise
    except TimeoutError:
        raise BusyFeedError(f"{host} did not answer within {timeout:g} seconds.") from None
    except ssl.SSLError as error:
        raise BusyFeedError(f"Could not reach {host} securely: {error.reason or error}.") from None
    except (socket.gaierror, UnicodeError):
        raise BusyFeedError(f"Could not reach {host}: no server has that name.") from None
    except (http.client.HTTPException, OSError) as error:
        raise BusyFeedError(f"Could not reach {host}: {_reason(error)}.") from None
    finally:
        connection.close()


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _guarded_connect(resolve: Resolver, check: Permit):
    """A socket.create_connection that connects only to addresses ``check`` allows."""

    def connect(address, timeout=None, source_address=None) -> socket.socket:
        host, port = address
        found = resolve(host, port)
        if not found:
            raise OSError(f"{host} has no address")
        for ip in found:  # one private address among public ones refuses the name
            refused = check(host, ip)
            if refused:
                raise RefusedAddress(refused)
        last_error: OSError | None = None
        for ip in found:
            family = socket.AF_INET6 if ipaddress.ip_address(ip).version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(timeout)
                sock.connect((ip, port))
                # The address this socket really reached, whatever resolved it.
                refused = check(host, str(sock.getpeername()[0]))
                if refused:
                    raise RefusedAddress(refused)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
            except RefusedAddress:
                sock.close()
                raise
        assert last_error is not None
        raise last_error

    return connect
