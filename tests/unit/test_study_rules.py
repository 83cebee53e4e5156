"""Study link names: made from any title, numbered when taken, typed ones checked."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.studies.rules import SLUG_PATTERN, free_slug, slug_from, slug_problem


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Month-End Clöse!", "month-end-close"),
        ("  Crème brûlée — café & naïve résumé ", "creme-brulee-cafe-and-naive-resume"),
        ("Straße, Smørrebrød, Łódź, Ærø", "strasse-smorrebrod-lodz-aero"),
        ("Q3: «Payroll» (EU)", "q3-payroll-eu"),
        ("顧客インタビュー", "study"),
        ("!!!", "study"),
    ],
)
def test_a_slug_is_made_from_any_title(title, slug):
    assert slug_from(title) == slug


def test_a_long_title_is_cut_at_a_word_with_room_for_a_number():
    slug = slug_from("Acme product interview about exporting every invoice to spreadsheets")
    assert slug == "acme-product-interview-about-exporting-every-invoice-to"
    assert len(slug) <= 56 and SLUG_PATTERN.match(slug)


@given(st.text(max_size=300))
def test_every_title_gives_a_valid_slug_even_when_numbered(title):
    slug = free_slug(slug_from(title), {slug_from(title), f"{slug_from(title)}-2"})
    assert SLUG_PATTERN.match(slug), slug


def test_a_taken_slug_gets_the_first_free_number():
    assert free_slug("close", set()) == "close"
    assert free_slug("close", {"close"}) == "close-2"
    assert free_slug("close", {"close", "close-2", "close-4"}) == "close-3"


def test_a_typed_slug_is_checked_and_the_message_says_what_is_allowed():
    assert slug_problem("month-end-close") is None
    assert slug_problem("Month End!") == (
        "“Month End!” cannot be a link: use up to 60 lowercase letters a-z, digits and "
        "dashes, starting and ending with a letter or digit, for example “month-end”."
    )
    assert slug_problem("-close") is not None and slug_problem("a" * 61) is not None
