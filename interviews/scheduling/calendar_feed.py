"""The host's calendar subscription: a secret URL serving the interviews they host or take
notes on, which their calendar app polls."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from interviews.accounts.models import User
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import NotFound
from interviews.scheduling import links
from interviews.scheduling.invites import InviteDetails, build_feed
from interviews.scheduling.invites import Person as InvitePerson
from interviews.scheduling.models import ACTIVE_STATUSES, CalendarFeedLink, Interview
from interviews.studies import service as studies
from interviews.tokens import hash_secret, new_secret

FEED_PAST_DAYS = 30


def new_feed_link(user_id: int) -> str:
    """A fresh secret subscription URL for the user's interviews; the previous one stops working."""
    token = new_secret()
    link = db.session.scalar(select(CalendarFeedLink).where(CalendarFeedLink.user_id == user_id))
    if link is None:
        link = CalendarFeedLink(user_id=user_id)
        db.session.add(link)
    link.token_hash = hash_secret(token)
    link.created_at = utc_now()
    db.session.commit()
    return f"{current_app.config['BASE_URL']}/calendar/{token}.ics"


def has_feed_link(user_id: int) -> bool:
    """Whether the person has made a subscription URL (its secret is shown only once)."""
    return (
        db.session.scalar(select(CalendarFeedLink.id).where(CalendarFeedLink.user_id == user_id))
        is not None
    )


def feed(token: str) -> str:
    """The calendar behind a subscription URL: the interviews this person hosts or takes
    notes on, from a month ago on.

    Raises NotFound for an unknown or replaced link.
    """
    link = db.session.scalar(
        select(CalendarFeedLink).where(CalendarFeedLink.token_hash == hash_secret(token))
    )
    if link is None:
        raise NotFound("This calendar link is not valid; make a new one on your Hours page.")
    person = db.session.get(User, link.user_id)
    now = utc_now()
    taking_notes = studies.studies_with_colleague(link.user_id)
    rows = list(
        db.session.scalars(
            select(Interview)
            .options(joinedload(Interview.study), joinedload(Interview.participant))
            .where(
                or_(Interview.host_id == link.user_id, Interview.study_id.in_(taking_notes)),
                Interview.status.in_(ACTIVE_STATUSES),
                Interview.end_at > now - timedelta(days=FEED_PAST_DAYS),
            )
            .order_by(Interview.start_at)
        )
    )
    hosts = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_({interview.host_id for interview in rows}))
        )
    }
    base = current_app.config["BASE_URL"]
    events = []
    for interview in rows:
        host = hosts[interview.host_id]
        role = "" if interview.host_id == person.id else f", taking notes for {host.name}"
        join = links.join_link(interview.study, interview)
        events.append(
            InviteDetails(
                uid=interview.ics_uid,
                sequence=interview.ics_sequence,
                start=interview.start_at,
                end=interview.end_at,
                summary=f"Interview: {interview.participant.name} ({interview.study.title}){role}",
                description=f"{base}/interviews/{interview.id}",
                location=join,
                organizer=InvitePerson(host.name, host.email),
                attendees=(),
                stamp=now,
                url=join,
            )
        )
    return build_feed(f"Interviews: {person.name}", events)
