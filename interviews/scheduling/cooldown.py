"""The cooldown: someone interviewed lately is not asked again until a PM says so.
A rule over interviews, read before inviting one person (flows.invites) or listing
people like a map's actor (maps.outreach)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from interviews.errors import Conflict
from interviews.scheduling import team
from interviews.scheduling.models import InterviewStatus

# Interviews that count as "talked to them" for the cooldown: booked ones too, since
# an upcoming call is contact already.
COUNTS_FOR_COOLDOWN = (InterviewStatus.BOOKED, InterviewStatus.JOINED, InterviewStatus.COMPLETED)


class CooldownWarning(Conflict):
    """They were interviewed within the study's cooldown: confirm to invite anyway."""

    def __init__(self, message: str, recent: list[team.InterviewSummary]) -> None:
        super().__init__(message)
        self.recent = recent


def recent_interviews(
    workspace_id: int, participant_id: int, cooldown_days: int, now: datetime
) -> list[team.InterviewSummary]:
    """Their interviews that fall inside the cooldown (and upcoming ones), newest first."""
    since = now - timedelta(days=cooldown_days)
    return [
        item
        for item in team.interviews_of_participant(workspace_id, participant_id)
        if item.status in COUNTS_FOR_COOLDOWN and item.start >= since
    ]


@dataclass(frozen=True)
class ContactHistory:
    """What to know before inviting someone again."""

    last_interviewed: datetime | None  # their latest interview that has started
    last_study: str | None
    # Their latest interview inside the cooldown (an upcoming one counts): invite only
    # once the PM says so.
    within_cooldown: team.InterviewSummary | None


def contact_history(
    workspace_id: int, participant_ids: Iterable[int], cooldown_days: int, now: datetime
) -> dict[int, ContactHistory]:
    """Each person's last interview and whether they are within ``cooldown_days`` of
    one, by the same rule personal invites use."""
    since = now - timedelta(days=cooldown_days)
    history: dict[int, ContactHistory] = {}
    everyone = team.interviews_of_participants(workspace_id, list(participant_ids))
    for participant_id, interviews in everyone.items():  # each newest first
        counted = [i for i in interviews if i.status in COUNTS_FOR_COOLDOWN]
        held = next((i for i in counted if i.start <= now), None)
        recent = next((i for i in counted if i.start >= since), None)
        history[participant_id] = ContactHistory(
            last_interviewed=held.start if held else None,
            last_study=held.study_title if held else None,
            within_cooldown=recent,
        )
    return history
