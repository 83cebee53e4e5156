"""Hypothesis strategies for calendars, shared by the one-host and team slot properties."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import strategies as st

from interviews.scheduling.slots import Interval, WeeklyWindow

ZONES = st.sampled_from(
    ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata"]
)
NOW = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds plus timezones=)
    max_value=datetime(2027, 12, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def quarter_hour(quarter: int) -> time:
    return time(quarter // 4, (quarter % 4) * 15) if quarter < 96 else time(23, 59)


@st.composite
def windows(draw):
    start = draw(st.integers(min_value=0, max_value=22 * 4))
    length = draw(st.integers(min_value=1, max_value=(24 * 4) - start))
    return WeeklyWindow(draw(st.integers(0, 6)), quarter_hour(start), quarter_hour(start + length))


@st.composite
def intervals(draw, around: datetime, days: int = 20):
    """A busy span or interview from 10 hours before ``around`` to ``days`` after."""
    start = around + timedelta(minutes=draw(st.integers(min_value=-600, max_value=60 * 24 * days)))
    return Interval(start, start + timedelta(minutes=draw(st.integers(min_value=5, max_value=600))))
