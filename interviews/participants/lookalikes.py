"""Finding people on the panel by who they are: a segment and attribute values, as an
impact map's actor describes them ("find people like this"), or their ids. When they
were last interviewed is scheduling's to say (scheduling/cooldown.py).

Reads only; other areas reach the panel's tables through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from interviews.db import MAX_ID, db
from interviews.participants.models import Participant
from interviews.participants.service import ParticipantView, view_of

MAX_MATCHES = 500


@dataclass(frozen=True)
class Matches:
    people: list[ParticipantView]  # by name
    more: bool  # there are more than were returned


def _fold(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def _matches(row: Participant, segment: str, attributes: Mapping[str, str]) -> bool:
    if segment and _fold(row.segment) != segment:
        return False
    own = {_fold(k): _fold(v) for k, v in (row.attributes or {}).items()}
    return all(own.get(k) == v for k, v in attributes.items())


def participants_matching(
    workspace_id: int,
    segment: str,
    attributes: Mapping[str, str],
    limit: int = MAX_MATCHES,
) -> Matches:
    """The panel's people whose segment is ``segment`` (when given) and whose every
    attribute in ``attributes`` has that value, case and spacing ignored, by name; at
    most ``limit``. Erased people are never among them. No segment and no attributes
    match nobody: a search for "everyone" is a mistake, not a list."""
    segment = _fold(segment)
    wanted = {_fold(k): _fold(v) for k, v in attributes.items() if _fold(k)}
    if not segment and not wanted:
        return Matches([], False)
    limit = max(1, min(limit, MAX_MATCHES))
    query = (
        select(Participant)
        .options(selectinload(Participant.consents))
        .where(Participant.workspace_id == workspace_id, Participant.erased_at.is_(None))
        .order_by(func.lower(Participant.name), Participant.id)
    )
    # The segment column narrows in SQL; SQLite's lower() folds ASCII only, so a segment
    # with other letters is compared in Python alone. Attributes (JSON) are always read here.
    if segment and segment.isascii():
        query = query.where(func.lower(func.trim(Participant.segment)) == segment)
    found: list[ParticipantView] = []
    rows = db.session.scalars(query.execution_options(yield_per=200))
    try:
        for row in rows:
            if _matches(row, segment, wanted):
                if len(found) == limit:
                    return Matches(found, True)
                found.append(view_of(row))
    finally:
        rows.close()
    return Matches(found, False)


def people_by_id(workspace_id: int, ids: Iterable[int]) -> dict[int, ParticipantView]:
    """Several of the workspace's participants by id, erased ones included (their view
    says so); ids of others are left out."""
    wanted = sorted({i for i in ids if 0 < i <= MAX_ID})
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(Participant)
        .options(selectinload(Participant.consents))
        .where(Participant.workspace_id == workspace_id, Participant.id.in_(wanted))
    )
    return {row.id: view_of(row) for row in rows}
