"""Money: exact amounts in one currency, per-currency totals, and what an offer says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.money import (
    MAX_OFFER_TEXT,
    Money,
    MoneyError,
    Offer,
    RewardKind,
    Totals,
    check_currency,
    minor_digits,
)

# The stored column is a BigInteger: every amount a database can hold.
BIG = 2**63 - 1
CURRENCIES = st.sampled_from(["USD", "EUR", "GBP", "JPY", "KWD"])


def usd(text: str) -> Money:
    return Money.parse(text, "USD")


# --- currencies and minor digits ---------------------------------------------------------


@pytest.mark.parametrize(("currency", "digits"), [("USD", 2), ("JPY", 0), ("KWD", 3)])
def test_each_currency_has_its_iso_number_of_minor_digits(currency, digits):
    assert minor_digits(currency) == digits
    assert Money.from_minor(1, currency).amount == Decimal(1).scaleb(-digits)


def test_a_currency_code_is_upper_cased_and_unknown_codes_are_refused():
    assert check_currency(" usd ") == "USD"
    assert Money("eur", Decimal("1")).currency == "EUR"
    for code in ("", "US", "DOLLAR", "XYZ", "12A"):
        with pytest.raises(MoneyError, match="ISO 4217"):
            check_currency(code)


# --- parsing what people type ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "exact"),
    [
        ("20", "USD", "20.00"),
        ("20.5", "USD", "20.50"),
        (" 1250.00 ", "EUR", "1250.00"),
        ("3000", "JPY", "3000"),
        ("1.5", "KWD", "1.500"),
        ("0.125", "KWD", "0.125"),
    ],
)
def test_an_amount_is_read_with_exactly_the_currencys_decimals(text, currency, exact):
    money = Money.parse(text, currency)
    assert str(money) == exact
    assert money.amount == Decimal(exact)


@pytest.mark.parametrize(
    "text", ["20,00", "1,250.00", "1e3", "-5", "+5", "", "  ", ".5", "20.", "$20"]
)
def test_an_amount_that_is_not_a_plain_dotted_number_is_refused(text):
    with pytest.raises(MoneyError, match="dot for decimals"):
        Money.parse(text, "USD")


@pytest.mark.parametrize(
    ("text", "currency"), [("20.123", "USD"), ("20.5", "JPY"), ("1.2345", "KWD"), ("0.001", "EUR")]
)
def test_more_decimals_than_the_currency_has_are_refused(text, currency):
    with pytest.raises(MoneyError, match=f"{currency} amounts have at most"):
        Money.parse(text, currency)


def test_an_amount_is_an_exact_decimal_never_a_float_or_infinity():
    for amount in (20.0, 20, Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(MoneyError, match="exact decimal"):
            Money("USD", amount)


@given(st.integers(min_value=-BIG, max_value=BIG), CURRENCIES)
def test_any_stored_amount_round_trips_through_minor_units(minor, currency):
    money = Money.from_minor(minor, currency)
    assert money.minor == minor
    assert Money.from_minor(money.minor, currency) == money
    assert money.amount.as_tuple().exponent == -minor_digits(currency)


@given(st.data(), CURRENCIES)
def test_the_decimal_string_an_amount_is_written_as_parses_back_to_it(data, currency):
    # What the API and CSV carry must be what the budget form reads back.
    limit = 10 ** (12 + minor_digits(currency)) - 1  # the form takes up to 12 whole digits
    money = Money.from_minor(data.draw(st.integers(min_value=0, max_value=limit)), currency)
    assert Money.parse(str(money), currency) == money


# --- arithmetic --------------------------------------------------------------------------


def test_ten_dimes_make_exactly_one_dollar_unlike_floats():
    assert sum([0.10] * 10) != 1.0  # the reason amounts are never floats
    total = Money.zero("USD")
    for _ in range(10):
        total += usd("0.10")
    assert total == usd("1.00")
    assert Totals([usd("0.10")] * 10).of("USD") == usd("1")


def test_subtraction_and_multiples_stay_exact():
    assert usd("1.00") - usd("0.01") - usd("0.99") == Money.zero("USD")
    assert usd("19.99").times(3) == usd("59.97")
    assert (usd("5") - usd("7.50")).minor == -250


@given(st.lists(st.integers(min_value=-(10**15), max_value=10**15), max_size=30), CURRENCIES)
def test_any_sum_equals_the_sum_of_its_minor_units(minors, currency):
    total = Money.zero(currency)
    for minor in minors:
        total = total + Money.from_minor(minor, currency)
    assert total.minor == sum(minors)


def test_amounts_compare_within_one_currency():
    assert usd("19.99") < usd("20") <= usd("20.00") < usd("20.01")
    assert usd("20.01") > usd("20") >= usd("20")
    assert usd("20") == Money("USD", Decimal("20.000"))


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
    ids=["+", "-", "<", "<=", ">", ">="],
)
def test_dollars_and_euros_are_never_added_or_compared(operation):
    dollars, euros = usd("20"), Money.parse("20", "EUR")
    with pytest.raises(MoneyError, match="Cannot add or compare USD"):
        operation(dollars, euros)
    with pytest.raises(MoneyError):
        operation(dollars, 20)
    assert dollars != euros  # equal numbers in two currencies are not the same money


# --- labels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "label"),
    [
        ("20", "USD", "$20.00"),
        ("3000", "JPY", "¥3,000"),
        ("1250", "EUR", "€1,250.00"),
        ("15.5", "GBP", "£15.50"),
        ("1.5", "KWD", "KWD1.500"),
    ],
)
def test_a_label_is_the_amount_as_people_read_it(text, currency, label):
    assert Money.parse(text, currency).label() == label


# --- totals ------------------------------------------------------------------------------


def test_totals_keep_each_currency_apart_in_code_order():
    totals = Totals([usd("100"), Money.parse("40", "EUR"), usd("20")])
    assert list(totals) == ["EUR", "USD"]
    assert totals["USD"] == usd("120")
    assert totals["EUR"] == Money.parse("40", "EUR")
    assert totals.label() == "€40.00 + $120.00"


def test_a_currency_without_money_totals_zero():
    totals = Totals([usd("5")])
    assert totals.of("EUR") == Money.zero("EUR")
    assert "EUR" not in totals and len(totals) == 1
    assert Totals().of("JPY") == Money.zero("JPY")
    assert Totals().label() == "nothing"


def test_adding_totals_merges_them_currency_by_currency():
    left = Totals([usd("10"), Money.parse("3000", "JPY")])
    right = Totals([usd("2.50"), Money.parse("1", "GBP")])
    merged = left + right
    assert dict(merged) == {
        "GBP": Money.parse("1", "GBP"),
        "JPY": Money.parse("3000", "JPY"),
        "USD": usd("12.50"),
    }
    assert dict(left) == {"JPY": Money.parse("3000", "JPY"), "USD": usd("10")}  # unchanged


_AMOUNTS = st.lists(
    st.tuples(CURRENCIES, st.integers(min_value=0, max_value=10**12)), max_size=20
).map(lambda pairs: [Money.from_minor(minor, currency) for currency, minor in pairs])


@given(_AMOUNTS, _AMOUNTS)
def test_totals_of_two_lists_added_are_the_totals_of_both_together(first, second):
    together = Totals(first) + Totals(second)
    assert together == Totals(first + second)
    for currency in together:
        expected = sum(m.minor for m in first + second if m.currency == currency)
        assert together.of(currency).minor == expected


# --- offers ------------------------------------------------------------------------------


def test_an_offer_of_no_reward_has_no_amount():
    with pytest.raises(MoneyError, match="no reward has no amount"):
        Offer(RewardKind.NONE, usd("20"))
    assert not Offer(RewardKind.NONE, None, "Coffee on us").owes


@pytest.mark.parametrize(
    "kind", [RewardKind.GIFT_CARD, RewardKind.PRODUCT_CREDIT, RewardKind.DONATION]
)
@pytest.mark.parametrize(
    "money",
    [None, Money.zero("USD"), Money.from_minor(-500, "USD")],
    ids=["none", "zero", "negative"],
)
def test_a_reward_needs_an_amount_above_zero(kind, money):
    with pytest.raises(MoneyError, match="amount above zero"):
        Offer(kind, money)


def test_an_offer_text_is_short():
    Offer(RewardKind.GIFT_CARD, usd("20"), "x" * MAX_OFFER_TEXT)
    with pytest.raises(MoneyError, match="under 200 characters"):
        Offer(RewardKind.GIFT_CARD, usd("20"), "x" * (MAX_OFFER_TEXT + 1))


@pytest.mark.parametrize(
    ("offer", "phrase"),
    [
        (Offer(RewardKind.GIFT_CARD, usd("20")), "a $20.00 gift card"),
        (Offer(RewardKind.PRODUCT_CREDIT, Money.parse("50", "EUR")), "€50.00 of product credit"),
        (
            Offer(RewardKind.DONATION, Money.parse("3000", "JPY")),
            "a ¥3,000 donation to a charity of your choice",
        ),
        (
            Offer(RewardKind.GIFT_CARD, usd("20"), "Amazon or REI"),
            "a $20.00 gift card (Amazon or REI)",
        ),
        (
            Offer(RewardKind.DONATION, Money.parse("15", "GBP"), "Oxfam or MSF"),
            "a £15.00 donation to a charity of your choice (Oxfam or MSF)",
        ),
        (Offer(RewardKind.NONE, None, "Early access to the beta"), "Early access to the beta"),
        (Offer(), ""),
    ],
)
def test_an_offer_is_described_in_one_phrase(offer, phrase):
    assert offer.describe() == phrase
    assert offer.owes is (offer.money is not None)
