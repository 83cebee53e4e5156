"""Settle rewards: mark owed ones sent, declined, donated or withdrawn, and tell the
interviewees whose reward went out that it is on its way, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import rules
from interviews.compensation import service as compensation
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.messaging import outbox
from interviews.messaging import service as messaging
from interviews.scheduling.models import Interview


def settle(
    actor: accounts.Member,
    reward_ids: Iterable[int],
    status: RewardStatus,
    *,
    method: str = "",
    note: str = "",
    now: datetime | None = None,
) -> list[compensation.RewardView]:
    """Mark owed rewards sent, declined, donated or withdrawn, all in one transaction:
    if any of them cannot move, none does. Sent and donated ones tell the interviewee
    through the outbox ("your reward is on its way").

    Raises Forbidden, InvalidInput (no ids, bad status, too long), NotFound (an id of
    another workspace), NotOwed (one is not owed: the message names it).
    """
    now = now or utc_now()
    rows = compensation.claim_settled(actor, reward_ids, status, method=method, note=note, now=now)
    due_now: list[int] = []
    if status in rules.PAID:
        interviews = db.session.scalars(
            select(Interview)
            .where(Interview.id.in_([row.interview_id for row in rows]))
            .order_by(Interview.id)
        ).all()
        due_now += outbox.plan_reward_sent(list(interviews), now)
    settled = [row.id for row in rows]  # read before the commit expires every row
    db.session.commit()
    messaging.send_soon(due_now)
    return compensation.rewards_by_id(actor.workspace_id, settled, now)
