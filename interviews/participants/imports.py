"""Importing participants from a CSV file: the researcher's steps. Upload the file (kept
until the import is done), map its columns to fields, start it (it runs in the
background: import_runs), and read its progress and result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from sqlalchemy import delete, select, update
from sqlalchemy.orm import defer

from interviews.accounts.service import Member
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, Forbidden, InvalidInput, NotFound, refuse_all
from interviews.participants import csv_rows, import_runs
from interviews.participants.csv_rows import CsvProblem, RowError
from interviews.participants.models import ImportStatus, ParticipantImport
from interviews.participants.rules import MAX_ATTRIBUTE_KEY, MAX_ATTRIBUTES
from interviews.spreadsheet import csv_row

RECENT_IMPORTS = 20


@dataclass(frozen=True)
class ImportView:
    """An import as its pages show it: what was read, added, merged and skipped."""

    id: int
    filename: str
    status: ImportStatus
    total_rows: int
    processed_rows: int
    created: int
    merged: int
    failure: str | None
    created_at: datetime
    finished_at: datetime | None

    @property
    def skipped(self) -> int:
        return self.processed_rows - self.created - self.merged

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        return 100 * self.processed_rows // self.total_rows if self.total_rows else 0


@dataclass(frozen=True)
class MappingStep:
    """The columns, the mapping so far (a guess until chosen) and the file's first rows."""

    columns: tuple[str, ...]
    mapping: dict[str, str]
    preview: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ImportPage:
    view: ImportView
    mapping: MappingStep | None  # only while the columns wait to be mapped
    errors: tuple[RowError, ...]


def _view(job: ParticipantImport) -> ImportView:
    return ImportView(
        id=job.id,
        filename=job.filename,
        status=job.status,
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        created=job.created_count,
        merged=job.merged_count,
        failure=job.failure,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def _own(workspace_id: int, import_id: int, *, errors: bool = True) -> ParticipantImport:
    # The file (up to 5 MB) is loaded only where it is read; the error list only if shown.
    deferred = [defer(ParticipantImport.content)]
    if not errors:
        deferred.append(defer(ParticipantImport.errors))
    job = db.session.scalar(
        select(ParticipantImport)
        .options(*deferred)
        .where(ParticipantImport.id == import_id, ParticipantImport.workspace_id == workspace_id)
    )
    if job is None:
        raise NotFound("No such import in this workspace.")
    return job


def _editor(member: Member) -> None:
    if not member.can_edit:
        raise Forbidden("Viewers cannot import participants. Ask an owner for the researcher role.")


# --- reading ------------------------------------------------------------------------------


def recent_imports(workspace_id: int) -> list[ImportView]:
    """The workspace's latest imports, newest first."""
    jobs = db.session.scalars(
        select(ParticipantImport)
        .options(defer(ParticipantImport.content), defer(ParticipantImport.errors))
        .where(ParticipantImport.workspace_id == workspace_id)
        .order_by(ParticipantImport.id.desc())
        .limit(RECENT_IMPORTS)
    )
    return [_view(job) for job in jobs]


def get_import(workspace_id: int, import_id: int) -> ImportView:
    """One import's progress. Raises NotFound for another workspace's."""
    return _view(_own(workspace_id, import_id, errors=False))


def import_page(workspace_id: int, import_id: int) -> ImportPage:
    """An import with its mapping step (before it starts) or its error report.
    Raises NotFound for another workspace's."""
    job = _own(workspace_id, import_id)
    step = None
    if job.status is ImportStatus.MAPPING:
        width = len(job.columns)
        rows = csv_rows.read_table(job.content, limit=csv_rows.PREVIEW_ROWS).rows
        step = MappingStep(
            columns=tuple(job.columns),
            mapping=dict(job.mapping),
            preview=tuple(
                tuple(row.cells[:width]) + ("",) * (width - len(row.cells)) for row in rows
            ),
        )
    errors = tuple(RowError(e["row"], e["message"]) for e in job.errors)
    return ImportPage(view=_view(job), mapping=step, errors=errors)


def error_report(workspace_id: int, import_id: int) -> str:
    """The rows that were skipped and why, as CSV text. Raises NotFound."""
    job = _own(workspace_id, import_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Row", "Problem"])
    for error in job.errors:
        # A problem quotes the uploaded cell: it must not come back as a formula.
        writer.writerow(csv_row([error["row"], error["message"]]))
    return out.getvalue()


# --- the researcher's steps ---------------------------------------------------------------


def _filename(raw: str) -> str:
    name = PurePosixPath((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "participants.csv"


def upload_import(member: Member, filename: str, data: bytes) -> int:
    """Keep an uploaded CSV file for its column mapping, with a first guess at it.

    Raises Forbidden for a viewer, InvalidInput when the file cannot be imported (then
    nothing is kept).
    """
    _editor(member)
    try:
        text = csv_rows.decode(data)
        table = csv_rows.read_table(text)
    except CsvProblem as problem:
        raise InvalidInput(problem.message, field="file") from None
    job = ParticipantImport(
        workspace_id=member.workspace_id,
        created_by=member.user_id,
        filename=_filename(filename),
        content=text,
        columns=list(table.columns),
        mapping=csv_rows.guess_mapping(table.columns),
        status=ImportStatus.MAPPING,
        total_rows=len(table.rows),
        processed_rows=0,
        created_count=0,
        merged_count=0,
        errors=[],
        created_at=utc_now(),
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def column_field(position: int) -> str:
    """The name a problem with the column at ``position`` is reported under: the id of
    its select on the mapping page."""
    return f"column-{position}"


def mapping_problems(columns: Sequence[str], choices: Mapping[int, str]) -> list[InvalidInput]:
    """Every problem with a column mapping at once, in column order, each at the column it
    is about (column_field): the same rules as csv_rows.check_mapping, which says only the
    first. ``choices``: column position -> field; a column not chosen is skipped."""
    found: list[tuple[int, str]] = []
    by_field: dict[str, list[int]] = {}
    for i, column in enumerate(columns):
        choice = choices.get(i, csv_rows.SKIP)
        if choice not in csv_rows.CHOICES:
            found.append((i, f"Choose what the column “{column}” holds."))
            continue
        by_field.setdefault(choice, []).append(i)
    if not by_field.get(csv_rows.EMAIL) and columns:
        found.append(
            (0, "Choose the column that holds the email addresses: each person is matched by it.")
        )
    for name in csv_rows.SINGLE:
        chosen = by_field.get(name, [])
        if len(chosen) > 1:
            listed = " and ".join(f"“{columns[i]}”" for i in chosen)
            found.append(
                (
                    chosen[1],
                    f"Only one column can be the {csv_rows.CHOICES[name].lower()}; "
                    f"you chose {listed}.",
                )
            )
    attributes = by_field.get(csv_rows.ATTRIBUTE, [])
    for i in attributes:
        if len(columns[i]) > MAX_ATTRIBUTE_KEY:
            found.append(
                (
                    i,
                    f"The column name “{columns[i][:40]}…” is too long for an attribute "
                    f"(at most {MAX_ATTRIBUTE_KEY} characters): skip that column.",
                )
            )
    if len(attributes) > MAX_ATTRIBUTES:
        found.append(
            (
                attributes[MAX_ATTRIBUTES],
                f"At most {MAX_ATTRIBUTES} columns can be kept as attributes; you chose "
                f"{len(attributes)}. Skip the ones you do not need.",
            )
        )
    found.sort(key=lambda problem: problem[0])  # stable: a column's problems keep their order
    return [InvalidInput(message, field=column_field(i)) for i, message in found]


def start_import(member: Member, import_id: int, choices: Mapping[int, str]) -> None:
    """Import the rows in the background, with ``choices`` (column position -> field;
    a column not chosen is skipped).

    Raises NotFound, Conflict when it has started already, InvalidInput with every
    problem of a mapping that cannot be used (mapping_problems; then nothing changes).
    """
    _editor(member)
    job = _own(member.workspace_id, import_id)
    if job.status is not ImportStatus.MAPPING:
        raise Conflict("This import has started already.")
    refuse_all(mapping_problems(job.columns, choices))
    chosen = {column: choices.get(i, csv_rows.SKIP) for i, column in enumerate(job.columns)}
    try:
        mapping = csv_rows.check_mapping(job.columns, chosen)
    except CsvProblem as problem:  # the reader's own rules, should they ever say more
        raise InvalidInput(problem.message, field="mapping") from None
    now = utc_now()
    started = db.session.execute(
        update(ParticipantImport)
        .where(ParticipantImport.id == import_id, ParticipantImport.status == ImportStatus.MAPPING)
        .values(
            mapping=mapping,
            status=ImportStatus.QUEUED,
            lease_expires_at=import_runs.queued_until(now),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not started:  # a second click, in another tab, got there first
        db.session.rollback()
        raise Conflict("This import has started already.")
    db.session.commit()
    import_runs.hand_off(import_id)


def discard_import(member: Member, import_id: int) -> None:
    """Delete an upload that was never started, with its copy of the file.
    Raises NotFound, Conflict once it has started."""
    _editor(member)
    _own(member.workspace_id, import_id)
    gone = db.session.execute(
        delete(ParticipantImport)
        .where(ParticipantImport.id == import_id, ParticipantImport.status == ImportStatus.MAPPING)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not gone:
        db.session.rollback()
        raise Conflict("This import has started; its file is deleted when it finishes.")
    db.session.commit()
