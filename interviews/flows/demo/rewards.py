"""The demo's rewards: what the payout queue, the budgets page and the interviewees'
mailbox show a newcomer. Seeded through the compensation services, like a PM would."""

from __future__ import annotations

from datetime import timedelta

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import budgets
from interviews.compensation import service as compensation
from interviews.compensation.rules import RewardStatus
from interviews.flows import rewards as settling
from interviews.scheduling import team

# Who was thanked how, by name of the completed interviewee (oldest first in the demo):
# (status, days after the call it was settled, method, note for the "on its way" email).
SETTLED = {
    "Mei Lin": (
        RewardStatus.SENT,
        2,
        "AMZN-7Q2K-91XC-LM4P",
        "It comes from Amazon in a separate email; check your spam folder if you do not see it.",
    ),
    "Tom Okafor": (RewardStatus.SENT, 1, "AMZN-H8D3-TT2W-0Q9Z", ""),
    "Sara Kowalski": (
        RewardStatus.DONATED,
        3,
        "Donation receipt WWF-2026-18834",
        "As you asked: donated to WWF Poland in your name.",
    ),
}


def seed_rewards(owner: accounts.Member, study_id: int, held: list[tuple[int, str, str]]) -> None:
    """Rewards for the completed demo interviews: three settled (two sent, one donated),
    the rest still owed, one of them overdue; and a budget for the study and the team."""
    now = utc_now()
    for interview_id, name, status in held:
        if status != "completed":
            continue
        start = team.interview_detail(owner.workspace_id, interview_id).summary.start
        # Ben's call was marked completed only yesterday: owed, not overdue yet.
        owed_at = now - timedelta(days=1) if name == "Ben Fischer" else start + timedelta(hours=1)
        reward_id = compensation.owe_for_interview(owner.workspace_id, interview_id, owed_at)
        if name in SETTLED and reward_id is not None:
            outcome, days, method, note = SETTLED[name]
            settling.settle(
                owner,
                [reward_id],
                outcome,
                method=method,
                note=note,
                now=min(start + timedelta(days=days), now),
            )
    budgets.set_budget(owner, study_id, "USD", "600")
    budgets.set_budget(owner, None, "USD", "2500")
