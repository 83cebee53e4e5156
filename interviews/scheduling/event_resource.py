"""An interview's event as a resource on a CalDAV server: put there, or removed, with
conditional requests, so that no retry ever makes a second event (RFC 4791 5.3.2, RFC
7232). The outbox around it is ``calendar_writes``.

- The resource is named from the event's UID (safe characters only), so every attempt
  at one event's write goes to the same address.
- A create says ``If-None-Match: *``. A 412 means an earlier attempt landed (its answer
  was lost): its ETag is read and it is written over.
- An update or a delete says ``If-Match`` with the ETag of our last write. A 412 means
  the event was changed on the server since (the host moved it in their calendar app,
  or added an alarm): the interview is the truth, so the current ETag is read and the
  write made over it. An event the host deleted is put back on a change (not on a
  cancel: 404 or 410 to a delete means done).
- The same UID in another resource of the calendar (the host's mail app filed the
  emailed invite there: CALDAV:no-uid-conflict) is found and written over, not doubled.

Errors become ``WriteFailed`` with a message for the host, built here from the status
code: never the library's or the HTTP layer's text, which may carry the server address
with credentials in it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin
from xml.sax.saxutils import escape

import caldav
from caldav.lib import error as dav_error
from caldav.lib.http_sync import requests as http

_SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_TRIES = 3  # a resource changing under us this many times running: try again later
_ETAG_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>"""
_UID_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:prop-filter name="UID"><C:text-match collation="i;octet">{uid}</C:text-match></C:prop-filter>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
_XML = {"Content-Type": "application/xml; charset=utf-8"}
_NO_UID_CONFLICT = "{urn:ietf:params:xml:ns:caldav}no-uid-conflict"


class WriteFailed(Exception):
    """The write did not happen. ``message`` is for the host; ``permanent``: the same
    write will never succeed (retrying is pointless)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class EventJob:
    put: bool  # put the body there (False: remove the event)
    calendar_url: str
    href: str  # where the event is (or is to be)
    etag: str | None  # of our last write there; None when nothing of ours is known there
    body: str
    uid: str


@dataclass(frozen=True)
class _Answer:
    status: int
    etag: str | None
    tree: Any  # the parsed XML body (lxml), or None
    preconditions: tuple[str, ...]


def resource_url(calendar_url: str, uid: str) -> str:
    """The event's address in the calendar: its UID when that is made of safe characters
    only, else the safe part and a hash of the whole (two UIDs never share a name)."""
    name = uid
    if not _SAFE_NAME.fullmatch(uid):
        digest = hashlib.sha256(uid.encode()).hexdigest()[:16]
        name = f"{_UNSAFE.sub('-', uid)[:60]}-{digest}"
    return urljoin(calendar_url.rstrip("/") + "/", f"{name}.ics")


def write(client: caldav.DAVClient, job: EventJob) -> tuple[str, str | None]:
    """Make the job's write; returns where the event is and its ETag (None for a removal,
    or when the server names none). Raises WriteFailed."""
    return _put(client, job) if job.put else _delete(client, job)


def _put(client: caldav.DAVClient, job: EventJob) -> tuple[str, str | None]:
    href, etag = job.href, job.etag
    for _ in range(_TRIES):
        condition = {"If-None-Match": "*"} if etag is None else {"If-Match": etag}
        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        answer = _request(client, "PUT", href, job.body, headers)
        if answer.status in (200, 201, 204):
            # A server that changed what it stored names no ETag: read the one it has.
            return href, answer.etag or _current_etag(client, href)
        if answer.status == 412:
            # Create: it is there already (an earlier attempt landed). Update: changed on
            # the server since our last write. Either way the interview is the truth:
            # write over what is there now (or create it again if it is gone).
            etag = _current_etag(client, href)
            continue
        if _NO_UID_CONFLICT in answer.preconditions:
            found = _find_by_uid(client, job.calendar_url, job.uid)
            if found is None or found == href:
                raise WriteFailed(
                    "The calendar server holds this event somewhere it cannot be found."
                )
            href, etag = found, _current_etag(client, found)
            continue
        raise _refused(answer, put=True)
    raise WriteFailed("The event kept changing on the calendar server while it was written.")


def _delete(client: caldav.DAVClient, job: EventJob) -> tuple[str, None]:
    href, etag = job.href, job.etag
    for _ in range(_TRIES):
        if etag is None:
            etag = _current_etag(client, href)
            if etag is None:
                return href, None  # nothing there: already gone
        answer = _request(client, "DELETE", href, "", {"If-Match": etag})
        if answer.status in (200, 202, 204, 404, 410):
            return href, None
        if answer.status == 412:
            # Changed on the server since our last write: cancelled all the same.
            etag = None
            continue
        raise _refused(answer, put=False)
    raise WriteFailed("The event kept changing on the calendar server while it was removed.")


def _current_etag(client: caldav.DAVClient, href: str) -> str | None:
    """The resource's ETag now; None when there is no resource. ``*`` (any existing
    resource) for a server that names none."""
    answer = _request(client, "PROPFIND", href, _ETAG_QUERY, {**_XML, "Depth": "0"})
    if answer.status in (404, 410):
        return None
    if answer.status != 207:
        raise _refused(answer, put=False)
    if answer.tree is not None:
        for node in answer.tree.iter("{DAV:}getetag"):
            if node.text and node.text.strip():
                return node.text.strip()
    return "*"


def _find_by_uid(client: caldav.DAVClient, calendar_url: str, uid: str) -> str | None:
    """The address of the calendar's resource holding this UID, if any (RFC 4791 7.8)."""
    body = _UID_QUERY.format(uid=escape(uid))
    answer = _request(client, "REPORT", calendar_url, body, {**_XML, "Depth": "1"})
    if answer.status != 207:
        raise _refused(answer, put=False)
    for response in answer.tree.iter("{DAV:}response") if answer.tree is not None else ():
        href = response.findtext("{DAV:}href")
        if href:
            return urljoin(calendar_url, href.strip())
    return None


def _request(
    client: caldav.DAVClient, method: str, url: str, body: str, headers: dict[str, str]
) -> _Answer:
    """One request; what the server answered, or WriteFailed when it did not answer."""
    try:
        response = client.request(url, method, body, headers)
    except dav_error.AuthorizationError as refused:
        return _Answer(refused.status or 401, None, None, tuple(refused.preconditions))
    except dav_error.RateLimitError:
        raise WriteFailed(
            "The calendar server asked us to slow down; trying again later."
        ) from None
    except http.exceptions.Timeout:
        raise WriteFailed("The calendar server did not answer in time.") from None
    except (http.exceptions.RequestException, OSError):
        raise WriteFailed("The calendar server could not be reached.") from None
    except (dav_error.DAVError, ValueError, SyntaxError):
        # An answer that is not what a CalDAV server says (a broken XML body, say).
        raise WriteFailed("The calendar server gave an answer that could not be read.") from None
    tree = response.tree
    preconditions: tuple[str, ...] = ()
    if tree is not None and tree.tag == "{DAV:}error":
        preconditions = tuple(child.tag for child in tree if isinstance(child.tag, str))
    return _Answer(response.status, response.headers.get("ETag"), tree, preconditions)


def _refused(answer: _Answer, *, put: bool) -> WriteFailed:
    """A failure for the host to read. Only a request the server will refuse however
    often it is sent is permanent. A refused login or permission is not: the host can fix
    it, and the write then goes through on its next try."""
    status = answer.status
    if status == 401:
        return WriteFailed("The calendar server refused the login: enter the password again.")
    if status == 403:
        return WriteFailed("The calendar server does not let this login write to the calendar.")
    if status in (408, 425, 429) or status >= 500:
        return WriteFailed(f"The calendar server had a problem (HTTP {status}).")
    if put and status in (404, 405, 409, 410):
        return WriteFailed(
            f"The calendar was not found on the server (HTTP {status}): was it deleted?",
            permanent=True,
        )
    return WriteFailed(f"The calendar server refused the event (HTTP {status}).", permanent=True)
