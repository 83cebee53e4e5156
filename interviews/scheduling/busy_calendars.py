"""Busy calendars: hosts paste their calendar's iCal address, and its events block interviews.

A calendar is fetched in the background (an RQ job with REDIS_URL, else in this
process), expanded for the coming year and stored as busy spans, so computing slots
never waits on someone else's server. The network wait happens outside any
transaction; storing what it gave is one transaction.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, or_, select, update

from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, InvalidInput, NotFound
from interviews.scheduling import feed_reader, hours
from interviews.scheduling.busy import (
    BusyFeedError,
    BusyRead,
    display_address,
    feed_address,
    read_busy,
)
from interviews.scheduling.feed_reader import Fetched
from interviews.scheduling.models import (
    ICS_UID_DOMAIN,
    BusyCalendar,
    BusyTime,
    CalendarKind,
    Interview,
)
from interviews.scheduling.slots import Interval
from workers.queue import QueueUnavailable, enqueue

log = logging.getLogger(__name__)

MAX_CALENDARS_PER_HOST = 10
# Busy time is read from a day back (an interview may start before midnight UTC) to a
# year and a bit ahead: the longest booking horizon a study may have is 365 days.
READ_BEHIND = timedelta(days=1)
READ_AHEAD = timedelta(days=370)
# After failures, wait longer before the next try: interval x 2, x 4 ... at most x 16.
MAX_BACKOFF_FACTOR = 16


@dataclass(frozen=True)
class BusyCalendarView:
    """A busy calendar as its host's hours page shows it: never the full secret address."""

    id: int
    address: str
    name: str | None
    checked_at: datetime | None
    fetched_at: datetime | None
    error: str | None
    events: int

    @property
    def label(self) -> str:
        return self.name or self.address


def _fetched_from(url: str) -> str:
    """Where a stored calendar is read from; a row kept before today's address rules may
    hold an address they refuse, shown as it is (reading it fails with the reason)."""
    try:
        return feed_address(url)
    except BusyFeedError:
        return url


def _view(calendar: BusyCalendar) -> BusyCalendarView:
    return BusyCalendarView(
        id=calendar.id,
        address=display_address(_fetched_from(calendar.url)),
        name=calendar.name,
        checked_at=calendar.checked_at,
        fetched_at=calendar.fetched_at,
        error=calendar.error,
        events=calendar.events,
    )


def busy_calendars_of(user_id: int) -> list[BusyCalendarView]:
    """A host's busy calendars, oldest first."""
    calendars = db.session.scalars(
        select(BusyCalendar).where(BusyCalendar.user_id == user_id).order_by(BusyCalendar.id)
    )
    return [_view(c) for c in calendars]


def add_busy_calendar(user_id: int, url: str, *, seeded: bool = False) -> int:
    """Keep a host clear of the events of a calendar given by its iCal address.

    Raises InvalidInput for an address that is not http(s)/webcal or that leads to a
    loopback, private or link-local address (unless BUSY_FEED_ALLOW_PRIVATE), Conflict
    when the host already has it or has the most calendars allowed. ``seeded``: the demo
    connects the app's own feed, which no one typed: its network is not checked (reading
    it later is, as for every calendar).
    """
    problem = feed_reader.address_problem(
        url, allow_private=seeded or current_app.config["BUSY_FEED_ALLOW_PRIVATE"]
    )
    if problem:
        raise InvalidInput(problem, field="url")
    url = url.strip()
    existing = list(db.session.scalars(select(BusyCalendar).where(BusyCalendar.user_id == user_id)))
    if any(_fetched_from(c.url) == feed_address(url) for c in existing):
        raise Conflict("That calendar is already on your list.", field="url")
    if len(existing) >= MAX_CALENDARS_PER_HOST:
        raise Conflict(
            f"You can connect up to {MAX_CALENDARS_PER_HOST} calendars; remove one first.",
            field="url",
        )
    calendar = BusyCalendar(user_id=user_id, url=url, created_at=utc_now(), failures=0, events=0)
    db.session.add(calendar)
    db.session.commit()
    return calendar.id


def remove_busy_calendar(user_id: int, calendar_id: int) -> None:
    """Stop reading a calendar; its busy time stops blocking at once. Raises NotFound."""
    calendar = _own(user_id, calendar_id)
    db.session.delete(calendar)
    db.session.commit()


def _own(user_id: int, calendar_id: int) -> BusyCalendar:
    calendar = db.session.get(BusyCalendar, calendar_id)
    if calendar is None or calendar.user_id != user_id:
        raise NotFound("That calendar is not on your list.")
    return calendar


def busy_between(user_id: int, start: datetime, end: datetime) -> list[Interval]:
    """The host's busy time from their calendars that block time, overlapping [start, end)."""
    rows = db.session.execute(
        select(BusyTime.start_at, BusyTime.end_at)
        .join(BusyCalendar, BusyTime.calendar_id == BusyCalendar.id)
        .where(
            BusyTime.user_id == user_id,
            BusyCalendar.blocks.is_(True),
            BusyTime.start_at < end,
            BusyTime.end_at > start,
        )
    )
    return [Interval(row.start_at, row.end_at) for row in rows]


# --- reading a calendar -----------------------------------------------------------------

# A UID line (after unfolding): enough to spot our own interviews' events before parsing.
_UID_LINE = re.compile(rb"^UID:(.+?)\r?$", re.MULTILINE)


def our_interview_uids(bodies: list[bytes]) -> set[str]:
    """UIDs in these calendars that are interviews of ours (written into a host's
    calendar by calendar_writes, or an emailed invite the host's calendar kept): those
    block as interviews, at their current time, not as events."""
    candidates = {
        uid.decode(errors="replace").strip()
        for body in bodies
        for uid in _UID_LINE.findall(body.replace(b"\r\n ", b"").replace(b"\n ", b""))
        if uid.rstrip().endswith(b"@" + ICS_UID_DOMAIN.encode())
    }
    if not candidates:
        return set()
    found = db.session.scalars(select(Interview.ics_uid).where(Interview.ics_uid.in_(candidates)))
    return set(found)


def fetch_feed(
    url: str, *, etag: str | None = None, last_modified: str | None = None, timeout: float = 10
) -> Fetched:
    """GET the calendar, conditionally when we hold a copy, from public addresses only
    unless BUSY_FEED_ALLOW_PRIVATE. Raises BusyFeedError."""
    return feed_reader.fetch(
        url,
        user_agent=f"{current_app.config['PRODUCT_NAME']} (busy-time reader)",
        timeout=timeout,
        allow_private=current_app.config["BUSY_FEED_ALLOW_PRIVATE"],
        etag=etag,
        last_modified=last_modified,
    )


def refresh(calendar_id: int, *, now: datetime | None = None) -> BusyCalendarView | None:
    """Fetch a calendar and store the busy time it holds for the coming year.

    A failure is recorded on the calendar for its host to see; the last good copy then
    goes on blocking, re-read so its recurring events keep pace with the date. Returns
    None when the calendar was removed meanwhile.
    """
    calendar = db.session.get(BusyCalendar, calendar_id)
    if calendar is None or calendar.kind is not CalendarKind.ICAL:
        return None  # a CalDAV calendar is read live (live_busy.py), not fetched whole
    url, etag, last_modified = calendar.url, calendar.etag, calendar.last_modified
    # Hold no transaction (and on SQLite no lock) while another server takes its time.
    db.session.rollback()

    now = now or utc_now()
    error: str | None = None
    try:
        fetched = fetch_feed(
            url,
            etag=etag,
            last_modified=last_modified,
            timeout=current_app.config["BUSY_FEED_TIMEOUT"],
        )
    except BusyFeedError as failure:
        fetched, error = None, str(failure)

    return _store(calendar_id, fetched, error, now)


def store_copy(calendar_id: int, body: bytes, *, now: datetime | None = None) -> BusyCalendarView:
    """Store a calendar's content got without fetching it (the demo seeds one this way).

    Raises NotFound for an unknown calendar.
    """
    view = _store(calendar_id, Fetched(body, None, None), None, now or utc_now())
    if view is None:
        raise NotFound("That calendar is not on your list.")
    return view


def _store(
    calendar_id: int, fetched: Fetched | None, error: str | None, now: datetime
) -> BusyCalendarView | None:
    """Record one read of a calendar (or its failure) in one transaction."""
    calendar = db.session.get(BusyCalendar, calendar_id)
    if calendar is None:
        return None
    timezone = hours.timezone_of(calendar.user_id)
    read: BusyRead | None = None
    if fetched is not None:
        body = fetched.body if fetched.body is not None else calendar.body
        try:
            read = read_busy(
                body or b"",
                now - READ_BEHIND,
                now + READ_AHEAD,
                timezone,
                skip_uids=our_interview_uids([body or b""]),
            )
        except BusyFeedError as failure:
            error = str(failure)
        else:
            calendar.body = body
            calendar.etag, calendar.last_modified = fetched.etag, fetched.last_modified
            calendar.fetched_at = now
            calendar.name = read.name or calendar.name
    if error is not None and calendar.body:
        log.warning("busy calendar %s failed, keeping its last good copy: %s", calendar_id, error)
        try:
            read = read_busy(
                calendar.body,
                now - READ_BEHIND,
                now + READ_AHEAD,
                timezone,
                skip_uids=our_interview_uids([calendar.body]),
            )
        except BusyFeedError:
            read = None  # cannot happen for a body that was read before; keep the rows
    calendar.checked_at = now
    calendar.error = error
    calendar.failures = calendar.failures + 1 if error else 0
    if read is not None:
        calendar.events = read.events
        db.session.execute(delete(BusyTime).where(BusyTime.calendar_id == calendar_id))
        if read.intervals:
            db.session.execute(
                insert(BusyTime),
                [
                    {
                        "calendar_id": calendar_id,
                        "user_id": calendar.user_id,
                        "start_at": span.start,
                        "end_at": span.end,
                    }
                    for span in read.intervals
                ],
            )
    db.session.commit()
    return _view(calendar)


def refresh_now_for(user_id: int, calendar_id: int) -> BusyCalendarView | None:
    """The host asked to read their calendar again. Raises NotFound for another's."""
    _own(user_id, calendar_id)
    db.session.rollback()
    return refresh_soon(calendar_id)


def refresh_soon(calendar_id: int) -> BusyCalendarView | None:
    """Refresh in an RQ worker (REDIS_URL set, returns None) or now, in this process.

    With Redis down the refresh happens now instead: it only reads a calendar.
    """
    if current_app.config.get("REDIS_URL"):
        try:
            enqueue("workers.calendars.refresh_busy_calendar", calendar_id)
            return None
        except QueueUnavailable:
            log.warning("queue unavailable, reading busy calendar %s now", calendar_id)
    return refresh(calendar_id)


def claim_due(now: datetime | None = None) -> list[int]:
    """Calendars whose refresh is due, each claimed (its check time set) so that two
    sweeps running at once never both take it. Failing calendars are tried less often."""
    now = now or utc_now()
    every = timedelta(minutes=current_app.config["BUSY_REFRESH_MINUTES"])
    candidates = db.session.execute(
        select(BusyCalendar.id, BusyCalendar.checked_at, BusyCalendar.failures).where(
            BusyCalendar.kind == CalendarKind.ICAL,
            or_(BusyCalendar.checked_at.is_(None), BusyCalendar.checked_at <= now - every),
        )
    ).all()
    claimed = []
    for calendar_id, checked_at, failures in candidates:
        wait = every * min(2**failures, MAX_BACKOFF_FACTOR)
        if checked_at is not None and checked_at > now - wait:
            continue
        unchanged = (
            BusyCalendar.checked_at.is_(None)
            if checked_at is None
            else BusyCalendar.checked_at == checked_at
        )
        taken = db.session.execute(
            update(BusyCalendar)
            .where(BusyCalendar.id == calendar_id, unchanged)
            .values(checked_at=now)
        ).rowcount
        if taken:
            claimed.append(calendar_id)
    db.session.commit()
    return claimed


def refresh_due(now: datetime | None = None) -> int:
    """One sweep: refresh every calendar that is due. Returns how many were started."""
    due = claim_due(now)
    for calendar_id in due:
        try:
            refresh_soon(calendar_id)
        except Exception:  # one broken calendar must not stop the others
            db.session.rollback()
            log.exception("refreshing busy calendar %s failed", calendar_id)
    return len(due)
