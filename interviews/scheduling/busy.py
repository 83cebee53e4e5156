"""Busy time read from a host's own calendar (.ics): pure functions, no Flask, no database.

A host pastes the secret iCal address of their Google, Outlook or Apple calendar; we
read its events and keep interviews clear of them. Recurring events are expanded by
``recurring-ical-events`` (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides, and Google's
X-WR-TIMEZONE), never by hand.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from interviews.addresses import feed_fetch_address
from interviews.scheduling.slots import Interval, merge_spans

# A calendar bigger than this is not a person's calendar; refuse rather than hold it.
MAX_FEED_BYTES = 5 * 1024 * 1024
# What makes an event occur more than once, or changes one occurrence of a series.
_REPEATS = ("RRULE", "RDATE", "RECURRENCE-ID")


class BusyFeedError(ValueError):
    """The feed cannot be used; the message says why, in words the host understands."""


@dataclass(frozen=True)
class BusyRead:
    """What one read of a feed gave: the merged busy spans and how many events made them."""

    intervals: list[Interval]
    events: int
    name: str | None = None


def feed_address(url: str) -> str:
    """The http(s) address to fetch for what a host pasted (webcal:// is https underneath).

    Raises BusyFeedError for anything that is not an http(s) or webcal address, with the
    reason from the one set of address rules (interviews.addresses).
    """
    try:
        return feed_fetch_address(url)
    except ValueError as error:
        raise BusyFeedError(str(error)) from None


def display_address(url: str) -> str:
    """The address with its secret part hidden: private iCal links carry a key in the path."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an older row the address rules would refuse now
        return url[:8] + "…"
    path = parts.path
    if len(path) > 16:
        path = path[:8] + "…" + path[-6:]
    return f"{parts.hostname}{path}"


def read_busy(
    body: bytes,
    start: datetime,
    end: datetime,
    host_timezone: str,
    skip_uids: Collection[str] = (),
) -> BusyRead:
    """The busy spans a calendar holds between ``start`` and ``end`` (aware), merged.

    Events marked free (TRANSP:TRANSPARENT) or cancelled do not block, nor do events
    whose UID is in ``skip_uids`` (our own interviews, written into the host's calendar:
    the interview itself blocks, and its copy must not block the interview's own move).
    All-day events block the host's whole local days, and times without a zone are read
    on the calendar's X-WR-TIMEZONE, else on the host's clock.

    Raises BusyFeedError when the body is not an iCalendar file.
    """
    if len(body) > MAX_FEED_BYTES:
        raise BusyFeedError(
            f"The calendar is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB; "
            "share a calendar with fewer events."
        )
    try:
        calendar = Calendar.from_ical(body)
    except (ValueError, IndexError, KeyError) as error:
        raise BusyFeedError(f"That address did not return a calendar (.ics): {error}") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise BusyFeedError("That address did not return a calendar (.ics).")
    zone = ZoneInfo(host_timezone)
    events = calendar.walk("VEVENT")
    try:
        if calendar.get("X-WR-TIMEZONE") is None and not any(
            name in event for event in events for name in _REPEATS
        ):
            # Nothing repeats and no calendar-wide zone to apply (most CalDAV resources
            # hold one plain event): the events are their own occurrences, and this skips
            # the expander's cost, most of a live read's time after parsing.
            occurrences = [event for event in events if event.get("DTSTART") is not None]
        else:
            occurrences = list(
                recurring_ical_events.of(calendar, skip_bad_series=True).between(start, end)
            )
    except (
        ValueError,
        TypeError,
        AttributeError,
        recurring_ical_events.InvalidCalendar,
        recurring_ical_events.BadRuleStringFormat,
    ) as error:
        raise BusyFeedError(f"The calendar could not be read: {error}") from None

    spans: list[tuple[datetime, datetime]] = []
    for event in occurrences:
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if skip_uids and str(event.get("UID", "")) in skip_uids:
            continue
        begin, finish = _instant(event["DTSTART"].dt, zone), _instant(_end_of(event), zone)
        begin, finish = max(begin, start), min(finish, end)
        if finish > begin:
            spans.append((begin, finish))
    name = calendar.get("X-WR-CALNAME")
    return BusyRead(
        intervals=[Interval(s, e) for s, e in merge_spans(sorted(spans))],
        events=len(spans),
        name=str(name)[:120] if name else None,
    )


def _end_of(event) -> date | datetime:
    if event.get("DTEND") is not None:
        return event["DTEND"].dt
    start = event["DTSTART"].dt
    if event.get("DURATION") is not None:
        return start + event["DURATION"].dt
    # RFC 5545: a day event without an end lasts the day; a timed one, no time at all.
    return start + timedelta(days=1) if not isinstance(start, datetime) else start


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)
