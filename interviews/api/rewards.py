"""Team endpoints of compensation: the payout queue, marking a reward sent, budgets.

They hang on the team blueprint of api/views.py (same bearer-token check);
interviews/api/__init__.py imports this module so the routes exist whenever the API does.
"""

from __future__ import annotations

from flask import g, jsonify
from pydantic import BaseModel, Field

from interviews.api.contract import Amount, Currency, Id, Instant, Page, operation
from interviews.api.notes import FORBIDDEN
from interviews.api.views import NOT_FOUND, bp
from interviews.compensation import budgets, rules
from interviews.compensation import service as compensation
from interviews.compensation.rules import RewardStatus
from interviews.flows import rewards as settling
from interviews.money import Money, RewardKind


class Reward(BaseModel):
    id: int
    interview_id: int
    participant_id: int | None = Field(
        description="null once the person was erased; the money stays in the books"
    )
    study_id: int
    kind: RewardKind
    amount: Amount
    currency: Currency
    status: RewardStatus
    granted: bool = Field(description="Given to a no-show by a PM")
    method: str = Field(
        description="How it was delivered, masked: only a long one's last four show"
    )
    note: str
    owed_at: Instant
    settled_at: Instant | None
    overdue: bool = Field(description="Owed for longer than promised")


class RewardFacets(BaseModel):
    status: dict[str, int] = Field(description="Rewards by status, every status listed")


class Rewards(BaseModel):
    items: list[Reward]
    total: int = Field(ge=0)
    facets: RewardFacets


class RewardQuery(Page):
    status: RewardStatus | None = Field(None, description="Only rewards in this state")
    study_id: Id | None = Field(None, description="Only this study's")


def _reward_json(item: compensation.RewardView) -> dict:
    return {
        "id": item.id,
        "interview_id": item.interview_id,
        "participant_id": item.participant_id,
        "study_id": item.study_id,
        "kind": item.kind.value,
        "amount": str(item.money),
        "currency": item.money.currency,
        "status": item.status.value,
        "granted": item.granted,
        "method": item.method_masked,
        "note": item.note,
        "owed_at": item.owed_at.isoformat(),
        "settled_at": item.settled_at.isoformat() if item.settled_at else None,
        "overdue": item.overdue,
    }


@bp.get("/rewards")
@operation("listRewards", ok=(200, Rewards, "A page of rewards, with counts by status"))
def reward_list(query: RewardQuery):
    """Rewards: owed ones oldest first (the payout queue), settled ones latest first."""
    page = compensation.rewards(
        g.api_member.workspace_id,
        status=query.status,
        study_id=query.study_id,
        limit=query.limit,
        offset=query.offset,
    )
    return jsonify(
        items=[_reward_json(r) for r in page.items],
        total=page.total,
        facets={"status": page.counts},
    )


class RewardSent(BaseModel):
    method: str = Field(
        "",
        max_length=compensation.MAX_METHOD,
        description="A gift card code or payment reference; stored, shown masked",
    )
    note: str = Field(
        "", max_length=compensation.MAX_NOTE, description="Included in the email to the interviewee"
    )


@bp.post("/rewards/<int:reward_id>/sent")
@operation(
    "markRewardSent",
    ok=(200, Reward, "The reward, now sent"),
    errors={
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: "The reward is not owed (already settled or withdrawn)",
    },
    body_optional=True,
)
def reward_sent(reward_id: int, json: RewardSent):
    """Mark an owed reward sent; the interviewee is emailed that it is on its way."""
    [done] = settling.settle(
        g.api_member, [reward_id], RewardStatus.SENT, method=json.method, note=json.note
    )
    return jsonify(_reward_json(done))


class BudgetLine(BaseModel):
    currency: Currency
    allocated: Amount | None = Field(description="null: no budget in this currency")
    committed: Amount = Field(description="What booked interviews will owe")
    owed: Amount
    paid: Amount = Field(description="Sent and donated")
    remaining: Amount | None = Field(description="allocated - committed - owed - paid")


class StudyBudget(BaseModel):
    study_id: int
    title: str
    paused: str | None = Field(description="Why it takes no new bookings, or null")
    lines: list[BudgetLine]


class Budgets(BaseModel):
    workspace: list[BudgetLine]
    studies: list[StudyBudget]


def _money(value: Money | None) -> str | None:
    return None if value is None else str(value)


def _line_json(line: rules.BudgetLine) -> dict:
    return {
        "currency": line.currency,
        "allocated": _money(line.allocated),
        "committed": str(line.committed),
        "owed": str(line.owed),
        "paid": str(line.paid),
        "remaining": _money(line.remaining),
    }


@bp.get("/budgets")
@operation("getBudgets", ok=(200, Budgets, "Budget lines, and which studies are paused"))
def budget_overview():
    """Reward budgets of the workspace and each study, per currency, and which are paused."""
    workspace, per_study = budgets.overview(g.api_member.workspace_id)
    return jsonify(
        workspace=[_line_json(line) for line in workspace],
        studies=[
            {
                "study_id": s.study_id,
                "title": s.title,
                "paused": s.blocked,
                "lines": [_line_json(line) for line in s.lines],
            }
            for s in per_study
        ],
    )
