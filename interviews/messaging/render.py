"""What a message says: the email an outbox row makes when it is due, rendered from the
interview and study as they are then, and the sample a study's own texts are previewed with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask import current_app, render_template

from interviews import message_texts as texts
from interviews.clock import utc_now
from interviews.compensation import offers
from interviews.errors import NotFound
from interviews.mail.compose import Attachment
from interviews.message_plan import Audience, MessageKind, describe_offset
from interviews.messaging.models import OutboxMessage
from interviews.money import Offer
from interviews.scheduling import hours, links
from interviews.scheduling.invites import build_invite
from interviews.scheduling.lifecycle import attendance_url
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.studies import service as studies
from interviews.studies.models import JoinMode

log = logging.getLogger(__name__)

_TEAM_SUBJECTS = {
    MessageKind.INVITE: "New interview: {participant}, {when}",
    MessageKind.RESCHEDULED: "Moved: interview with {participant}, now {when}",
    MessageKind.CANCELLED: "Cancelled: interview with {participant}",
    MessageKind.HOST_REMINDER: "In {offset}: interview with {participant}",
}
# The booking's own notices, which carry the calendar invite, and the event each names.
EVENTS = {
    MessageKind.CONFIRMATION: "booked",
    MessageKind.INVITE: "booked",
    MessageKind.RESCHEDULED: "rescheduled",
    MessageKind.CANCELLED: "cancelled",
}


@dataclass(frozen=True)
class Rendered:
    """An email ready for the mail area to queue."""

    recipient: str
    subject: str
    template: str
    context: dict
    sender_name: str
    reply_to: str | None
    attachments: tuple[Attachment, ...] = ()
    bodies: tuple[str, str] | None = None  # a study's own text, rendered: (text, HTML)


def message(
    row: OutboxMessage,
    interview: Interview,
    study: studies.StudyView,
    now: datetime,
    offer: Offer | None = None,
) -> Rendered:
    """The email an outbox row makes, from current data: to its participant (in the
    study's own words when it has them) or to its team member. ``offer``: what the
    interviewee is promised, when the caller already looked it up. Raises NotFound when
    that team member is no longer on the study."""
    participant = interview.participant
    cancelled = interview.status is InterviewStatus.CANCELLED
    token = None if cancelled else links.manage_token(interview)
    join_url = links.join_link(study, interview)
    context = {
        "event": EVENTS.get(row.kind, row.kind.value),
        "kind": row.kind.value,
        "study": _as_texts_see(study, join_url),
        "join_url": join_url,
        "participant": participant,
        "answers": interview.answers,
        "reason": interview.cancel_reason,
        "manage_url": links.manage_url(token) if token else None,
        "rebook_url": links.rebook_url(interview, study.slug),
        "interview_url": links.link(f"/interviews/{interview.id}"),
        "in_time": describe_offset(row.offset_minutes) if row.offset_minutes else "",
        # The thank-you this person is promised: their own offer, or the study's.
        "reward": (
            offer if offer is not None else offers.offer_for(study, interview.participant_id)
        ).describe(),
    }
    if row.kind is MessageKind.REWARD_SENT:
        context["given"] = offers.given_for_interview(interview.id)
    attachments: tuple[Attachment, ...] = ()
    if row.kind in EVENTS:
        method = "CANCEL" if row.kind is MessageKind.CANCELLED else "REQUEST"
        details = links.invite_details(study, interview, token, now, reward=context["reward"])
        ics = build_invite(details, method=method)
        attachments = (Attachment("interview.ics", f"text/calendar; method={method}", ics),)

    if row.audience is Audience.PARTICIPANT:
        when = links.when_text(interview.start_at, interview.end_at, interview.participant_timezone)
        context = {**context, "when": when}
        own = study.message_texts.get(row.kind.value)
        if own:
            return _render_own(row, study, participant.email, context, own)
        rendered = _render_default_participant(row, study, participant.email, context)
        if row.kind in EVENTS:  # the booking's own notices: the invite goes with them
            rendered = replace(rendered, template="interview_participant", attachments=attachments)
        return rendered

    reader = next(
        (p for p in (study.host, *study.colleagues) if p.user_id == row.recipient_user_id), None
    )
    if reader is None:
        raise NotFound("The team member this message was for is no longer on the study.")
    when = links.when_text(interview.start_at, interview.end_at, hours.timezone_of(reader.user_id))
    if row.kind is MessageKind.HOST_REMINDER:
        context["attendance"] = {
            status.value: attendance_url(interview, reader.user_id, status)
            for status in (
                InterviewStatus.JOINED,
                InterviewStatus.NO_SHOW,
                InterviewStatus.COMPLETED,
            )
        }
    return Rendered(
        recipient=reader.email,
        subject=_TEAM_SUBJECTS[row.kind].format(
            participant=participant.name, when=when, offset=context["in_time"]
        ),
        template="interview_team" if row.kind in EVENTS else f"messages/{row.kind.value}",
        context={**context, "when": when, "reader": reader},
        sender_name=participant.name,
        reply_to=participant.email,
        attachments=attachments,
    )


def _render_own(
    row: OutboxMessage, study: studies.StudyView, recipient: str, context: dict, own: dict
) -> Rendered:
    """A message in the study's own words (checked when saved; a text that fails now,
    say after a study field it used was emptied, falls back to the default)."""
    try:
        subject, body = texts.render(texts.Text(own["subject"], own["body"]), context)
    except texts.TextProblem:
        log.warning("study %s: own %s text failed, sending the default", study.id, row.kind)
        return _render_default_participant(row, study, recipient, context)
    html = render_template(
        "emails/own_words.html", subject=subject, body_html=texts.html_of(body), **context
    )
    return Rendered(
        recipient=recipient,
        subject=subject,
        template="own_words",
        context=context,
        sender_name=study.host.name,
        reply_to=study.host.email,
        bodies=(body, html),
    )


def _render_default_participant(
    row: OutboxMessage, study: studies.StudyView, recipient: str, context: dict
) -> Rendered:
    subject_source = texts.DEFAULT_SUBJECTS[row.kind]
    return Rendered(
        recipient=recipient,
        subject=texts.render(texts.Text(subject_source, ""), context)[0],
        template=f"messages/{row.kind.value}",
        context=context,
        sender_name=study.host.name,
        reply_to=study.host.email,
    )


def _as_texts_see(study: studies.StudyView, join_url: str) -> studies.StudyView:
    """The study as a message sees it. Texts written before join links came per host or
    per interview print {{ study.meeting_url }}: unless the study uses its fixed link,
    that name now says where this interview is joined."""
    if study.join_mode is JoinMode.FIXED:
        return study
    return replace(study, meeting_url=join_url)


def sample_context(study: studies.StudyView, kind: str) -> dict:
    """What a study's text is previewed and checked with: a made-up interviewee next week."""
    start = datetime.combine(
        (utc_now() + timedelta(days=7)).date(), datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=15)
    join_url = links.sample_join_link(study)
    return {
        "kind": kind,
        "study": _as_texts_see(study, join_url),
        "join_url": join_url,
        "participant": SampleParticipant("Pat Example", "pat@example.com", "+1 415 555 0100"),
        "when": links.when_text(start, start + study.duration, "America/New_York"),
        "in_time": describe_offset(min(study.messages.reminder_offsets or (60,))),
        "manage_url": links.link("/manage/sample-link"),
        "rebook_url": links.link(f"/book/{study.slug}?rebook=sample"),
        "answers": [],
        "reason": None,
        "event": kind,
        "interview_url": links.link("/interviews/0"),
        "reward": study.offer.describe(),
    }


@dataclass(frozen=True)
class SampleParticipant:
    name: str
    email: str
    phone: str


def default_text(kind: str) -> texts.Text:
    """The words a study starts from: our default subject and the default text's source."""
    env = current_app.jinja_env
    source, _, _ = env.loader.get_source(env, f"emails/messages/{kind}.txt")
    return texts.Text(texts.DEFAULT_SUBJECTS[MessageKind(kind)], source)


def preview(study: studies.StudyView, kind: str, text: texts.Text) -> tuple[str, str]:
    """(subject, body) of a text for the sample interviewee. Raises texts.TextProblem."""
    return texts.render(text, sample_context(study, kind))
