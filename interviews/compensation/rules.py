"""The rules of rewards: their states, budgets and the numbers reports chart. Pure.

A reward becomes owed when an interview is completed (or when a PM grants one to a
no-show) and then ends exactly once: sent, declined or donated, or withdrawn when the
interview turns out not to have been completed. Each change is a new line in its
history; nothing is ever rewritten.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from interviews.money import Money, Totals, minor_digits


class RewardStatus(enum.StrEnum):
    OWED = "owed"
    SENT = "sent"
    DECLINED = "declined"  # the person did not want it
    DONATED = "donated"  # given to a charity on their behalf
    WITHDRAWN = "withdrawn"  # the interview was not completed after all


STATUS_LABELS = {
    RewardStatus.OWED: "Owed",
    RewardStatus.SENT: "Sent",
    RewardStatus.DECLINED: "Declined",
    RewardStatus.DONATED: "Donated",
    RewardStatus.WITHDRAWN: "Withdrawn",
}
# Where a reward may go from each state; the ends go nowhere.
MOVES: dict[RewardStatus, frozenset[RewardStatus]] = {
    RewardStatus.OWED: frozenset(
        {RewardStatus.SENT, RewardStatus.DECLINED, RewardStatus.DONATED, RewardStatus.WITHDRAWN}
    ),
}
# Money that left the team: counted as paid in budgets and reports.
PAID = frozenset({RewardStatus.SENT, RewardStatus.DONATED})
DEFAULT_OVERDUE_DAYS = 3


class IllegalMove(ValueError):
    """A reward cannot go to that state from the one it is in."""


def check_move(current: RewardStatus, target: RewardStatus) -> None:
    """Raise IllegalMove unless a reward in ``current`` may become ``target``."""
    if target not in MOVES.get(current, frozenset()):
        raise IllegalMove(
            f"A reward that is {current.value} cannot be marked {target.value}; "
            "only owed rewards can be settled."
        )


def mask(method: str) -> str:
    """A gift card code or payment note as pages show it: the last four characters of
    a long one, nothing of a short one. "ABCD-1234-WXYZ" -> "••••••••••WXYZ"."""
    method = (method or "").strip()
    if not method:
        return ""
    shown = 4 if len(method) >= 10 else 0
    return "•" * min(len(method) - shown, 12) + method[len(method) - shown :]


def how_it_arrives(kind: str, status: RewardStatus, note: str) -> str:
    """How a settled reward reaches the person, for the "on its way" email: the PM's
    note when they wrote one, else what the kind of reward implies. A gift card's code
    is never put in the email (it is a secret kept encrypted and shown masked): the
    email says where the card comes from instead. "" when there is nothing to say."""
    if note.strip():
        return " ".join(note.split())
    if status is not RewardStatus.SENT:
        return ""
    if kind == "gift_card":
        return (
            "The gift card comes in a separate email from the card's provider, to this "
            "address; if you do not see it, check your spam folder."
        )
    if kind == "product_credit":
        return "The credit is added to your account with us: there is nothing you need to do."
    return ""


def is_overdue(owed_at: datetime, now: datetime, days: int) -> bool:
    """Owed for longer than the team's promise to deliver (default 3 days)."""
    return now - owed_at > timedelta(days=days)


# --- budgets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLine:
    """One currency of a budget. ``committed`` is what booked interviews will owe once
    completed; ``remaining`` is what is left after committed, owed and paid money."""

    currency: str
    allocated: Money | None  # None: no budget in this currency
    committed: Money
    owed: Money
    paid: Money

    @property
    def spent(self) -> Money:
        return self.committed + self.owed + self.paid

    @property
    def remaining(self) -> Money | None:
        return None if self.allocated is None else self.allocated - self.spent

    def covers(self, money: Money) -> bool:
        """Whether one more reward of this amount still fits."""
        return self.remaining is None or self.remaining >= money


def budget_lines(
    allocated: Totals, committed: Totals, owed: Totals, paid: Totals
) -> list[BudgetLine]:
    """A line per currency that has an allocation or any money in it."""
    currencies = sorted(set(allocated) | set(committed) | set(owed) | set(paid))
    return [
        BudgetLine(
            currency=c,
            allocated=allocated.get(c),
            committed=committed.of(c),
            owed=owed.of(c),
            paid=paid.of(c),
        )
        for c in currencies
    ]


def shortfall(lines: list[BudgetLine], money: Money) -> str | None:
    """Why one more reward of ``money`` does not fit these budget lines, or None if it
    does. Without any allocation there is no limit; with allocations only in other
    currencies, nothing in this one is covered."""
    if not any(line.allocated is not None for line in lines):
        return None
    line = next((x for x in lines if x.currency == money.currency), None)
    if line is None or line.allocated is None:
        return f"budget has no {money.currency} for a {money.label()} reward"
    if line.covers(money):
        return None
    left = line.remaining
    return (
        f"budget of {line.allocated.label()} has {left.label()} left after "
        f"{line.committed.label()} committed, {line.owed.label()} owed and "
        f"{line.paid.label()} paid, not enough for another {money.label()} reward"
    )


# --- numbers for reports -------------------------------------------------------------------


def paid_per_month(payments: Iterable[tuple[datetime, Money]]) -> list[tuple[str, Totals]]:
    """Money paid out per calendar month (UTC), oldest month first: [("2026-11", ...)]."""
    months: dict[str, list[Money]] = defaultdict(list)
    for at, money in payments:
        months[f"{at.astimezone(UTC):%Y-%m}"].append(money)
    return [(month, Totals(months[month])) for month in sorted(months)]


def cost_per_completed(spent: Totals, completed: int) -> dict[str, Money]:
    """Reward money (paid and owed) per completed interview, per currency, rounded half
    up to the currency's minor unit. Empty when nothing was completed."""
    if completed <= 0:
        return {}
    out = {}
    for currency, money in spent.items():
        unit = Decimal(1).scaleb(-minor_digits(currency))
        out[currency] = Money(
            currency, (money.amount / completed).quantize(unit, rounding=ROUND_HALF_UP)
        )
    return out


@dataclass(frozen=True)
class ShowRate:
    """How many came of those offered one amount: completed / (completed + no-show)."""

    offer: Money | None  # None: nothing offered
    completed: int
    no_show: int

    @property
    def rate(self) -> float | None:
        happened = self.completed + self.no_show
        return self.completed / happened if happened else None

    @property
    def label(self) -> str:
        return self.offer.label() if self.offer else "No reward"


def show_rate_by_offer(outcomes: Iterable[tuple[Money | None, bool]]) -> list[ShowRate]:
    """Show rates grouped by the amount offered, from (offer, showed up) pairs of the
    interviews that happened; no reward first, then by currency and amount."""
    counts: dict[Money | None, list[int]] = defaultdict(lambda: [0, 0])
    for offer, showed in outcomes:
        counts[offer][0 if showed else 1] += 1

    def order(offer: Money | None) -> tuple:
        return ("", Decimal(0)) if offer is None else (offer.currency, offer.amount)

    return [ShowRate(o, *counts[o]) for o in sorted(counts, key=order)]
