"""Tables owned by the scheduling area: host availability and the interviews booked."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.db import UTCDateTime, db, str_enum
from interviews.participants.models import Participant
from interviews.studies.models import Study


class HostSchedule(db.Model):
    """A host's bookable time, in their own zone. One per person, shared by all their studies.

    Its row is also the lock a booking takes: two bookings for one host queue up here.
    """

    __tablename__ = "host_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    booking_version: Mapped[int] = mapped_column(Integer, default=0)

    windows: Mapped[list[AvailabilityWindow]] = relationship(
        cascade="all, delete-orphan",
        order_by="(AvailabilityWindow.weekday, AvailabilityWindow.start_time)",
    )
    overrides: Mapped[list[AvailabilityOverride]] = relationship(
        cascade="all, delete-orphan",
        order_by="(AvailabilityOverride.day, AvailabilityOverride.start_time)",
    )


class AvailabilityWindow(db.Model):
    """Every <weekday> (0 = Monday) from start to end, on the host's wall clock."""

    __tablename__ = "availability_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("host_schedule.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class AvailabilityOverride(db.Model):
    """A day unlike the weekly pattern: rows with times are that day's windows; one row
    without times is a day off."""

    __tablename__ = "availability_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("host_schedule.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)


# Every interview's calendar UID ends in "@" + this: how our own events are told apart
# from the host's when their calendar is read.
ICS_UID_DOMAIN = "interview-desk"


class InterviewStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    JOINED = "joined"
    NO_SHOW = "no_show"
    COMPLETED = "completed"


# Interviews in these states hold their time on the host's calendar.
ACTIVE_STATUSES = (
    InterviewStatus.BOOKED,
    InterviewStatus.JOINED,
    InterviewStatus.COMPLETED,
    InterviewStatus.NO_SHOW,
)


class Interview(db.Model):
    __tablename__ = "interview"
    # A workspace's upcoming interviews, by status: what reward budgets count as committed.
    __table_args__ = (Index("ix_interview_workspace_id_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    host_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[InterviewStatus] = mapped_column(
        str_enum(InterviewStatus, "interview_status"),
    )
    # The participant's zone, for every message and page they see.
    participant_timezone: Mapped[str] = mapped_column(String(64))
    answers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # The manage link: only its hash is kept; cancelling retires it.
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The link's token is derived from this and the server's secret, so every message,
    # sent whenever it is due, can carry the same link; a new nonce retires the old link.
    manage_nonce: Mapped[str | None] = mapped_column(String(32))
    manage_token_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Calendar invites: one UID for the interview's whole life, SEQUENCE up on each change.
    ics_uid: Mapped[str] = mapped_column(String(120), unique=True)
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # Booked from the "sorry we missed you" link of this no-show: a recovered no-show
    # once this interview is completed.
    rebooked_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview.id", ondelete="SET NULL"), index=True
    )
    # The room made for this interview alone (a study whose join mode is "generated").
    join_url: Mapped[str | None] = mapped_column(String(500))

    study: Mapped[Study] = relationship()
    participant: Mapped[Participant] = relationship()


class CalendarFeedLink(db.Model):
    """A host's secret calendar subscription URL (webcal). Only its hash is kept."""

    __tablename__ = "calendar_feed_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarKind(enum.StrEnum):
    ICAL = "ical"  # a secret iCal address, read every BUSY_REFRESH_MINUTES
    CALDAV = "caldav"  # a calendar on a CalDAV account, read live (at most 60 s old)


class CalDavAccount(db.Model):
    """A host's login to a CalDAV server (Fastmail, iCloud, Nextcloud, Radicale...).

    The password is kept encrypted (interviews.secret_box) and never shown back.
    """

    __tablename__ = "caldav_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # What the host typed (server, principal or calendar address), and where discovery
    # found their principal.
    server_url: Mapped[str] = mapped_column(Text)
    principal_url: Mapped[str | None] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(254))
    password_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The last problem with the account itself (a refused login, an unreadable password).
    error: Mapped[str | None] = mapped_column(Text)

    calendars: Mapped[list[BusyCalendar]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="BusyCalendar.id"
    )


class BusyCalendar(db.Model):
    """A calendar of the host's own: its events block interviews, and (one per host, CalDAV
    only) interviews are written into it.

    An iCal calendar is read from its secret address in the background; a CalDAV one is
    read live for the span asked about (``covered_from``..``covered_until``, at most
    60 s old). The last good copy is kept either way: a calendar that starts failing goes
    on blocking what it held when it last worked, and the host sees the error.
    """

    __tablename__ = "busy_calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CalendarKind] = mapped_column(
        str_enum(CalendarKind, "calendar_kind"), default=CalendarKind.ICAL, server_default="ical"
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("caldav_account.id", ondelete="CASCADE"), index=True
    )
    # iCal: the feed address (secret). CalDAV: the calendar collection's address.
    url: Mapped[str] = mapped_column(Text)
    # The calendar's own name (X-WR-CALNAME or the collection's display name), once read.
    name: Mapped[str | None] = mapped_column(String(120))
    # Its events block interviews; interviews are written into it (at most one per host).
    blocks: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    write: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The last try, and the last try that worked.
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    # iCal: the last good copy, and the validators that let the server answer "not modified".
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # CalDAV: the span the stored busy time was last read for (at ``fetched_at``).
    covered_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    covered_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[CalDavAccount | None] = relationship(back_populates="calendars")


class BusyTime(db.Model):
    """One merged span of a busy calendar, expanded from its events (recurring included)."""

    __tablename__ = "busy_time"
    __table_args__ = (Index("ix_busy_time_user_id_start_at", "user_id", "start_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("busy_calendar.id", ondelete="CASCADE"), index=True
    )
    # The host, copied from the calendar: slot queries read busy time by host and time.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarWriteAction(enum.StrEnum):
    PUT = "put"  # create or update the interview's event
    DELETE = "delete"  # remove it (the interview was cancelled)


class CalendarWriteStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its due time (or its retry)
    SENDING = "sending"  # claimed by a worker until the lease runs out
    DONE = "done"
    FAILED = "failed"  # every attempt failed; the error says why
    VOID = "void"  # a later write of the same event replaced it


class CalendarWrite(db.Model):
    """The outbox of calendar writes: one interview's event put into (or removed from) one
    connected calendar. Written in the same transaction as the booking, move or cancel;
    the dispatcher sends it, and a failure is retried, never lost. Every attempt writes
    the event's own resource (``WrittenEvent.href``), so a retry never makes a second one.
    """

    __tablename__ = "calendar_write"
    __table_args__ = (Index("ix_calendar_write_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("busy_calendar.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[CalendarWriteAction] = mapped_column(
        str_enum(CalendarWriteAction, "calendar_write_action")
    )
    # The VCALENDAR to PUT (its UID is the interview's ics_uid); empty for a delete.
    body: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[CalendarWriteStatus] = mapped_column(
        str_enum(CalendarWriteStatus, "calendar_write_status")
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WrittenEvent(db.Model):
    """An interview's event as it stands in one connected calendar: its resource and the
    ETag of our last write (the next write is conditional on it)."""

    __tablename__ = "written_event"
    __table_args__ = (UniqueConstraint("calendar_id", "interview_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("busy_calendar.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    href: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
