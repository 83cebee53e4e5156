"""Reward rules: the states a reward moves through, masking, budgets and report figures."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.compensation.rules import (
    MOVES,
    BudgetLine,
    IllegalMove,
    RewardStatus,
    ShowRate,
    budget_lines,
    check_move,
    cost_per_completed,
    how_it_arrives,
    is_overdue,
    mask,
    paid_per_month,
    shortfall,
    show_rate_by_offer,
)
from interviews.money import Money, Totals

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def usd(text: str) -> Money:
    return Money.parse(text, "USD")


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


# --- the states of a reward --------------------------------------------------------------

ENDS = {RewardStatus.SENT, RewardStatus.DECLINED, RewardStatus.DONATED, RewardStatus.WITHDRAWN}
ALLOWED = {(RewardStatus.OWED, end) for end in ENDS}


@pytest.mark.parametrize(
    ("current", "target"),
    list(itertools.product(RewardStatus, RewardStatus)),
    ids=lambda status: status.value,
)
def test_only_an_owed_reward_can_be_settled_and_only_once(current, target):
    if (current, target) in ALLOWED:
        check_move(current, target)  # no error
        assert target in MOVES[current]
    else:
        with pytest.raises(IllegalMove) as refused:
            check_move(current, target)
        assert f"is {current.value} cannot be marked {target.value}" in str(refused.value)


# --- masking a delivery method -----------------------------------------------------------


def test_a_long_code_shows_only_its_last_four_characters():
    assert mask("ABCD-1234-WXYZ") == "••••••••••WXYZ"
    assert mask("  0123456789  ") == "••••••6789"  # exactly ten: long enough to hint at
    assert mask("X" * 100 + "LAST") == "•" * 12 + "LAST"  # the length is not given away


def test_a_short_code_shows_nothing_of_itself():
    assert mask("123456789") == "•••••••••"
    assert mask("PIN1") == "••••"
    assert mask("") == mask("   ") == mask(None) == ""


# Codes as people paste them, stripped; without the mask's own dot, which would make
# "hiding" a code of dots indistinguishable from showing it.
_CODE_CHARS = st.characters(exclude_categories=("Z", "C"), exclude_characters="•")


@given(st.text(_CODE_CHARS, min_size=10, max_size=80))
def test_a_masked_long_code_never_shows_more_than_its_last_four(code):
    masked = mask(code)
    assert masked.endswith(code[-4:])
    assert set(masked[:-4]) == {"•"}
    assert code not in masked
    assert code[:-4] not in masked


@given(st.text(_CODE_CHARS, min_size=1, max_size=9))
def test_a_masked_short_code_shows_none_of_it(code):
    assert set(mask(code)) == {"•"}


# --- overdue -----------------------------------------------------------------------------


def test_a_reward_is_overdue_only_after_the_promised_days():
    owed = NOW - timedelta(days=3)
    assert not is_overdue(owed, NOW, 3)  # exactly three days: still on time
    assert is_overdue(owed - timedelta(microseconds=1), NOW, 3)
    assert not is_overdue(owed + timedelta(hours=1), NOW, 3)
    assert is_overdue(NOW - timedelta(seconds=1), NOW, 0)


# --- budgets -----------------------------------------------------------------------------


def lines(allocated=(), committed=(), owed=(), paid=()) -> list[BudgetLine]:
    return budget_lines(Totals(allocated), Totals(committed), Totals(owed), Totals(paid))


def test_a_line_per_currency_with_an_allocation_or_money_in_it():
    found = lines(allocated=[usd("100")], owed=[eur("20")], paid=[usd("5")])
    assert [line.currency for line in found] == ["EUR", "USD"]
    euros, dollars = found
    assert euros.allocated is None and euros.remaining is None
    assert euros.owed == eur("20") and euros.paid == Money.zero("EUR")
    assert dollars.allocated == usd("100") and dollars.committed == Money.zero("USD")


def test_remaining_is_allocated_less_committed_owed_and_paid_exactly():
    (line,) = lines(
        allocated=[usd("100.00")],
        committed=[usd("20.10"), usd("0.10")],
        owed=[usd("30.30")],
        paid=[usd("19.40")],
    )
    assert line.spent == usd("69.90")
    assert line.remaining == usd("30.10")
    (over,) = lines(allocated=[usd("10")], paid=[usd("25")])
    assert over.remaining == Money.from_minor(-1500, "USD")


def test_without_any_allocation_there_is_no_limit():
    assert shortfall(lines(committed=[usd("1000000")]), usd("20")) is None
    assert shortfall([], usd("20")) is None


def test_an_allocation_only_in_another_currency_covers_nothing_in_this_one():
    budget = lines(allocated=[eur("5000")], committed=[usd("40")])
    assert shortfall(budget, usd("20")) == "budget has no USD for a $20.00 reward"
    assert shortfall(lines(allocated=[eur("5000")]), Money.parse("3000", "JPY")) == (
        "budget has no JPY for a ¥3,000 reward"
    )


def test_a_reward_that_exactly_uses_up_the_budget_still_fits():
    budget = lines(
        allocated=[usd("100")], committed=[usd("40")], owed=[usd("20")], paid=[usd("20")]
    )
    assert shortfall(budget, usd("20")) is None
    assert shortfall(budget, usd("20.01")) is not None


def test_a_shortfall_says_what_is_left_and_where_the_money_went():
    budget = lines(
        allocated=[usd("100"), eur("10")],
        committed=[usd("40")],
        owed=[usd("30")],
        paid=[usd("20")],
    )
    assert shortfall(budget, usd("20")) == (
        "budget of $100.00 has $10.00 left after $40.00 committed, $30.00 owed and "
        "$20.00 paid, not enough for another $20.00 reward"
    )
    assert shortfall(budget, eur("10")) is None  # the euros are untouched


@given(
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=10**7), min_size=3, max_size=3),
    st.integers(min_value=1, max_value=10**7),
)
def test_a_reward_fits_exactly_when_the_minor_units_left_cover_it(allocated, spent, reward):
    committed, owed, paid = (Money.from_minor(m, "USD") for m in spent)
    budget = lines([Money.from_minor(allocated, "USD")], [committed], [owed], [paid])
    fits = allocated - sum(spent) >= reward
    assert (shortfall(budget, Money.from_minor(reward, "USD")) is None) is fits


# --- figures for reports -----------------------------------------------------------------


def test_cost_per_completed_is_nothing_when_nothing_was_completed():
    assert cost_per_completed(Totals([usd("100")]), 0) == {}
    assert cost_per_completed(Totals([usd("100")]), -1) == {}


@pytest.mark.parametrize(
    ("spent", "completed", "each"),
    [
        ("10.00", 3, "3.33"),
        ("0.05", 2, "0.03"),  # exactly half a cent rounds up
        ("0.15", 2, "0.08"),
        ("20.00", 3, "6.67"),
        ("0.01", 3, "0.00"),
        ("100", 4, "25.00"),
    ],
)
def test_cost_per_completed_rounds_half_up_to_the_cent(spent, completed, each):
    assert cost_per_completed(Totals([usd(spent)]), completed) == {"USD": usd(each)}


def test_cost_per_completed_gives_one_figure_per_currency():
    spent = Totals([usd("10"), eur("7"), Money.parse("1000", "JPY"), Money.parse("1", "KWD")])
    assert cost_per_completed(spent, 3) == {
        "EUR": eur("2.33"),
        "JPY": Money.parse("333", "JPY"),
        "KWD": Money.parse("0.333", "KWD"),
        "USD": usd("3.33"),
    }
    # ¥500 over 3 is 166.67: yen have no decimals, so it rounds to 167.
    assert cost_per_completed(Totals([Money.parse("500", "JPY")]), 3)["JPY"].amount == 167


@given(
    st.sampled_from(["USD", "JPY", "KWD"]),
    st.integers(min_value=0, max_value=10**15),
    st.integers(min_value=1, max_value=10**6),
)
def test_cost_per_completed_is_the_exact_quotient_rounded_half_up(currency, minor, completed):
    exact = Fraction(minor, completed)
    expected = int(exact + Fraction(1, 2))  # floor(x + 1/2): half up, for x >= 0
    figure = cost_per_completed(Totals([Money.from_minor(minor, currency)]), completed)
    assert figure[currency].minor == expected


def test_paid_per_month_groups_by_utc_month_oldest_first():
    payments = [
        (datetime(2026, 12, 3, tzinfo=UTC), usd("20")),
        (datetime(2026, 11, 30, 23, 59, tzinfo=UTC), usd("20")),
        (datetime(2026, 11, 1, tzinfo=UTC), eur("15")),
        (datetime(2025, 12, 31, tzinfo=UTC), usd("1")),
        (datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), usd("0.50")),
    ]
    assert paid_per_month(payments) == [
        ("2025-12", Totals([usd("1")])),
        ("2026-11", Totals([usd("20"), eur("15")])),
        ("2026-12", Totals([usd("20.50")])),
    ]
    assert paid_per_month([]) == []


def test_a_payment_counts_in_its_utc_month_whatever_zone_it_is_given_in():
    berlin_new_year = datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    new_york_evening = datetime(2026, 11, 30, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert paid_per_month([(berlin_new_year, usd("20")), (new_york_evening, usd("5"))]) == [
        ("2026-12", Totals([usd("25")])),  # 23:30 on Dec 31 and 01:00 on Dec 1, UTC
    ]


def test_show_rates_are_grouped_by_amount_with_no_reward_first():
    outcomes = [
        (usd("50"), True),
        (None, False),
        (usd("20"), True),
        (eur("20"), False),
        (usd("20"), False),
        (None, True),
        (usd("20.00"), True),
        (None, False),
    ]
    rates = show_rate_by_offer(outcomes)
    assert [(r.label, r.completed, r.no_show) for r in rates] == [
        ("No reward", 1, 2),
        ("€20.00", 0, 1),
        ("$20.00", 2, 1),
        ("$50.00", 1, 0),
    ]
    assert [r.rate for r in rates] == [pytest.approx(1 / 3), 0.0, pytest.approx(2 / 3), 1.0]


def test_a_show_rate_is_unknown_when_nothing_happened():
    assert ShowRate(usd("20"), 0, 0).rate is None
    assert show_rate_by_offer([]) == []


def test_how_a_reward_arrives_prefers_the_pms_note_then_the_kind():
    assert how_it_arrives("gift_card", RewardStatus.SENT, "  From Amazon,\n soon. ") == (
        "From Amazon, soon."
    )
    assert "separate email from the card's provider" in how_it_arrives(
        "gift_card", RewardStatus.SENT, ""
    )
    assert "nothing you need to do" in how_it_arrives("product_credit", RewardStatus.SENT, "")
    assert how_it_arrives("gift_card", RewardStatus.DONATED, "") == ""
    assert how_it_arrives("none", RewardStatus.SENT, "") == ""
