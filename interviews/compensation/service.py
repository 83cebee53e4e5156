"""Reward use cases: owing, granting and settling rewards; refusals are named errors.
Owing and granting are one transaction each. Settling is claimed here (``claim_settled``)
and committed by flows.rewards, together with the interviewees' "on its way" messages.
Reading rewards (queue.py) and offers (offers.py) is reached through here too.

A completed interview owes its reward inside the attendance flow's transaction
(flows.attendance calls ``follow_attendance`` before it commits), so an interview is
never completed without its reward or the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import budgets, offers, queue, rules
from interviews.compensation.models import Reward, RewardEvent, RewardOverride
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.errors import Conflict, Forbidden, InvalidInput, NotFound, refuse_all
from interviews.money import MAX_OFFER_TEXT, Offer, RewardKind
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies

# What pages, the API and other areas read, reached through this module.
RewardView, RewardEventView, RewardPage = queue.RewardView, queue.RewardEventView, queue.RewardPage
reward, reward_of_interview, rewards = queue.reward, queue.reward_of_interview, queue.rewards
rewards_by_id = queue.rewards_by_id
parse_status, payout_csv = queue.parse_status, queue.payout_csv
rewards_of_participant = queue.rewards_of_participant
owed_counts = queue.owed_counts
offer_for = offers.offer_for
set_override, clear_override, overrides_of = (
    offers.set_override,
    offers.clear_override,
    offers.overrides_of,
)
MAX_METHOD, MAX_NOTE = 500, 1000


class NotOwed(Conflict):
    """The reward is not owed any more (or never was): it cannot be settled."""

    code = "not_owed"
    # The other rewards of the same batch that are not owed either, so a form can name
    # each at once; an API answer names the first.
    more: tuple[NotOwed, ...] = ()

    @property
    def problems(self) -> tuple[NotOwed, ...]:
        """This reward's refusal and every other one of the batch."""
        return (self, *self.more)


def _editor(actor: accounts.Member) -> None:
    if not actor.can_edit:
        raise Forbidden("Viewers can see rewards but not change them.")


def _event(
    row: Reward,
    actor: accounts.Member | None,
    previous: RewardStatus | None,
    now: datetime,
    note: str = "",
) -> None:
    row.events.append(_history_line(row, actor, previous, now, note))


def _history_line(
    row: Reward,
    actor: accounts.Member | None,
    previous: RewardStatus | None,
    now: datetime,
    note: str = "",
) -> RewardEvent:
    """The history line of ``row`` moving from ``previous`` to its status now, not yet
    tied to the reward."""
    return RewardEvent(
        at=now,
        actor_user_id=actor.user_id if actor else None,
        actor_name=actor.name if actor else "",
        from_status=previous,
        to_status=row.status,
        method_masked=rules.mask(row.method),
        note=note,
    )


def _owe(interview: Interview, offer: Offer, now: datetime, *, granted: bool) -> Reward:
    row = Reward(
        workspace_id=interview.workspace_id,
        study_id=interview.study_id,
        interview_id=interview.id,
        participant_id=interview.participant_id,
        kind=offer.kind,
        amount_minor=offer.money.minor,
        currency=offer.money.currency,
        status=RewardStatus.OWED,
        granted=granted,
        method="",
        note="",
        owed_at=now,
        updated_at=now,
    )
    db.session.add(row)
    return row


def _reward_of(interview_id: int) -> Reward | None:
    return db.session.scalar(select(Reward).where(Reward.interview_id == interview_id))


def follow_attendance(
    interview: Interview, previous: InterviewStatus, study: studies.StudyView, now: datetime
) -> None:
    """Inside the caller's transaction, after an interview's attendance changed: a
    completed interview owes its offer (once); one that turns out not to have been
    completed withdraws a reward still owed for it, unless a PM granted that one."""
    reward = _reward_of(interview.id)
    if interview.status is InterviewStatus.COMPLETED:
        offer = offers.offer_for(study, interview.participant_id)
        if reward is None and offer.owes:
            _event(_owe(interview, offer, now, granted=False), None, None, now)
        return
    if (
        previous is InterviewStatus.COMPLETED
        and reward is not None
        and reward.status is RewardStatus.OWED
        and not reward.granted
    ):
        reward.status, reward.updated_at, reward.settled_at = RewardStatus.WITHDRAWN, now, now
        _event(reward, None, RewardStatus.OWED, now, "The interview is no longer completed.")


def owe_for_interview(workspace_id: int, interview_id: int, now: datetime) -> int | None:
    """Owe the offer of a completed interview recorded without one (an interview held
    before the team used the desk, say). Returns the reward's id, or None when nothing
    is offered. Raises NotFound, Conflict."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.workspace_id != workspace_id:
        raise NotFound("No such interview in this workspace.")
    if interview.status is not InterviewStatus.COMPLETED:
        raise Conflict("Only a completed interview owes its reward.")
    existing = _reward_of(interview_id)
    if existing is not None:
        return existing.id
    study = studies.get_study(workspace_id, interview.study_id)
    offer = offers.offer_for(study, interview.participant_id)
    if not offer.owes:
        return None
    row = _owe(interview, offer, now, granted=False)
    _event(row, None, None, now)
    db.session.commit()
    return row.id


def grant(actor: accounts.Member, interview_id: int, now: datetime | None = None) -> RewardView:
    """Give a no-show the reward anyway (the link failed; they tried). Raises Forbidden,
    NotFound, Conflict (not a no-show, or it has a reward), InvalidInput (nothing offered)."""
    _editor(actor)
    now = now or utc_now()
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.workspace_id != actor.workspace_id:
        raise NotFound("No such interview in this workspace.")
    if interview.status is not InterviewStatus.NO_SHOW:
        raise Conflict("Only a no-show is granted a reward; a completed interview owes one.")
    if _reward_of(interview_id) is not None:
        raise Conflict("This interview already has a reward.")
    study = studies.get_study(actor.workspace_id, interview.study_id)
    offer = offers.offer_for(study, interview.participant_id)
    if not offer.owes:
        raise InvalidInput("The study offers no reward to grant; set an amount on the study.")
    row = _owe(interview, offer, now, granted=True)
    _event(row, actor, None, now, "Granted to a no-show.")
    try:
        db.session.commit()
    except IntegrityError:  # one reward per interview: a colleague granted it just now
        db.session.rollback()
        raise Conflict("This interview already has a reward.") from None
    return reward(actor.workspace_id, row.id)


def settle_problems(reward_ids: Iterable[int], method: str, note: str) -> list[InvalidInput]:
    """Everything wrong with a batch's inputs, all found in one pass, in the order a form
    shows them: no reward chosen, the method, the note. Empty when they are fine."""
    problems = []
    if not list(reward_ids):
        problems.append(InvalidInput("Choose at least one reward.", field="reward_ids"))
    for name, value, longest in (("method", method, MAX_METHOD), ("note", note, MAX_NOTE)):
        value = (value or "").strip()
        if len(value) > longest:
            problems.append(
                InvalidInput(f"The {name} can be at most {longest} characters.", field=name)
            )
        # PostgreSQL text cannot hold NUL: refused here, not a 500 at commit.
        elif "\x00" in value:
            problems.append(InvalidInput(f"The {name} cannot contain NUL characters.", field=name))
    return problems


SETTLED = (RewardStatus.SENT, RewardStatus.DECLINED, RewardStatus.DONATED, RewardStatus.WITHDRAWN)


def claim_settled(
    actor: accounts.Member,
    reward_ids: Iterable[int],
    status: RewardStatus,
    *,
    method: str = "",
    note: str = "",
    now: datetime,
) -> list[Reward]:
    """Inside the caller's transaction: mark owed rewards sent, declined, donated or
    withdrawn, each with its history line, and return their rows in id order. If any of
    them cannot move, none does (the session is rolled back). Nothing is committed:
    flows.rewards.settle commits it with the interviewees' "on its way" messages.

    Raises Forbidden, InvalidInput (no ids, bad status, too long), NotFound (an id of
    another workspace), NotOwed (one is not owed: the message names it).
    """
    _editor(actor)
    ids = list(dict.fromkeys(int(i) for i in reward_ids))
    problems = settle_problems(ids, method, note)
    if status not in SETTLED:
        # In the order the API has always named them: the ids, then the status.
        at = 1 if problems and problems[0].field == "reward_ids" else 0
        problems.insert(
            at,
            InvalidInput(
                "A reward is marked sent, declined, donated or withdrawn.", field="status"
            ),
        )
    refuse_all(problems)
    method, note = (method or "").strip(), (note or "").strip()
    # Claimed in one statement, and only while owed: of two people marking overlapping
    # batches at once, one settles each reward and the other is told, so a reward is
    # never paid (or its email sent) twice. The statement takes the write lock first.
    claimed = db.session.execute(
        update(Reward)
        .where(
            Reward.id.in_(ids),
            Reward.workspace_id == actor.workspace_id,
            Reward.status == RewardStatus.OWED,
        )
        .values(status=status, settled_at=now, updated_at=now, method=method, note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != len(ids):
        db.session.rollback()
        _refuse(actor.workspace_id, ids, status)
    rows = db.session.scalars(
        select(Reward)
        .where(Reward.id.in_(ids))
        .order_by(Reward.id)
        .execution_options(populate_existing=True)
    ).all()
    # Each history line added by its reward's id: appending to ``row.events`` would
    # first load that reward's whole history, one query (and a flush) per reward.
    for row in rows:
        line = _history_line(row, actor, RewardStatus.OWED, now, note)
        line.reward_id = row.id
        db.session.add(line)
    return list(rows)


def _refuse(workspace_id: int, ids: list[int], status: RewardStatus) -> None:
    """Why a batch could not be claimed, as the error to raise: NotFound or NotOwed."""
    rows = db.session.scalars(
        select(Reward)
        .where(Reward.id.in_(ids), Reward.workspace_id == workspace_id)
        .order_by(Reward.id)
    ).all()
    if len(rows) != len(ids):
        raise NotFound("One of those rewards is not in this workspace.")
    refused = []
    for row in rows:
        try:
            rules.check_move(row.status, status)
        except rules.IllegalMove as error:
            refused.append(NotOwed(f"Reward {row.id}: {error}"))
    if refused:
        refused[0].more = tuple(refused[1:])
        raise refused[0]
    raise NotOwed("Someone else settled one of those rewards just now; reload and try again.")


# --- one person's own offer, as a form gives it ----------------------------------------------


def offer_problems(kind: str, amount: str, currency: str, text: str) -> list[InvalidInput]:
    """Everything wrong with one person's own offer as typed into their profile's form,
    found at once in the form's order, each naming its input ("kind", "amount",
    "currency", "text"). Empty when it is fine; studies.parse_offer then reads it."""
    problems = []
    if kind not in {k.value for k in RewardKind if k is not RewardKind.NONE}:
        problems.append(InvalidInput("Choose the reward from the list.", field="kind"))
    money, found = budgets.money_problems(amount, currency)
    problems += found
    if money is not None and not Decimal(0) < money.amount <= studies.MAX_REWARD:
        problems.append(
            InvalidInput(
                f"The amount must be above 0 and at most {studies.MAX_REWARD:,} {money.currency}.",
                field="amount",
            )
        )
    words = " ".join((text or "").split())  # as parse_offer keeps it
    if len(words) > MAX_OFFER_TEXT:
        problems.append(
            InvalidInput(
                f"“In a few words” can be at most {MAX_OFFER_TEXT} characters.", field="text"
            )
        )
    elif "\x00" in words:
        problems.append(
            InvalidInput("“In a few words” cannot contain NUL characters.", field="text")
        )
    return problems


# --- privacy --------------------------------------------------------------------------------


def detach_participant(workspace_id: int, participant_id: int, scrub) -> int:
    """Inside an erasure's transaction: the rewards stay in the books (finance needs the
    amounts) without who got them; notes are scrubbed of the person's words and the
    delivery method, which may be a code sent to them, is cleared. Returns how many."""
    rows = db.session.scalars(
        select(Reward).where(
            Reward.workspace_id == workspace_id, Reward.participant_id == participant_id
        )
    ).all()
    for row in rows:
        row.participant_id = None
        row.method = ""
        row.note = scrub(row.note or "")
        for event in row.events:
            event.note = scrub(event.note or "")
            event.method_masked = ""
    db.session.execute(
        RewardOverride.__table__.delete().where(RewardOverride.participant_id == participant_id)
    )
    return len(rows)
