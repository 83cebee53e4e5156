"""Session rules: when a signed-in session stops working and why, how often its activity
is recorded, and how a browser is named on the profile."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.accounts.rules import (
    SessionState,
    describe_device,
    describe_hours,
    session_end_message,
    session_needs_touch,
    session_state,
)

SIGNED_IN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
IDLE = timedelta(hours=168)
LIFETIME = timedelta(days=30)


def state(last_seen_at: datetime, now: datetime) -> SessionState:
    return session_state(
        created_at=SIGNED_IN, last_seen_at=last_seen_at, now=now, idle=IDLE, lifetime=LIFETIME
    )


def test_a_session_used_within_the_idle_timeout_is_live():
    last = SIGNED_IN + timedelta(days=3)
    assert state(last, last + IDLE - timedelta(seconds=1)) is SessionState.LIVE


def test_a_session_ends_the_moment_the_idle_timeout_is_reached():
    last = SIGNED_IN + timedelta(days=3)
    assert state(last, last + IDLE) is SessionState.IDLE


def test_a_session_in_daily_use_still_ends_at_its_lifetime():
    end = SIGNED_IN + LIFETIME
    assert state(end - timedelta(minutes=5), end - timedelta(seconds=1)) is SessionState.LIVE
    assert state(end - timedelta(minutes=5), end) is SessionState.EXPIRED


def test_when_both_limits_passed_the_one_reached_first_is_the_reason():
    # Last used on day 10: idle from day 17, long before its lifetime ran out on day 30.
    assert state(SIGNED_IN + timedelta(days=10), SIGNED_IN + timedelta(days=60)) is (
        SessionState.IDLE
    )
    # Used on day 29: the lifetime (day 30) came before the idle timeout (day 36).
    assert state(SIGNED_IN + timedelta(days=29), SIGNED_IN + timedelta(days=60)) is (
        SessionState.EXPIRED
    )


@given(
    seen_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
    now_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=80)),
    idle_hours=st.integers(min_value=1, max_value=24 * 60),
    lifetime_days=st.integers(min_value=1, max_value=365),
)
def test_a_session_is_live_exactly_while_neither_limit_has_passed(
    seen_after, now_after, idle_hours, lifetime_days
):
    last_seen, now = SIGNED_IN + seen_after, SIGNED_IN + seen_after + now_after
    idle, lifetime = timedelta(hours=idle_hours), timedelta(days=lifetime_days)
    result = session_state(
        created_at=SIGNED_IN, last_seen_at=last_seen, now=now, idle=idle, lifetime=lifetime
    )
    live = now < last_seen + idle and now < SIGNED_IN + lifetime
    assert (result is SessionState.LIVE) is live


def test_activity_is_recorded_at_most_once_a_minute():
    assert not session_needs_touch(SIGNED_IN, SIGNED_IN)
    assert not session_needs_touch(SIGNED_IN, SIGNED_IN + timedelta(seconds=59))
    assert session_needs_touch(SIGNED_IN, SIGNED_IN + timedelta(seconds=60))


@pytest.mark.parametrize(
    ("state_", "expected"),
    [
        (SessionState.IDLE, "You were signed out after 7 days without activity. Log in again."),
        (
            SessionState.EXPIRED,
            "Your session expired: a sign-in lasts at most 30 days. Log in again.",
        ),
        (None, "You were signed out. Log in again."),
    ],
)
def test_the_log_in_page_says_why_a_session_ended(state_, expected):
    assert session_end_message(state_, idle_hours=168, lifetime_days=30) == expected


@pytest.mark.parametrize(
    ("hours", "said"), [(1, "1 hour"), (12, "12 hours"), (24, "1 day"), (36, "36 hours")]
)
def test_spans_are_said_in_days_when_they_are_whole_days(hours, said):
    assert describe_hours(hours) == said


@pytest.mark.parametrize(
    ("agent", "named"),
    [
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "Chrome on iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Headless Chrome on Linux",
        ),
        ("curl/8.11.0", "curl"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
        ("<script>/1.0", "script"),
        ("\x00\ud800/1", "Unknown browser"),
    ],
)
def test_a_browser_is_named_by_what_it_is_and_runs_on(agent, named):
    assert describe_device(agent) == named


@given(st.text(max_size=2000))
def test_any_user_agent_gives_a_short_name(agent):
    named = describe_device(agent)
    assert 0 < len(named) <= 120
