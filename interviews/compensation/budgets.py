"""Reward budgets and the money figures reports chart. Each use case is one transaction.

A budget is money set aside per currency, for one study or for the whole workspace.
Against it stand what booked interviews will owe once completed (committed: each
upcoming interview's offer, a person's own offer where they have one), what is owed
and what was paid. When a study's budget, or the workspace's, cannot cover one more
reward, the study offers no more times and the PM is told why.
"""
# Stays whole past 400 lines: the booking checks and the figures reports chart add up the same committed, owed and paid totals.

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, func, select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import offers, rules
from interviews.compensation.models import Budget, Reward, RewardOverride
from interviews.compensation.rules import BudgetLine, RewardStatus, ShowRate
from interviews.db import db, within
from interviews.errors import Conflict, Forbidden, InvalidInput, NotFound, refuse_all
from interviews.mail import service as mail
from interviews.money import Money, MoneyError, RewardKind, Totals, check_currency
from interviews.scheduling import links
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import Study

# Interviews whose reward is committed: they may still be completed.
UPCOMING = (InterviewStatus.BOOKED, InterviewStatus.JOINED)
MAX_BUDGET = Decimal(1_000_000_000)


class BudgetExhausted(Conflict):
    """The study cannot take another booking: its budget would not cover the reward."""

    code = "budget_exhausted"


def _editor(actor: accounts.Member) -> None:
    if not actor.can_edit:
        raise Forbidden("Viewers can see budgets but not change them.")


def _totals(rows) -> Totals:
    return Totals(Money.from_minor(minor, currency) for currency, minor in rows if currency)


# What an interview is offered, in SQL: the person's own offer in its study, else the
# study's (whose amount is NULL when it offers nothing).
OFFER_CURRENCY = func.coalesce(RewardOverride.currency, Study.reward_currency)
OFFER_MINOR = func.coalesce(RewardOverride.amount_minor, Study.reward_amount_minor)


def _interviews_with_offers(query, workspace_id: int, study_id: int | None, statuses):
    """``query`` over the workspace's interviews in these statuses (of one study, if
    given), joined to their study and to the person's own offer there."""
    query = (
        query.select_from(Interview)
        .join(Study, Study.id == Interview.study_id)
        .outerjoin(
            RewardOverride,
            and_(
                RewardOverride.study_id == Interview.study_id,
                RewardOverride.participant_id == Interview.participant_id,
            ),
        )
        .where(Interview.workspace_id == workspace_id, Interview.status.in_(statuses))
    )
    return query if study_id is None else query.where(Interview.study_id == study_id)


def _committed(workspace_id: int, study_id: int | None) -> Totals:
    """Each upcoming interview's offer, summed per currency in the database."""
    query = _interviews_with_offers(
        select(OFFER_CURRENCY, func.sum(OFFER_MINOR)), workspace_id, study_id, UPCOMING
    )
    query = query.where(OFFER_MINOR.is_not(None)).group_by(OFFER_CURRENCY)
    return _totals(db.session.execute(query).all())


def _started_in(query, start: datetime | None, end: datetime | None):
    """``query`` (over Interview) kept to interviews that start in [start, end)."""
    return query.where(*within(Interview.start_at, start, end))


def _settled(
    workspace_id: int,
    study_id: int | None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> tuple[Totals, Totals]:
    """(owed, paid) per currency; with a start or end, only the rewards of interviews
    that start in [start, end)."""
    query = (
        select(Reward.status, Reward.currency, func.sum(Reward.amount_minor))
        .where(Reward.workspace_id == workspace_id)
        .group_by(Reward.status, Reward.currency)
    )
    if study_id is not None:
        query = query.where(Reward.study_id == study_id)
    if start is not None or end is not None:
        query = _started_in(query.join(Interview, Interview.id == Reward.interview_id), start, end)
    rows = db.session.execute(query).all()
    owed = _totals((c, m) for s, c, m in rows if s is RewardStatus.OWED)
    paid = _totals((c, m) for s, c, m in rows if s in rules.PAID)
    return owed, paid


def _in_scope(study_id: int | None):
    """Budget rows of one study, or (None) the workspace's own."""
    return Budget.study_id == study_id if study_id is not None else Budget.study_id.is_(None)


def _allocated(workspace_id: int, study_id: int | None) -> Totals:
    query = select(Budget.currency, Budget.allocated_minor).where(
        Budget.workspace_id == workspace_id,
        _in_scope(study_id),
    )
    return _totals(db.session.execute(query).all())


def budget_lines(workspace_id: int, study_id: int | None = None) -> list[BudgetLine]:
    """A study's budget per currency, or (study None) the whole workspace's, with all
    studies' committed, owed and paid money against it."""
    owed, paid = _settled(workspace_id, study_id)
    return rules.budget_lines(
        _allocated(workspace_id, study_id), _committed(workspace_id, study_id), owed, paid
    )


@dataclass(frozen=True)
class BookingPause:
    """Why a study takes no more bookings, and whose budget to change to reopen it."""

    reason: str  # in words for the PM: "New bookings are paused: the workspace's ..."
    currency: str  # the currency of the reward held back
    study_id: int | None  # whose budget falls short: the study's own, or None: the workspace's
    missing_currency: bool  # that budget has no line in this currency at all


def budget_scopes(workspace_id: int) -> set[int | None]:
    """Which budgets the workspace has: their study ids, None for the workspace's own.
    Most teams set none: one small query says so, before any sums are made."""
    return set(
        db.session.scalars(select(Budget.study_id).where(Budget.workspace_id == workspace_id))
    )


def booking_pause(
    study: studies.StudyView,
    participant_id: int | None = None,
    scopes: set[int | None] | None = None,
) -> BookingPause | None:
    """Why the study cannot take one more booking (from this person), or None when it
    can. Only an offer with an amount is ever held back. ``scopes``: the budgets of the
    study's workspace (their study ids, None for the workspace's own), when the caller
    has read them for several studies."""
    offer = offers.offer_for(study, participant_id)
    if not offer.owes:
        return None
    if scopes is None:
        scopes = budget_scopes(study.workspace_id)
    for scope, whose in ((study.id, "this study's"), (None, "the workspace's")):
        if scope not in scopes:
            continue
        lines = budget_lines(study.workspace_id, scope)
        reason = rules.shortfall(lines, offer.money)
        if reason:
            missing = not any(
                line.currency == offer.money.currency and line.allocated is not None
                for line in lines
            )
            return BookingPause(
                f"New bookings are paused: {whose} {reason}.",
                offer.money.currency,
                scope,
                missing,
            )
    return None


def booking_block(study: studies.StudyView, participant_id: int | None = None) -> str | None:
    """Why the study cannot take one more booking (from this person), in words for the
    PM; None when it can."""
    pause = booking_pause(study, participant_id)
    return pause.reason if pause else None


def booking_blocks(study_list: list[studies.StudyView]) -> dict[int, str | None]:
    """booking_block of each of these studies of one workspace (the home page asks for
    all of them): which budgets exist is read once, not once per study."""
    if not study_list:
        return {}
    scopes = budget_scopes(study_list[0].workspace_id)
    blocks = {}
    for study in study_list:
        pause = booking_pause(study, scopes=scopes)
        blocks[study.id] = pause.reason if pause else None
    return blocks


def ensure_bookable(study: studies.StudyView, participant_id: int | None = None) -> None:
    """Inside the booking's transaction (the host row is locked): refuse a booking the
    budget cannot cover. The interviewee is not told the numbers. Raises BudgetExhausted."""
    if booking_block(study, participant_id):
        raise BudgetExhausted(
            "Sorry, this study is not taking new bookings right now. "
            f"Reply to {study.host.name} if you would still like to talk."
        )


def tell_host_if_paused(study: studies.StudyView) -> bool:
    """After a booking committed: when it took the last of the budget, the host hears
    now, with the numbers, rather than finding a quiet booking page. Returns whether."""
    reason = booking_block(study)
    if reason is None:
        return False
    message = mail.queue_email(
        kind="budget_paused",
        recipient=study.host.email,
        subject=f"Bookings paused: {study.title}",
        template="budget_paused",
        context={
            "study": study,
            "reason": reason,
            "budgets_url": links.link("/budgets") + f"#study-{study.id}",
        },
        sender_name=current_app.config["PRODUCT_NAME"],
        reply_to=None,
        workspace_id=study.workspace_id,
    )
    db.session.commit()
    mail.dispatch(message.id)
    return True


def money_problems(amount: str, currency: str) -> tuple[Money | None, list[InvalidInput]]:
    """An amount and a currency as typed into a form: the Money, or None with everything
    wrong with them found at once (the amount first, then the currency), each naming
    its field ("amount", "currency")."""
    problems = []
    if not (amount or "").strip():
        problems.append(InvalidInput("Enter the amount as a number, like 20.00.", field="amount"))
    else:
        try:
            return Money.parse(amount, currency), []
        except MoneyError as error:
            # Money.parse checks the amount's shape before the currency, and its decimals
            # only once the currency is known: an amount error here is the amount's own.
            if error.part == "amount":
                problems.append(InvalidInput(str(error), field="amount"))
    try:
        check_currency(currency)
    except MoneyError as error:
        problems.append(InvalidInput(str(error), field="currency"))
    return None, problems


def set_budget(
    actor: accounts.Member,
    study_id: int | None,
    currency: str,
    amount: str,
    now: datetime | None = None,
) -> list[BudgetLine]:
    """Set aside this much for rewards in one currency, for a study or (None) the whole
    workspace; replaces that currency's earlier amount. Raises Forbidden, NotFound,
    InvalidInput."""
    _editor(actor)
    if study_id is not None:
        studies.get_study(actor.workspace_id, study_id)  # NotFound for another workspace's
    money, problems = money_problems(amount, currency)
    if money is not None and not Decimal(0) <= money.amount <= MAX_BUDGET:
        problems.append(InvalidInput(f"The amount can be at most {MAX_BUDGET:,}.", field="amount"))
    refuse_all(problems)
    assert money is not None  # there was a problem with it otherwise, and refuse_all raised
    row = db.session.scalar(
        select(Budget).where(
            Budget.workspace_id == actor.workspace_id,
            _in_scope(study_id),
            Budget.currency == money.currency,
        )
    ) or Budget(workspace_id=actor.workspace_id, study_id=study_id, currency=money.currency)
    row.allocated_minor, row.updated_by, row.updated_at = (
        money.minor,
        actor.user_id,
        now or utc_now(),
    )
    db.session.add(row)
    db.session.commit()
    return budget_lines(actor.workspace_id, study_id)


def remove_budget(actor: accounts.Member, study_id: int | None, currency: str) -> None:
    """No more limit in that currency for the study (or the workspace). Raises Forbidden,
    NotFound."""
    _editor(actor)
    row = db.session.scalar(
        select(Budget).where(
            Budget.workspace_id == actor.workspace_id,
            _in_scope(study_id),
            Budget.currency == (currency or "").upper(),
        )
    )
    if row is None:
        raise NotFound("There is no such budget.")
    db.session.delete(row)
    db.session.commit()


@dataclass(frozen=True)
class StudyBudget:
    study_id: int
    title: str
    lines: list[BudgetLine]
    blocked: str | None  # why it takes no more bookings, if it does not


def overview(workspace_id: int) -> tuple[list[BudgetLine], list[StudyBudget]]:
    """The workspace's budget and each study's, for the budgets page."""
    studies_here = studies.list_studies(workspace_id)
    return budget_lines(workspace_id), [
        StudyBudget(s.id, s.title, budget_lines(workspace_id, s.id), booking_block(s))
        for s in studies_here
    ]


# --- the figures reports chart ---------------------------------------------------------------


@dataclass(frozen=True)
class RewardFigures:
    """Money figures of a workspace (or one study), for the reports issue's charts."""

    paid_per_month: list[tuple[str, Totals]]
    paid: Totals
    owed: Totals
    completed: int
    cost_per_completed: dict[str, Money]  # (paid + owed) / completed, per currency
    show_rates: list[ShowRate]  # completed / (completed + no-show) by amount offered


def figures(workspace_id: int, study_id: int | None = None) -> RewardFigures:
    """Paid per month, cost per completed interview and show rate by reward amount."""
    where = [Reward.workspace_id == workspace_id, Reward.status.in_(rules.PAID)]
    if study_id is not None:
        where.append(Reward.study_id == study_id)
    payments = [
        (at, Money.from_minor(minor, currency))
        for at, minor, currency in db.session.execute(
            select(Reward.settled_at, Reward.amount_minor, Reward.currency).where(*where)
        )
    ]
    owed, paid = _settled(workspace_id, study_id)
    happened = _happened(workspace_id, study_id)
    completed = sum(1 for _, showed in happened if showed)
    return RewardFigures(
        paid_per_month=rules.paid_per_month(payments),
        paid=paid,
        owed=owed,
        completed=completed,
        cost_per_completed=rules.cost_per_completed(paid + owed, completed),
        show_rates=rules.show_rate_by_offer(happened),
    )


@dataclass(frozen=True)
class RewardSpend:
    """What the rewards of some interviews cost, for the reports dashboard."""

    paid: Totals
    owed: Totals
    completed: int
    cost_per_completed: dict[str, Money]  # (paid + owed) / completed, per currency


def spend(
    workspace_id: int,
    study_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> RewardSpend:
    """Paid, owed and the cost per completed interview of the interviews that start in
    [start, end) (either end open), of one study if given: ``figures`` without the
    per-reward breakdowns, summed and counted in the database."""
    owed, paid = _settled(workspace_id, study_id, start, end)
    query = (
        select(func.count())
        .select_from(Interview)
        .where(
            Interview.workspace_id == workspace_id, Interview.status == InterviewStatus.COMPLETED
        )
    )
    if study_id is not None:
        query = query.where(Interview.study_id == study_id)
    completed = db.session.scalar(_started_in(query, start, end)) or 0
    return RewardSpend(
        paid=paid,
        owed=owed,
        completed=completed,
        cost_per_completed=rules.cost_per_completed(paid + owed, completed),
    )


def _happened(workspace_id: int, study_id: int | None) -> list[tuple[Money | None, bool]]:
    """(amount offered, showed up) of each completed or no-show interview. What was
    offered is the reward it owes where there is one, else the offer as it stands."""
    query = _interviews_with_offers(
        select(
            Interview.status,
            Reward.amount_minor,
            Reward.currency,
            OFFER_MINOR,
            OFFER_CURRENCY,
            Study.reward_kind,
        ),
        workspace_id,
        study_id,
        (InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW),
    ).outerjoin(Reward, Reward.interview_id == Interview.id)
    out: list[tuple[Money | None, bool]] = []
    for status, minor, currency, offer_minor, offer_currency, kind in db.session.execute(query):
        money = None
        if minor is not None:
            money = Money.from_minor(minor, currency)
        elif offer_minor is not None and offer_currency and kind is not RewardKind.NONE:
            money = Money.from_minor(offer_minor, offer_currency)
        out.append((money, status is InterviewStatus.COMPLETED))
    return out


def study_budget(workspace_id: int, study_id: int) -> StudyBudget:
    """One study's budget lines and whether it is paused. Raises NotFound."""
    study = studies.get_study(workspace_id, study_id)
    return StudyBudget(
        study.id, study.title, budget_lines(workspace_id, study.id), booking_block(study)
    )
