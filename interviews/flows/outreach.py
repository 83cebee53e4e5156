"""Invite people from a map's actor: each chosen person on the panel gets a personal
invite to a published study, one transaction per person."""

from __future__ import annotations

from collections.abc import Iterable

from interviews.accounts import service as accounts
from interviews.db import db
from interviews.errors import Conflict, DomainError, refuse_all
from interviews.flows import invites
from interviews.maps import outreach
from interviews.maps import service as maps
from interviews.participants import lookalikes
from interviews.participants import service as participants
from interviews.scheduling import cooldown
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus


def invite_people(
    actor: accounts.Member,
    actor_id: int,
    study_id: int,
    participant_ids: Iterable[int],
    *,
    note: str = "",
    despite_cooldown: bool = False,
) -> outreach.InviteReport:
    """Send each chosen person a personal invite to a published study, from the PM.

    Each invite is its own transaction, so one refusal never undoes the others; people
    who asked not to be contacted are skipped, and so are people within the study's
    cooldown unless ``despite_cooldown``. Raises Forbidden, NotFound (the actor or the
    study), InvalidInput (not an actor, nobody chosen, note too long), Conflict (the
    study is not published), before anyone is invited.
    """
    maps.require_editor(actor, "invite people from them")
    outreach.actor_node(actor.workspace_id, actor_id)
    ids = outreach.chosen(participant_ids)
    refuse_all(outreach.invite_problems(ids, note))
    study = studies.get_study(actor.workspace_id, study_id)
    if study.status is not StudyStatus.PUBLISHED:
        raise Conflict("Publish the study first: a personal link books into its open times.")
    people = lookalikes.people_by_id(actor.workspace_id, ids)
    report = outreach.InviteReport([], [], [], [], [])
    for participant_id in ids:
        person = people.get(participant_id)
        if person is None:
            report.refused.append((f"#{participant_id}", "not on this workspace's panel"))
            continue
        try:
            sent = invites.send_invite(
                actor, person.id, study.id, note=note, despite_cooldown=despite_cooldown
            )
        except cooldown.CooldownWarning:
            report.within_cooldown.append(person.name)
        except participants.DoNotContact:
            report.do_not_contact.append(person.name)
        except DomainError as error:  # erased, the budget ran out, ...
            report.refused.append((person.name, error.message))
        else:
            report.invited.append(person.name)
            if sent.delivery.failed:
                report.undelivered.append((person.name, sent.delivery.error or ""))
            continue
        db.session.rollback()
    return report
