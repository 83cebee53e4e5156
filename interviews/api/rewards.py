"""Team endpoints of compensation: the payout queue, marking a reward sent, budgets.

They hang on the team blueprint of api/views.py (same bearer-token check, same
`_page`/`_optional_id` parsing); interviews/api/__init__.py imports this module so the
routes are registered whenever the API is.
"""

from __future__ import annotations

from flask import g, jsonify, request

from interviews.api.views import _optional_id, _page, bp
from interviews.compensation import budgets
from interviews.compensation import service as compensation
from interviews.compensation.money import Money
from interviews.compensation.rules import BudgetLine, RewardStatus
from interviews.errors import InvalidInput


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


def _status_filter() -> RewardStatus | None:
    raw = request.args.get("status")
    status = compensation.parse_status(raw)
    if raw is not None and status is None:
        # A filter that is given must be valid: an empty one is a mistake, not "all".
        names = ", ".join(s.value for s in RewardStatus)
        raise InvalidInput(f"`status` is one of {names}.", field="status")
    return status


@bp.get("/rewards")
def reward_list():
    """Rewards: owed ones oldest first (the payout queue), settled ones latest first."""
    limit, offset = _page()
    page = compensation.rewards(
        g.api_member.workspace_id,
        status=_status_filter(),
        study_id=_optional_id("study_id"),
        limit=limit,
        offset=offset,
    )
    return jsonify(
        items=[_reward_json(r) for r in page.items],
        total=page.total,
        facets={"status": page.counts},
    )


def _field(body: dict, name: str, longest: int) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.", field=name)
    if len(value) > longest:
        raise InvalidInput(f"Keep the {name} under {longest} characters.", field=name)
    return value


@bp.post("/rewards/<int:reward_id>/sent")
def reward_sent(reward_id: int):
    """Mark an owed reward sent: {"method"?, "note"?}; the interviewee is told it is on its way."""
    # No body at all is fine (both fields are optional); a body must be a JSON object.
    body = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(body, dict):
        raise InvalidInput('Send a JSON object like {"method": "Amazon gift card", "note": "..."}.')
    [done] = compensation.settle(
        g.api_member,
        [reward_id],
        RewardStatus.SENT,
        method=_field(body, "method", compensation.MAX_METHOD),
        note=_field(body, "note", compensation.MAX_NOTE),
    )
    return jsonify(_reward_json(done))


def _money(value: Money | None) -> str | None:
    return None if value is None else str(value)


def _line_json(line: BudgetLine) -> dict:
    return {
        "currency": line.currency,
        "allocated": _money(line.allocated),
        "committed": str(line.committed),
        "owed": str(line.owed),
        "paid": str(line.paid),
        "remaining": _money(line.remaining),
    }


@bp.get("/budgets")
def budget_overview():
    """The workspace's reward budget and each study's, per currency, and which are paused."""
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
