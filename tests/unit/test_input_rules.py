"""The rules every request's days, times, zones and text go through (dates.py,
storable_text.py): refused with InvalidInput, never another exception."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews import dates
from interviews.errors import InvalidInput
from interviews.storable_text import UnstorableText, holds_unstorable, unstorable_json

BAD = ["\x00", "\ud800", "\udbff", "\udc00", "\udfff"]


@given(st.dates())
def test_a_day_is_read_exactly_when_it_is_in_the_window(day):
    if 2000 <= day.year <= 2100:
        assert dates.parse_day(day.isoformat(), "`from`", "from") == day
    else:
        with pytest.raises(InvalidInput) as refused:
            dates.parse_day(day.isoformat(), "`from`", "from")
        assert refused.value.message == (
            "`from` is a day between 2000 and 2100, written YYYY-MM-DD, like 2026-11-24."
        )
        assert refused.value.field == "from"


@given(st.dates())
def test_the_openapi_pattern_of_the_window_says_what_parse_day_does(day):
    in_window = dates.EARLIEST_DAY <= day <= dates.LATEST_DAY
    assert (re.match(dates.YEAR_PATTERN, day.isoformat()) is not None) == in_window


@given(st.text(max_size=40))
def test_any_text_is_a_day_or_a_refusal(text):
    try:
        day = dates.parse_day(text, "The deadline", "deadline")
    except InvalidInput as refused:
        assert refused.message.startswith("The deadline is a day between 2000 and 2100")
    else:
        assert dates.EARLIEST_DAY <= day <= dates.LATEST_DAY


@given(st.datetimes(), st.integers(-24 * 60 + 1, 24 * 60 - 1))
def test_a_time_with_any_offset_in_any_year_is_read_or_refused_never_overflowing(when, minutes):
    written = when.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    if 2000 <= when.year <= 2100:
        read = dates.parse_instant(written.isoformat(), "`start`", "start")
        assert read == written and read.tzinfo is UTC
    else:
        with pytest.raises(InvalidInput, match="between 2000 and 2100"):
            dates.parse_instant(written.isoformat(), "`start`", "start")


def test_a_time_without_an_offset_is_refused_or_read_as_utc_as_the_caller_says():
    with pytest.raises(InvalidInput, match="needs an offset"):
        dates.parse_instant("2026-11-24T09:00:00", "`start`", "start")

    assert dates.parse_instant("2026-11-24", "`from`", "from", naive_is_utc=True) == datetime(
        2026, 11, 24, tzinfo=UTC
    )
    for text in ("2026-11-24T09:00:00+24:00", "9999-12-31T23:59:59-23:59", "x" * 10_000):
        with pytest.raises(InvalidInput):
            dates.parse_instant(text, "`to`", "to", naive_is_utc=True)


@given(st.one_of(st.text(max_size=80), st.sampled_from(["Europe", "../etc", "x" * 10_000])))
def test_any_text_is_a_time_zone_or_a_refusal(name):
    try:
        zone = dates.zone_of(name)
    except InvalidInput as refused:
        assert refused.message.endswith("is not a time zone; use a name like Europe/Berlin.")
        assert len(refused.message) < 120
    else:
        assert isinstance(zone, ZoneInfo)


def test_every_zone_a_person_can_pick_is_a_zone_and_paths_are_not():
    for name in available_timezones():
        assert dates.zone_of(name) == ZoneInfo(name)
    for name in ("Europe", "/etc/passwd", "../../etc/passwd", "zone.tab", "Europe/", "x" * 65):
        with pytest.raises(InvalidInput):
            dates.zone_of(name)
    with pytest.raises(InvalidInput, match="The time zone is a name like Europe/Berlin."):
        dates.zone_of(None)  # type: ignore[arg-type]


def _nested(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner)


json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8), _nested, max_leaves=12
)


def _texts_in(document) -> list[str]:
    if isinstance(document, str):
        return [document]
    if isinstance(document, list):
        return [t for item in document for t in _texts_in(item)]
    if isinstance(document, dict):
        return [*document, *(t for item in document.values() for t in _texts_in(item))]
    return []


@given(json_documents)
def test_a_json_document_is_flagged_exactly_when_a_string_or_key_cannot_be_stored(document):
    flagged = unstorable_json(document) is not None
    assert flagged == any(holds_unstorable(t) for t in _texts_in(document))


@pytest.mark.parametrize("bad", BAD)
def test_the_path_names_where_the_character_is(bad):
    assert unstorable_json({"sections": [{"heading": "Hi", "body": f"a{bad}"}]}) == (
        "sections[0].body"
    )
    assert unstorable_json({"answers": ["fine", {f"k{bad}": 1}]}) == f"answers[1].k{bad}"
    assert unstorable_json(bad) == "the body"
    assert unstorable_json({"name": "Pat", "ok": [1, 2.5, None, True]}) is None


def test_a_document_nested_as_deep_as_a_decoder_allows_is_walked_without_recursion():
    document: object = "\x00"
    for _ in range(50_000):
        document = [document]
    assert unstorable_json(document) == "[0]" * 50_000


def test_a_refused_text_is_an_invalid_input_with_its_own_code():
    assert issubclass(UnstorableText, InvalidInput)
    assert UnstorableText("x").code == "invalid_text" and UnstorableText("x").status_code == 422
    assert not holds_unstorable("Zoë 👋 \ufffd") and all(holds_unstorable(f"a{b}") for b in BAD)
    assert dates.parse_day(" 2026-11-24 ", "`from`", "from") == date(2026, 11, 24)
