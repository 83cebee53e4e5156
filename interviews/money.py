"""Money and reward offers: exact amounts in a currency. Pure: no Flask, no database.

An amount is a Decimal with exactly as many decimals as its currency has minor units
(ISO 4217: 2 for USD, 0 for JPY, 3 for KWD, from Babel's data). It is stored as a whole
number of minor units, so sums in SQL are exact on SQLite and PostgreSQL alike. Amounts
in different currencies are never added together: totals are kept per currency.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, is_currency

_AMOUNT = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,4})?$")  # ASCII digits only, not "٢٠"


class MoneyError(ValueError):
    """An amount or currency that cannot be money; the message says why, for people, and
    ``part`` which input is at fault: "currency" or "amount"."""

    def __init__(self, message: str, part: str = "amount") -> None:
        super().__init__(message)
        self.part = part


def check_currency(code: str) -> str:
    """The ISO 4217 code, upper-cased. Raises MoneyError for anything else."""
    return _known_currency((code or "").strip().upper())


# Babel rebuilds its currency list on each lookup: a CSV of thousands of rewards makes
# as many Money values, so the few codes a team uses are remembered.
@lru_cache(maxsize=512)
def _known_currency(code: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", code) or not is_currency(code):
        raise MoneyError(
            "Use a three-letter ISO 4217 currency code such as USD, EUR or GBP.", "currency"
        )
    return code


@lru_cache(maxsize=512)
def minor_digits(currency: str) -> int:
    """How many decimals the currency's amounts have (USD 2, JPY 0, KWD 3)."""
    return get_currency_precision(check_currency(currency))


@dataclass(frozen=True)
class Money:
    """An exact amount of one currency."""

    currency: str
    amount: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", check_currency(self.currency))
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise MoneyError("An amount is an exact decimal number.")
        digits = minor_digits(self.currency)
        exact = self.amount.quantize(Decimal(1).scaleb(-digits))
        if exact != self.amount:
            raise MoneyError(f"{self.currency} amounts have at most {digits} decimals.")
        object.__setattr__(self, "amount", exact)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """An amount as people type it ("20", "20.5", "1250.00"). Raises MoneyError."""
        cleaned = (text or "").strip().replace(" ", "")
        if not _AMOUNT.match(cleaned):
            raise MoneyError("Write the amount as a number with a dot for decimals, e.g. 20.00.")
        try:
            return cls(currency, Decimal(cleaned))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise MoneyError("Write the amount as a number, e.g. 20.00.") from None

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """From a stored whole number of minor units (cents)."""
        return cls(currency, Decimal(int(minor)).scaleb(-minor_digits(currency)))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.from_minor(0, currency)

    @property
    def minor(self) -> int:
        """The whole number of minor units it is stored as."""
        return int(self.amount.scaleb(minor_digits(self.currency)))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise MoneyError(f"Cannot add or compare {self.currency} with {other}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.currency, self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.currency, self.amount - other.amount)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def times(self, count: int) -> Money:
        return Money(self.currency, self.amount * int(count))

    def __str__(self) -> str:
        """The decimal string the API and CSV carry: "20.00", "3000", "1.500"."""
        return f"{self.amount:f}"

    def label(self) -> str:
        """For people: "$20.00", "€1,250.00", "¥3,000"."""
        return format_currency(self.amount, self.currency, locale="en")


class Totals(Mapping[str, Money]):
    """Amounts kept apart by currency: {"EUR": €40.00, "USD": $120.00}."""

    def __init__(self, amounts: Iterable[Money] = ()) -> None:
        sums: dict[str, Money] = {}
        for money in amounts:
            sums[money.currency] = sums[money.currency] + money if money.currency in sums else money
        self._sums = dict(sorted(sums.items()))

    def __getitem__(self, currency: str) -> Money:
        return self._sums[currency]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sums)

    def __len__(self) -> int:
        return len(self._sums)

    def of(self, currency: str) -> Money:
        """This currency's total; zero when there is none."""
        currency = check_currency(currency)
        return self._sums.get(currency) or Money.zero(currency)

    def __add__(self, other: Totals) -> Totals:
        return Totals([*self.values(), *other.values()])

    def label(self) -> str:
        """For people, by currency code: "€40.00 + $120.00", or "nothing"."""
        return " + ".join(m.label() for m in self.values()) or "nothing"

    def __repr__(self) -> str:
        return f"Totals({', '.join(f'{m.currency} {m}' for m in self.values())})"


class RewardKind(enum.StrEnum):
    GIFT_CARD = "gift_card"
    PRODUCT_CREDIT = "product_credit"
    DONATION = "donation"  # to a charity, on the person's behalf
    NONE = "none"


KIND_LABELS = {
    RewardKind.GIFT_CARD: "Gift card",
    RewardKind.PRODUCT_CREDIT: "Product credit",
    RewardKind.DONATION: "Charity donation",
    RewardKind.NONE: "No reward",
}
MAX_OFFER_TEXT = 200


@dataclass(frozen=True)
class Offer:
    """What a study (or one person in it) is promised as a thank-you."""

    kind: RewardKind = RewardKind.NONE
    money: Money | None = None
    text: str = ""  # a few words of its own: "your pick of Amazon or REI"

    def __post_init__(self) -> None:
        if self.kind is RewardKind.NONE and self.money is not None:
            raise MoneyError("An offer of no reward has no amount.")
        if self.kind is not RewardKind.NONE and (self.money is None or self.money.amount <= 0):
            raise MoneyError("A reward needs an amount above zero.")
        if len(self.text) > MAX_OFFER_TEXT:
            raise MoneyError(f"Keep the reward's text under {MAX_OFFER_TEXT} characters.")
        if "\x00" in self.text:  # PostgreSQL text cannot hold it
            raise MoneyError("The reward's text cannot contain NUL characters.")

    @property
    def owes(self) -> bool:
        """Whether completing an interview on this offer makes a reward owed."""
        return self.money is not None

    def describe(self) -> str:
        """One phrase for pages and emails: "a $20.00 gift card (Amazon or REI)"; the
        text alone for an offer without an amount; "" when nothing is offered."""
        if self.money is None:
            return self.text
        amount = self.money.label()
        phrase = {
            RewardKind.GIFT_CARD: f"a {amount} gift card",
            RewardKind.PRODUCT_CREDIT: f"{amount} of product credit",
            RewardKind.DONATION: f"a {amount} donation to a charity of your choice",
        }[self.kind]
        return f"{phrase} ({self.text})" if self.text else phrase
