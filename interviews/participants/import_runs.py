"""Running participant imports in the background, so that none is lost or done twice.

The database is the source of truth for an import, as for the outbox. Starting one
moves it to *queued* under a hand-off lease and gives it to an RQ worker (REDIS_URL) or
to a thread in this process. The run claims it (*running*, under a lease), then imports
the rows in chunks: each chunk is one transaction that also advances ``processed_rows``
and renews the lease, and commits only while the lease is still this run's. A killed
worker's lease runs out, the dispatcher's sweep hands the import on, and the next run
starts after the last committed chunk. Rows are matched by email, so a chunk run again
adds nobody twice.
"""
# Stays whole past 400 lines: the hand-off, the sweep and the run keep one lease protocol, easier to keep right read together.

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import and_, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from interviews.clock import utc_now
from interviews.db import UTCDateTime, db
from interviews.participants import csv_rows, personal_data
from interviews.participants.csv_rows import CsvProblem, Row, RowError, RowFields
from interviews.participants.models import ImportStatus, Participant, ParticipantImport
from interviews.participants.rules import InvalidField
from workers import defaults
from workers.queue import QueueUnavailable, enqueue

log = logging.getLogger(__name__)

# Rows listed in an import's error report; the counts still cover every row.
MAX_REPORTED_ERRORS = 5_000
ERASED = "This person asked to be erased, so they are not added again."
STOPPED = (
    "The import stopped because of an error on our side. The rows counted here were "
    "imported; import the file again to add the rest (those already in are merged)."
)
JOB = "workers.participants.run_import"
_ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def _setting(name: str) -> int:
    # Tests and deployments may tune these; the defaults module says what they mean.
    return int(current_app.config.get(name, getattr(defaults, name)))


def queued_until(now: datetime) -> datetime:
    """When a queued import nobody has taken is due for the sweep to hand on again."""
    return now + timedelta(seconds=_setting("IMPORT_QUEUE_LEASE_SECONDS"))


# --- handing off --------------------------------------------------------------------------


def hand_off(import_id: int) -> None:
    """To an RQ worker, or (no Redis, or Redis down) to a thread in this process."""
    if current_app.config.get("REDIS_URL"):
        try:
            enqueue(JOB, import_id)
            return
        except QueueUnavailable:
            log.warning("queue unavailable, importing participants (import %s) here", import_id)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(
        target=_run_in_thread, args=(app, import_id), name=f"import-{import_id}", daemon=True
    ).start()


def _run_in_thread(app: Flask, import_id: int) -> None:
    with app.app_context():
        try:
            run_import(import_id)
        except Exception:  # recorded on the import; the thread has no one else to tell
            log.exception("participant import %s failed", import_id)


def sweep_imports(now: datetime | None = None) -> int:
    """One sweep: hand on each import whose lease ran out (a worker died, or the job was
    lost with Redis), and delete the files of uploads left unmapped for a day. Returns
    how many imports were handed on. Safe to run in several places at once."""
    now = now or utc_now()
    abandoned = now - timedelta(hours=_setting("IMPORT_ABANDONED_HOURS"))
    db.session.execute(
        update(ParticipantImport)
        .where(
            ParticipantImport.status == ImportStatus.MAPPING,
            ParticipantImport.created_at <= abandoned,
        )
        .values(
            status=ImportStatus.FAILED,
            content="",
            finished_at=now,
            failure="Not started within a day of the upload, so the file was deleted. Upload it again to import it.",
        )
        .execution_options(synchronize_session=False)
    )
    due = db.session.execute(
        select(ParticipantImport.id, ParticipantImport.lease_expires_at).where(
            ParticipantImport.status.in_(_ACTIVE),
            or_(
                ParticipantImport.lease_expires_at.is_(None),
                ParticipantImport.lease_expires_at <= now,
            ),
        )
    ).all()
    queue_lease = queued_until(now)
    claimed = []
    for import_id, lease in due:
        unchanged = (
            ParticipantImport.lease_expires_at.is_(None)
            if lease is None
            else ParticipantImport.lease_expires_at == lease
        )
        taken = db.session.execute(
            update(ParticipantImport)
            .where(
                ParticipantImport.id == import_id,
                ParticipantImport.status.in_(_ACTIVE),
                unchanged,
            )
            .values(status=ImportStatus.QUEUED, lease_expires_at=queue_lease)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            claimed.append(import_id)
    db.session.commit()
    for import_id in claimed:
        try:
            _resume(import_id)
        except Exception:  # one broken import must not stop the others or the sweep
            db.session.rollback()
            log.exception("resuming participant import %s failed", import_id)
    return len(claimed)


def _resume(import_id: int) -> None:
    # Here, not in a thread: `interviews dispatch` is a process that exits after its sweep.
    if current_app.config.get("REDIS_URL"):
        try:
            enqueue(JOB, import_id)
            return
        except QueueUnavailable:
            log.warning("queue unavailable, resuming participant import %s here", import_id)
    run_import(import_id)


# --- the run ------------------------------------------------------------------------------


def run_import(import_id: int, chunks: int | None = None) -> str:
    """Claim the import and import its rows from where the last run stopped: all of them,
    or ``chunks`` chunks, after which a new job takes the rest. Returns what it did.

    Safe to run twice at once or again after a crash: only the run holding the lease
    commits. An unexpected error marks the import failed (the rows before it stay
    imported) and is raised again.
    """
    now = utc_now()
    lease = now + timedelta(seconds=_setting("IMPORT_LEASE_SECONDS"))
    claimed = db.session.execute(
        update(ParticipantImport)
        .where(
            ParticipantImport.id == import_id,
            or_(
                ParticipantImport.status == ImportStatus.QUEUED,
                and_(
                    ParticipantImport.status == ImportStatus.RUNNING,
                    ParticipantImport.lease_expires_at <= now,
                ),
            ),
        )
        .values(
            status=ImportStatus.RUNNING,
            lease_expires_at=lease,
            started_at=func.coalesce(ParticipantImport.started_at, literal(now, UTCDateTime())),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return "not claimed: finished, or another run holds it"
    return _run(import_id, lease, chunks)


def _run(import_id: int, lease: datetime, chunks: int | None) -> str:
    try:
        job = db.session.get(ParticipantImport, import_id)
        assert job is not None  # claimed above
        workspace_id, columns, mapping = job.workspace_id, list(job.columns), dict(job.mapping)
        start, errors = job.processed_rows, list(job.errors)
        try:
            rows = csv_rows.read_table(job.content).rows
        except CsvProblem as problem:
            rows, failure = (), problem.message
        else:
            failure = None
        db.session.expunge(job)  # the file's text: not kept in the session for the whole run
        db.session.rollback()
        if failure is not None:
            _close(import_id, lease, failure=failure)
            return "failed"
        size = _setting("IMPORT_CHUNK_ROWS")
        done = 0
        while start < len(rows):
            if chunks is not None and done >= chunks:
                return _continue_later(import_id, lease)
            chunk = rows[start : start + size]
            written = _write_chunk(
                workspace_id, import_id, chunk, columns, mapping, start, errors, lease
            )
            if written is None:
                return "stopped: another run took over"
            lease, errors = written
            start += len(chunk)
            done += 1
        _close(import_id, lease)
        return f"done: {len(rows)} rows"
    except Exception:
        db.session.rollback()
        # ``lease`` is the latest one, renewed by each chunk that committed.
        _close(import_id, lease, failure=STOPPED)
        raise


def _write_chunk(
    workspace_id: int,
    import_id: int,
    rows: tuple[Row, ...],
    columns: list[str],
    mapping: dict[str, str],
    processed: int,
    errors: list[dict[str, Any]],
    lease: datetime,
) -> tuple[datetime, list[dict[str, Any]]] | None:
    """Import these rows and record that they were, in one transaction; None when the
    lease is no longer this run's (nothing is written then)."""
    for attempt in (1, 2):
        try:
            return _chunk(workspace_id, import_id, rows, columns, mapping, processed, errors, lease)
        except IntegrityError:
            # Someone joined the panel with one of these addresses (a booking) between
            # reading and writing: read the panel again, once.
            db.session.rollback()
            if attempt == 2:
                raise
    return None


def _chunk(
    workspace_id: int,
    import_id: int,
    rows: tuple[Row, ...],
    columns: list[str],
    mapping: dict[str, str],
    processed: int,
    errors: list[dict[str, Any]],
    lease: datetime,
) -> tuple[datetime, list[dict[str, Any]]] | None:
    now = utc_now()
    results = [(row, csv_rows.read_row(row, columns, mapping)) for row in rows]
    emails = {result.email for _, result in results if isinstance(result, RowFields)}
    people: dict[str, Participant] = {}
    if emails:
        for person in db.session.scalars(
            select(Participant).where(
                Participant.workspace_id == workspace_id,
                # Stored lower-cased, as every way onto the panel writes them.
                Participant.email.in_(emails),
            )
        ):
            people[person.email] = person
        # Someone erased on request keeps only a keyed hash of their address: they are
        # recognised, and reported, instead of coming back as someone new.
        key = current_app.config["SECRET_KEY"].encode()
        unknown = {personal_data.email_fingerprint(key, e): e for e in emails - people.keys()}
        if unknown:
            for person in db.session.scalars(
                select(Participant).where(
                    Participant.workspace_id == workspace_id,
                    Participant.erased_email_hash.in_(unknown),
                )
            ):
                people[unknown[person.erased_email_hash]] = person
    created = merged = 0
    problems: list[RowError] = []
    for row, result in results:
        if isinstance(result, RowError):
            problems.append(result)
            continue
        person = people.get(result.email)
        if person is None:
            problem = csv_rows.new_person_problem(result)
            if problem:
                problems.append(RowError(row.number, problem))
                continue
            person = Participant(
                workspace_id=workspace_id,
                email=result.email,
                name=result.name,
                phone=result.phone,
                timezone=result.timezone or "UTC",
                company=result.company,
                role=result.role,
                segment=result.segment,
                attributes=dict(result.attributes),
                do_not_contact=False,
                created_at=now,
                updated_at=now,
            )
            db.session.add(person)
            people[result.email] = person
            created += 1
        elif person.erased_at is not None:
            problems.append(RowError(row.number, ERASED))
        else:
            try:
                attributes = csv_rows.merged_attributes(person.attributes or {}, result.attributes)
            except InvalidField as error:
                problems.append(RowError(row.number, error.message))
                continue
            for key, value in result.updates().items():
                setattr(person, key, value)
            # A new dict, so the JSON column sees the change. do_not_contact is never
            # touched: an import cannot undo someone's wish not to be contacted.
            person.attributes = attributes
            person.updated_at = now
            merged += 1
    db.session.flush()
    reported = errors + [
        {"row": p.row, "message": p.message}
        for p in problems[: max(0, MAX_REPORTED_ERRORS - len(errors))]
    ]
    renewed = now + timedelta(seconds=_setting("IMPORT_LEASE_SECONDS"))
    won = db.session.execute(
        update(ParticipantImport)
        .where(
            ParticipantImport.id == import_id,
            ParticipantImport.status == ImportStatus.RUNNING,
            ParticipantImport.lease_expires_at == lease,
            ParticipantImport.processed_rows == processed,
        )
        .values(
            processed_rows=processed + len(rows),
            created_count=ParticipantImport.created_count + created,
            merged_count=ParticipantImport.merged_count + merged,
            errors=reported,
            lease_expires_at=renewed,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        db.session.rollback()
        return None
    db.session.commit()
    return renewed, reported


def _continue_later(import_id: int, lease: datetime) -> str:
    """Back to queued for a new job, so no one job runs past its timeout."""
    now = utc_now()
    queued = db.session.execute(
        update(ParticipantImport)
        .where(
            ParticipantImport.id == import_id,
            ParticipantImport.status == ImportStatus.RUNNING,
            ParticipantImport.lease_expires_at == lease,
        )
        .values(
            status=ImportStatus.QUEUED,
            lease_expires_at=queued_until(now),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if queued and current_app.config.get("REDIS_URL"):
        try:
            enqueue(JOB, import_id)
        except QueueUnavailable:
            log.warning(
                "queue unavailable: the sweep will hand on participant import %s", import_id
            )
    return "continues in a new job"


def _close(import_id: int, lease: datetime, failure: str | None = None) -> None:
    """Done (or failed): the file's text is deleted, so the import keeps no copy of people."""
    try:
        db.session.execute(
            update(ParticipantImport)
            .where(
                ParticipantImport.id == import_id,
                ParticipantImport.status == ImportStatus.RUNNING,
                ParticipantImport.lease_expires_at == lease,
            )
            .values(
                status=ImportStatus.FAILED if failure else ImportStatus.DONE,
                failure=failure,
                content="",
                lease_expires_at=None,
                finished_at=utc_now(),
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        if failure is None:
            raise
        # Recording a failure failed too (the database is down): the lease runs out and
        # the sweep tries the import again.
        log.exception("could not mark participant import %s failed", import_id)
