"""Live busy time from hosts' CalDAV calendars: read for the span asked about, kept at
most CALDAV_FRESH_SECONDS old.

Slots and the booking's re-check call ``ensure_fresh`` first. For each blocking CalDAV
calendar of the people involved whose stored copy does not cover the span, or is older
than allowed, the server is asked for the events of the span (a REPORT with a
time-range, recurring events expanded here); the spans found replace that calendar's
busy time in the span. Nothing else reads these calendars: there is no periodic job.

When a server is down, slow or refuses the login, the last good copy goes on blocking,
the calendar records the error for its host, and the caller carries on: this never
raises for a server's trouble. A failed calendar is not asked again before the
freshness window has passed (so a page of slots does not wait on a dead server every
time), except by a caller that asks for max_age 0 (the booking's re-check).

Bounding the wait: calendars are read one after the other, the stalest first, each
request limited to CALDAV_TIMEOUT seconds. When a server does not answer, the other
calendars of the same account are not asked (they get the same error), and once the
reads of one call have taken more than twice CALDAV_TIMEOUT, no further read starts:
the calendars left keep their copy and come first next time. So one call waits at
most about three CALDAV_TIMEOUTs (plus name lookups, which the system bounds).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, select

from interviews.db import db
from interviews.scheduling import busy_calendars, caldav, hours
from interviews.scheduling.busy import BusyFeedError, read_busy
from interviews.scheduling.models import BusyCalendar, BusyTime, CalDavAccount, CalendarKind
from interviews.scheduling.slots import Interval, merge_spans

log = logging.getLogger(__name__)

# Read a little either side of the span asked about: a slot's buffer and a day's cap
# look past its ends, and a neighbouring request then often finds its span covered.
MARGIN = timedelta(days=1)
# Busy time that ended this long ago is of no use to anyone: dropped when storing.
KEEP_BEHIND = timedelta(days=2)
# The reads of one call stop starting new requests after this many CALDAV_TIMEOUTs.
BUDGET_TIMEOUTS = 2


@dataclass(frozen=True)
class _Due:
    """A calendar to read, with what reading it needs (copied out of the session, which
    is rolled back before the network wait)."""

    calendar_id: int
    url: str
    account: CalDavAccount  # transient: its id, address, username, sealed password
    timezone: str


@dataclass(frozen=True)
class _Outcome:
    calendar_id: int
    spans: list[Interval] | None  # None: the read failed
    events: int = 0
    error: caldav.CalDavError | None = None


def ensure_fresh(
    user_ids: Iterable[int],
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    max_age: timedelta | None = None,
) -> None:
    """Make the stored busy time of these people's blocking CalDAV calendars cover
    [start, end) and be no older than ``max_age`` (default CALDAV_FRESH_SECONDS).

    Ends the caller's transaction when anything must be read (the network wait happens
    outside any transaction) and commits its own: never call it while holding a lock.
    Never raises for a server's trouble: the calendar records it, its last copy stays.
    """
    people = sorted(set(user_ids))
    if not people or end <= start:
        return
    if max_age is None:
        max_age = timedelta(seconds=current_app.config["CALDAV_FRESH_SECONDS"])
    due = _due(people, start, end, now, max_age)
    if not due:
        return
    db.session.rollback()
    window = (start - MARGIN, end + MARGIN)
    outcomes = _read_all(due, window)
    _store(outcomes, window, now)


def _due(
    people: list[int], start: datetime, end: datetime, now: datetime, max_age: timedelta
) -> list[_Due]:
    rows = db.session.execute(
        select(BusyCalendar, CalDavAccount)
        .join(CalDavAccount, BusyCalendar.account_id == CalDavAccount.id)
        .where(
            BusyCalendar.user_id.in_(people),
            BusyCalendar.kind == CalendarKind.CALDAV,
            BusyCalendar.blocks.is_(True),
        )
    ).all()
    due: list[tuple[datetime | None, _Due]] = []
    zones: dict[int, str] = {}
    for calendar, account in rows:
        fresh = (
            calendar.fetched_at is not None
            and calendar.fetched_at >= now - max_age
            and calendar.covered_from is not None
            and calendar.covered_until is not None
            and calendar.covered_from <= start
            and calendar.covered_until >= end
        )
        # A server that just failed is left alone for the freshness window: its last
        # copy blocks meanwhile. max_age 0 (a booking's re-check) tries it again.
        failed_lately = (
            calendar.error is not None
            and calendar.checked_at is not None
            and calendar.checked_at > now - max_age
        )
        if fresh or failed_lately:
            continue
        if calendar.user_id not in zones:
            zones[calendar.user_id] = hours.timezone_of(calendar.user_id)
        copy = CalDavAccount(
            id=account.id,
            user_id=account.user_id,
            server_url=account.server_url,
            username=account.username,
            password_encrypted=account.password_encrypted,
        )
        due.append(
            (
                calendar.fetched_at,
                _Due(calendar.id, calendar.url, copy, zones[calendar.user_id]),
            )
        )
    # The stalest first (never read: first of all), so a cut-off budget starves no one.
    due.sort(key=lambda pair: (pair[0] is not None, pair[0] or now))
    return [item for _, item in due]


def _read_all(due: list[_Due], window: tuple[datetime, datetime]) -> list[_Outcome]:
    timeout = float(current_app.config["CALDAV_TIMEOUT"])
    allow_private = bool(current_app.config["BUSY_FEED_ALLOW_PRIVATE"])
    deadline = time.monotonic() + BUDGET_TIMEOUTS * timeout
    clients: dict[int, object] = {}
    down: dict[int, caldav.CalDavError] = {}
    outcomes: list[_Outcome] = []
    try:
        for item in due:
            account_id = item.account.id
            if account_id in down:
                outcomes.append(_Outcome(item.calendar_id, None, error=down[account_id]))
                continue
            if time.monotonic() > deadline:
                log.info("CalDAV reads out of time; calendar %s left for later", item.calendar_id)
                continue
            try:
                problem = caldav.address_problem(item.url, allow_private=allow_private)
                if problem:
                    raise caldav.CalDavError(problem, field="url")
                if account_id not in clients:
                    clients[account_id] = caldav.client_for(item.account, timeout=timeout)
                bodies = caldav.read_events(
                    clients[account_id],  # type: ignore[arg-type]
                    item.url,
                    *window,
                    timeout=timeout,
                )
            except caldav.CalDavError as failure:
                log.warning(
                    "CalDAV calendar %s not read (%s): %s",
                    item.calendar_id,
                    failure.field,
                    failure.message,
                )
                outcomes.append(_Outcome(item.calendar_id, None, error=failure))
                # The server itself failed (or the login): its other calendars would too.
                if failure.status is None or failure.field != "url":
                    down[account_id] = failure
                continue
            outcomes.append(_spans_of(item, bodies, window))
    finally:
        for client in clients.values():
            client.close()  # type: ignore[attr-defined]
    return outcomes


def _spans_of(item: _Due, bodies: list[bytes], window: tuple[datetime, datetime]) -> _Outcome:
    spans: list[tuple[datetime, datetime]] = []
    events = 0
    ours = busy_calendars.our_interview_uids(bodies)
    for body in bodies:
        try:
            read = read_busy(body, *window, item.timezone, skip_uids=ours)
        except BusyFeedError:
            # One unreadable event must not hide the others: it is skipped.
            log.warning("CalDAV calendar %s: an event could not be read", item.calendar_id)
            continue
        events += read.events
        spans.extend((span.start, span.end) for span in read.intervals)
    merged = [Interval(s, e) for s, e in merge_spans(sorted(spans))]
    return _Outcome(item.calendar_id, merged, events=events)


def _store(outcomes: list[_Outcome], window: tuple[datetime, datetime], now: datetime) -> None:
    """What the reads gave, in one short transaction."""
    if not outcomes:
        return
    first, last = window
    for outcome in outcomes:
        calendar = db.session.get(BusyCalendar, outcome.calendar_id)
        if calendar is None:  # removed while it was being read
            continue
        calendar.checked_at = now
        if outcome.spans is None:
            error = outcome.error
            calendar.error = error.message if error else "The calendar could not be read."
            calendar.failures = (calendar.failures or 0) + 1
            if error is not None and error.field == "password" and calendar.account is not None:
                calendar.account.error = error.message
            continue
        _replace_window(calendar, outcome.spans, first, last, now)
        calendar.covered_from, calendar.covered_until = first, last
        calendar.fetched_at = now
        calendar.error, calendar.failures = None, 0
        calendar.events = outcome.events
        if calendar.account is not None:
            calendar.account.error = None
    db.session.commit()


def _replace_window(
    calendar: BusyCalendar, spans: list[Interval], first: datetime, last: datetime, now: datetime
) -> None:
    """The calendar's busy time inside [first, last) becomes ``spans``; outside it, the
    older copy stays (it goes on blocking until read again), trimmed at the window."""
    overlapping = db.session.execute(
        select(BusyTime.start_at, BusyTime.end_at).where(
            BusyTime.calendar_id == calendar.id,
            BusyTime.start_at < last,
            BusyTime.end_at > first,
        )
    ).all()
    kept_outside = [
        Interval(begin, finish)
        for row in overlapping
        for begin, finish in ((row.start_at, first), (last, row.end_at))
        if finish > begin
    ]
    db.session.execute(
        delete(BusyTime).where(
            BusyTime.calendar_id == calendar.id,
            (BusyTime.start_at < last) & (BusyTime.end_at > first)
            | (BusyTime.end_at < now - KEEP_BEHIND),
        )
    )
    rows = [
        {
            "calendar_id": calendar.id,
            "user_id": calendar.user_id,
            "start_at": span.start,
            "end_at": span.end,
        }
        for span in [*kept_outside, *spans]
        if span.end >= now - KEEP_BEHIND
    ]
    if rows:
        db.session.execute(insert(BusyTime), rows)
