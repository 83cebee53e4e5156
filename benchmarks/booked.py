"""Seed data the outbox benchmarks share: a host with a published study and many
interviews booked for tomorrow, inserted in bulk; and finding a worker's work horse."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from interviews.accounts import service as accounts
from interviews.db import db
from interviews.participants.models import Participant
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus


def booked_interviews(count: int, name: str) -> tuple[int, list[int]]:
    """A host (host@<name>.example), a published study and ``count`` interviews with a
    participant each, tomorrow. Returns (the workspace id, the interview ids in order)."""
    domain = f"{name.lower()}.example"
    user = accounts.sign_up(
        workspace_name=name, name="Host", email=f"host@{domain}", password="bench-password-1"
    )
    host = accounts.current_member(user.id, None)
    study = studies.create_study(
        host,
        studies.StudyDraft(
            title=f"{name} study",
            host_user_id=host.user_id,
            meeting_url=f"https://meet.example.com/{name.lower()}",
            reward_text="a $20 gift card",
        ),
    )
    studies.set_status(host, study.id, StudyStatus.PUBLISHED)
    now = datetime.now(UTC)
    start = now + timedelta(days=1)
    db.session.execute(
        insert(Participant),
        [
            {
                "workspace_id": host.workspace_id,
                "email": f"p{n}@{domain}",
                "name": f"Participant {n}",
                "phone": "",
                "timezone": "Europe/Berlin",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ],
    )
    people = list(db.session.scalars(select(Participant.id).order_by(Participant.id)))
    db.session.execute(
        insert(Interview),
        [
            {
                "workspace_id": host.workspace_id,
                "study_id": study.id,
                "participant_id": pid,
                "host_id": host.user_id,
                "start_at": start,
                "end_at": start + timedelta(minutes=45),
                "status": InterviewStatus.BOOKED,
                "participant_timezone": "Europe/Berlin",
                "answers": [],
                "manage_token_hash": uuid.uuid4().hex,
                "manage_nonce": uuid.uuid4().hex[:32],
                "ics_uid": uuid.uuid4().hex,
                "ics_sequence": 0,
                "created_at": now,
                "updated_at": now,
            }
            for pid in people
        ],
    )
    ids = list(db.session.scalars(select(Interview.id).order_by(Interview.id)))
    return host.workspace_id, ids


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (an rq worker's work horse), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found
