"""Days, instants and time zones as people send them: read, bounded, or refused. Pure.

Every day, time and zone that arrives in a request goes through here, so the whole
app agrees on what it accepts. Years are held to a window: a slot, a report or a
deadline outside it means nothing here, and years 1 and 9999 sit one step from
``OverflowError`` in ``datetime`` arithmetic (a day's margin, an hour's offset), which
would otherwise surface as a 500 wherever the value travels next.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from interviews.errors import InvalidInput

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
EARLIEST_DAY, LATEST_DAY = date(EARLIEST_YEAR, 1, 1), date(LATEST_YEAR, 12, 31)
WINDOW = f"between {EARLIEST_YEAR} and {LATEST_YEAR}"
# The window as a pattern a written day or time starts with (for the OpenAPI document).
YEAR_PATTERN = "^(20[0-9]{2}|2100)-"

# IANA names are short ("America/Argentina/ComodRivadavia" is 32); past this a name is
# a probe, and ZoneInfo would hand it to the file system (ENAMETOOLONG, an OSError).
MAX_ZONE_NAME = 64
# Area/City segments of letters, digits, _ + -: no dots, so no "..", no "zone.tab", and
# no leading or doubled slash, so no absolute or odd paths reach the file system.
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")


def _shown(text: str, longest: int = 40) -> str:
    """``text`` quoted with its odd characters escaped, cut to fit in a message."""
    quoted = repr(text)
    return quoted if len(quoted) <= longest else quoted[: longest - 1] + "…"


def parse_day(text: str, label: str, field: str) -> date:
    """A day written YYYY-MM-DD within the window. ``label`` starts the message ("`from`",
    "The deadline"); ``field`` names the input. Raises InvalidInput."""
    try:
        day = date.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        day = None
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(
            f"{label} is a day {WINDOW}, written YYYY-MM-DD, like 2026-11-24.", field=field
        )
    return day


def parse_instant(text: str, label: str, field: str, *, naive_is_utc: bool = False) -> datetime:
    """An ISO 8601 time within the window, as an aware UTC datetime. Without an offset it
    is refused, or read as UTC when ``naive_is_utc`` (a bare date is then UTC midnight).
    Raises InvalidInput."""
    try:
        value = datetime.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        value = None
    # The local year first: converting year 1 or 9999 to UTC can itself overflow.
    if value is None or not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise InvalidInput(
            f"{label} is an ISO 8601 time {WINDOW}, like 2026-11-24T09:00:00+00:00.",
            field=field,
        )
    if value.tzinfo is None:
        if not naive_is_utc:
            raise InvalidInput(
                f"{label} needs an offset (e.g. +00:00), like 2026-11-24T09:00:00+00:00.",
                field=field,
            )
        value = value.replace(tzinfo=UTC)
    # As written, not in UTC: the window is far from datetime's limits, and a client
    # (or a schema) can check a written year but not an offset's arithmetic.
    return value.astimezone(UTC)


def zone_of(name: str, field: str = "timezone") -> ZoneInfo:
    """The time zone a person named (an IANA name like Europe/Berlin). Raises InvalidInput
    for anything else: a long or path-like name is refused before the file system sees it."""
    refusal = InvalidInput(
        f"{_shown(name)} is not a time zone; use a name like Europe/Berlin."
        if isinstance(name, str)
        else "The time zone is a name like Europe/Berlin.",
        field=field,
    )
    if not isinstance(name, str) or len(name) > MAX_ZONE_NAME or not _ZONE_NAME.fullmatch(name):
        raise refusal
    try:
        return ZoneInfo(name)
    # Not found, not a TZif file, a directory ("Europe"): all just "not a zone".
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise refusal from None


def parse_timezone(name: str, field: str = "timezone") -> str:
    """The IANA zone name, checked (zone_of). Raises InvalidInput for anything else."""
    zone_of(name, field)
    return name
