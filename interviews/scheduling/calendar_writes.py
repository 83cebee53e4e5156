"""Interviews written into the team's own CalDAV calendars, through an outbox.

A booking, move or cancel plans one ``CalendarWrite`` per connected write calendar of the
people on the call, in the flow's own transaction (``plan_writes``). After its commit the
writes due now go to an RQ worker (REDIS_URL set) or are made in this process
(``send_soon``); the dispatcher's sweep takes whatever is due again: a retry, or a
hand-off that was lost (``dispatch_due``).

A write is claimed (sending, under a lease) and committed before the server hears of it,
and no transaction is open while it talks. Every write goes to the event's own resource,
named from its UID, and is conditional: a create says ``If-None-Match: *``, an update or
a delete ``If-Match`` with the ETag of our last write. A retry whose earlier attempt did
land (its answer lost) therefore finds the resource and writes over it: one event,
whatever happened. A server that is down delays a write (doubling waits from
MESSAGE_RETRY_SECONDS to MESSAGE_RETRY_MAX_SECONDS) and never loses it; after
CALENDAR_WRITE_MAX_ATTEMPTS it is marked failed, and its owner sees why
(``write_problems``). The HTTP side is ``event_resource``.
"""
# Stays whole past 400 lines: planning, claiming, recording and reporting a write all
# turn on one row's status (pending, sending, done, failed, void), best read in one place.

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urljoin

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from interviews.clock import utc_now
from interviews.db import db
from interviews.mail.rules import gives_up, retry_wait
from interviews.scheduling import event_resource, links
from interviews.scheduling.caldav import CalDavError, address_problem, client_for
from interviews.scheduling.event_resource import EventJob, WriteFailed
from interviews.scheduling.invites import build_invite
from interviews.scheduling.models import (
    BusyCalendar,
    CalendarKind,
    CalendarWrite,
    CalendarWriteAction,
    CalendarWriteStatus,
    Interview,
    InterviewStatus,
    WrittenEvent,
)
from interviews.studies import service as studies
from workers.queue import QueueUnavailable, enqueue

log = logging.getLogger(__name__)

BATCH = 50  # writes per worker job
OPEN = (CalendarWriteStatus.PENDING, CalendarWriteStatus.SENDING)
PUT, DELETE = CalendarWriteAction.PUT, CalendarWriteAction.DELETE


# --- planning, inside the flow's transaction ----------------------------------------------


def plan_writes(
    interview: Interview, study: studies.StudyView, now: datetime, *, where_written: bool = False
) -> list[int]:
    """Plan the interview's event in the write calendar of its host and of each of the
    study's note-takers: put (booked or moved) or removed (cancelled), and removed from a
    calendar that held it but is no longer one of theirs. Earlier writes of the same event
    not started yet are voided: the newest state wins. Inside the caller's transaction (no
    commit); returns the ids of the writes, all due now, for ``send_soon``.

    ``where_written``: only rewrite the event where it may already be (an erasure takes
    the person's name out of it), putting it nowhere new."""
    people = {interview.host_id, *(c.user_id for c in study.colleagues)}
    targets: set[int] = set()
    if not where_written and interview.status is not InterviewStatus.CANCELLED:
        targets = set(
            db.session.scalars(
                select(BusyCalendar.id).where(
                    BusyCalendar.user_id.in_(people),
                    BusyCalendar.kind == CalendarKind.CALDAV,
                    BusyCalendar.write.is_(True),
                )
            )
        )
    rows = db.session.scalars(
        select(CalendarWrite)
        .where(CalendarWrite.interview_id == interview.id)
        .order_by(CalendarWrite.id)
    ).all()
    maybe_there = _maybe_there(interview.id, rows)
    if where_written and interview.status is not InterviewStatus.CANCELLED:
        # Where it may be, and where a put still waits (it would write the old text).
        targets = maybe_there | {
            r.calendar_id
            for r in rows
            if r.action is PUT and r.status is CalendarWriteStatus.PENDING
        }
    if where_written and not (targets or maybe_there):
        return []
    body = event_body(interview, study, now) if targets else ""
    for row in rows:
        if row.status is CalendarWriteStatus.PENDING:
            row.status, row.lease_expires_at, row.updated_at = CalendarWriteStatus.VOID, None, now
            row.error = "replaced by a later change"
    planned: list[CalendarWrite] = []
    for calendar_id in sorted(targets | maybe_there):
        action = PUT if calendar_id in targets else DELETE
        planned.append(
            CalendarWrite(
                calendar_id=calendar_id,
                interview_id=interview.id,
                action=action,
                body=body if action is PUT else "",
                sequence=interview.ics_sequence,
                status=CalendarWriteStatus.PENDING,
                due_at=now,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
        )
    db.session.add_all(planned)
    db.session.flush()
    return [row.id for row in planned]


def forget_bodies(interview_ids: list[int]) -> int:
    """Empty the kept text of these interviews' writes that are over (done, replaced or
    given up): an erasure leaves no copy of the person's name in the outbox. Inside the
    caller's transaction; returns how many."""
    if not interview_ids:
        return 0
    return db.session.execute(
        update(CalendarWrite)
        .where(
            CalendarWrite.interview_id.in_(interview_ids),
            CalendarWrite.status.not_in(OPEN),
            CalendarWrite.body != "",
        )
        .values(body="")
    ).rowcount


def _maybe_there(interview_id: int, rows: list[CalendarWrite]) -> set[int]:
    """Calendars that may hold the interview's event: one we wrote and did not remove, or
    where a put was tried after the last removal (a timed-out attempt may have landed).
    A put never tried needs no removal: voiding it is enough."""
    written = db.session.scalars(
        select(WrittenEvent).where(WrittenEvent.interview_id == interview_id)
    ).all()
    there = {w.calendar_id for w in written if not w.deleted}
    removed: dict[int, int] = {}
    for row in rows:
        if row.action is DELETE and row.status is CalendarWriteStatus.DONE:
            removed[row.calendar_id] = row.id
    for row in rows:
        tried = row.attempts > 0 or row.status is CalendarWriteStatus.SENDING
        if row.action is PUT and tried and row.id > removed.get(row.calendar_id, 0):
            there.add(row.calendar_id)
    return there


def event_body(interview: Interview, study: studies.StudyView, now: datetime) -> str:
    """The interview as an event of the team's own calendar: the emailed invite's UID and
    SEQUENCE, who it is with, the join link in LOCATION and URL. No METHOD, organizer or
    attendees (invites.build_invite), and no manage link: that is the interviewee's own."""
    details = links.invite_details(study, interview, None, now, reward="")
    name = interview.participant.name
    page = links.link(f"/interviews/{interview.id}")
    description = "\n\n".join(
        part for part in (f"Interview with {name}.", details.description, page) if part
    )
    summary = f"Interview with {name}: {study.title}"
    return build_invite(replace(details, summary=summary, description=description), method=None)


# --- handing off, after the commit ---------------------------------------------------------


def send_soon(ids: list[int]) -> None:
    """After the caller's commit: make these writes now, in a worker or in this process."""
    if ids:
        _hand_off(ids, utc_now())


def dispatch_due(now: datetime | None = None, limit: int = 1000) -> int:
    """One sweep: hand every due write (a retry, or a hand-off that was lost) to a worker,
    or make it here. Returns how many."""
    now = now or utc_now()
    ids = list(
        db.session.scalars(
            select(CalendarWrite.id)
            .where(_due(now))
            .order_by(CalendarWrite.due_at, CalendarWrite.id)
            .limit(limit)
        )
    )
    db.session.commit()
    return _hand_off(ids, now) if ids else 0


def _due(now: datetime):
    return or_(
        and_(CalendarWrite.status == CalendarWriteStatus.PENDING, CalendarWrite.due_at <= now),
        and_(
            CalendarWrite.status == CalendarWriteStatus.SENDING,
            CalendarWrite.lease_expires_at <= now,
        ),
    )


def _hand_off(ids: list[int], now: datetime) -> int:
    """Enqueue the writes (those still due) for workers, or make them here; how many."""
    if current_app.config.get("REDIS_URL"):
        ids = _reserve(ids, now)
        try:
            for start in range(0, len(ids), BATCH):
                enqueue("workers.calendars.write_calendar_events", ids[start : start + BATCH])
            return len(ids)
        except QueueUnavailable:
            # Written here instead; a write a job already took is skipped by its claim.
            log.warning("queue unavailable, writing %s calendar events in this process", len(ids))
    return write_batch(ids)


def _reserve(ids: list[int], now: datetime) -> list[int]:
    """Make these rows (if still due) not due again for a hand-off lease, atomically: two
    sweeps never both enqueue one, and a job lost with Redis is found again later. A
    write left sending past its lease (its worker died mid-way) is pending again."""
    lease = timedelta(seconds=current_app.config["MESSAGE_QUEUE_LEASE_SECONDS"])
    reserved: list[int] = []
    for start in range(0, len(ids), 500):
        reserved.extend(
            db.session.scalars(
                update(CalendarWrite)
                .where(CalendarWrite.id.in_(ids[start : start + 500]), _due(now))
                .values(
                    status=CalendarWriteStatus.PENDING,
                    due_at=now + lease,
                    lease_expires_at=None,
                    updated_at=now,
                )
                .returning(CalendarWrite.id)
            )
        )
    db.session.commit()
    return sorted(reserved)


# --- writing, in a worker or here ----------------------------------------------------------


def write_batch(ids: list[int]) -> int:
    """Make each of these writes that is still to be made, one claim at a time. Returns
    how many this call claimed; safe to run twice with the same ids."""
    claimed = 0
    for write_id in ids:
        if not _claim(write_id, utc_now()):
            continue
        claimed += 1
        try:
            _write_claimed(write_id)
        except Exception:  # one broken write must not stop the others, nor fail a booking
            db.session.rollback()
            log.exception("calendar write %s failed unexpectedly", write_id)
            row = db.session.get(CalendarWrite, write_id)
            if row is not None:
                _failed(row, WriteFailed("The write failed unexpectedly; it will be tried again."))
    return claimed


def _claim(write_id: int, now: datetime) -> bool:
    """pending (or sending past its lease) -> sending, under a lease, in one statement;
    never while an earlier write of the same event is being made."""
    config = current_app.config
    # Long enough for the few requests of one write, each up to CALDAV_TIMEOUT.
    seconds = max(config["MESSAGE_SEND_LEASE_SECONDS"], 10 * config["CALDAV_TIMEOUT"])
    other = aliased(CalendarWrite)
    in_flight = exists().where(
        other.calendar_id == CalendarWrite.calendar_id,
        other.interview_id == CalendarWrite.interview_id,
        other.id != CalendarWrite.id,
        other.status == CalendarWriteStatus.SENDING,
        other.lease_expires_at > now,
    )
    taken = db.session.execute(
        update(CalendarWrite)
        .where(
            CalendarWrite.id == write_id,
            or_(
                CalendarWrite.status == CalendarWriteStatus.PENDING,
                and_(
                    CalendarWrite.status == CalendarWriteStatus.SENDING,
                    CalendarWrite.lease_expires_at <= now,
                ),
            ),
            ~in_flight,
        )
        .values(
            status=CalendarWriteStatus.SENDING,
            lease_expires_at=now + timedelta(seconds=seconds),
            attempts=CalendarWrite.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(taken)


def _write_claimed(write_id: int) -> None:
    """Speak to the calendar's server for a write this process claimed, then record what
    happened."""
    row = db.session.get(CalendarWrite, write_id)
    if row is None:  # its calendar was removed meanwhile
        return
    calendar = db.session.get(BusyCalendar, row.calendar_id)
    reason = _pointless(row, calendar)
    if reason:
        _finish(row, CalendarWriteStatus.VOID, error=reason)
        return
    written = db.session.scalar(
        select(WrittenEvent).where(
            WrittenEvent.calendar_id == row.calendar_id,
            WrittenEvent.interview_id == row.interview_id,
        )
    )
    uid = db.session.scalar(select(Interview.ics_uid).where(Interview.id == row.interview_id))
    job = EventJob(
        put=row.action is PUT,
        calendar_url=calendar.url,
        href=written.href if written else event_resource.resource_url(calendar.url, uid),
        # The ETag of what we last put there; None: nothing of ours is known to be there.
        etag=written.etag if written and not written.deleted else None,
        body=row.body,
        uid=uid,
    )
    # Addresses come from the server (discovery, an existing event's name): each is held
    # to the rule every read is, so no server can point a write at this network.
    allow_private = current_app.config["BUSY_FEED_ALLOW_PRIVATE"]
    for address in (job.calendar_url, urljoin(job.calendar_url, job.href)):
        problem = address_problem(address, allow_private=allow_private)
        if problem:
            _failed(row, WriteFailed(problem, permanent=True))
            return
    try:
        client = client_for(calendar.account, timeout=current_app.config["CALDAV_TIMEOUT"])
    except CalDavError as unreadable:
        _failed(row, WriteFailed(unreadable.message))
        return
    db.session.commit()  # no transaction stays open while the server is spoken to
    try:
        href, etag = event_resource.write(client, job)
    except WriteFailed as failure:
        row = db.session.get(CalendarWrite, write_id)
        if row is not None:
            _failed(row, failure)
        return
    finally:
        client.close()
    _done(write_id, href, etag)


def _pointless(row: CalendarWrite, calendar: BusyCalendar | None) -> str | None:
    """Why a claimed write is not to be made after all; None to make it."""
    newer = db.session.scalar(
        select(CalendarWrite.id).where(
            CalendarWrite.calendar_id == row.calendar_id,
            CalendarWrite.interview_id == row.interview_id,
            CalendarWrite.id > row.id,
            CalendarWrite.status != CalendarWriteStatus.VOID,
        )
    )
    if newer is not None:
        return "replaced by a later change"
    if calendar is None or calendar.kind is not CalendarKind.CALDAV or calendar.account is None:
        return "the calendar is no longer connected"
    if row.action is PUT and not calendar.write:
        return "interviews are no longer written into this calendar"
    return None


def _done(write_id: int, href: str, etag: str | None) -> None:
    now = utc_now()
    row = db.session.get(CalendarWrite, write_id)
    if row is None:  # the calendar was removed while we wrote: nothing to keep
        db.session.commit()
        return
    written = db.session.scalar(
        select(WrittenEvent).where(
            WrittenEvent.calendar_id == row.calendar_id,
            WrittenEvent.interview_id == row.interview_id,
        )
    )
    if written is None:
        written = WrittenEvent(calendar_id=row.calendar_id, interview_id=row.interview_id)
        db.session.add(written)
    written.href, written.etag, written.sequence = href, etag, row.sequence
    written.deleted, written.updated_at = row.action is DELETE, now
    row.done_at = now
    _finish(row, CalendarWriteStatus.DONE, error=None)


def _failed(row: CalendarWrite, failure: WriteFailed) -> None:
    """Due again after a doubling wait, or failed for good: the host sees the error."""
    config = current_app.config
    log.warning("calendar write %s failed: %s", row.id, failure.message)
    if gives_up(row.attempts, config["CALENDAR_WRITE_MAX_ATTEMPTS"], failure.permanent):
        _finish(row, CalendarWriteStatus.FAILED, error=failure.message)
        return
    row.due_at = utc_now() + retry_wait(
        row.attempts, config["MESSAGE_RETRY_SECONDS"], config["MESSAGE_RETRY_MAX_SECONDS"]
    )
    _finish(row, CalendarWriteStatus.PENDING, error=failure.message)


def _finish(row: CalendarWrite, status: CalendarWriteStatus, *, error: str | None) -> None:
    row.status, row.error, row.lease_expires_at, row.updated_at = status, error, None, utc_now()
    db.session.commit()


# --- what the host sees --------------------------------------------------------------------


@dataclass(frozen=True)
class WriteProblem:
    """An interview's event that could not be put into (or removed from) a calendar."""

    calendar_id: int
    calendar: str  # its name, or its address
    interview_id: int
    starts_at: datetime
    removal: bool  # the interview was cancelled and its event is to go
    failed: bool  # given up; otherwise tried again at ``next_try``
    error: str
    attempts: int
    next_try: datetime | None


def write_problems(user_id: int) -> list[WriteProblem]:
    """Writes into this person's calendars that failed, or failed and are being retried,
    newest first; a write a later change replaced is not a problem any more."""
    later = aliased(CalendarWrite)
    replaced = exists().where(
        later.calendar_id == CalendarWrite.calendar_id,
        later.interview_id == CalendarWrite.interview_id,
        later.id > CalendarWrite.id,
        later.status != CalendarWriteStatus.VOID,
    )
    rows = db.session.execute(
        select(CalendarWrite, BusyCalendar.name, BusyCalendar.url, Interview.start_at)
        .join(BusyCalendar, BusyCalendar.id == CalendarWrite.calendar_id)
        .join(Interview, Interview.id == CalendarWrite.interview_id)
        .where(
            BusyCalendar.user_id == user_id,
            CalendarWrite.error.is_not(None),
            CalendarWrite.status.in_((*OPEN, CalendarWriteStatus.FAILED)),
            ~replaced,
        )
        .order_by(CalendarWrite.updated_at.desc(), CalendarWrite.id.desc())
        .limit(50)
    ).all()
    return [
        WriteProblem(
            calendar_id=row.calendar_id,
            calendar=name or url,
            interview_id=row.interview_id,
            starts_at=start_at,
            removal=row.action is DELETE,
            failed=row.status is CalendarWriteStatus.FAILED,
            error=row.error or "",
            attempts=row.attempts,
            next_try=row.due_at if row.status is CalendarWriteStatus.PENDING else None,
        )
        for row, name, url, start_at in rows
    ]
