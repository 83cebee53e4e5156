"""Public (interviewee) endpoints: no account, rate limited, scoped to one study or one link."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from flask import Blueprint, current_app, jsonify
from flask import Response as FlaskResponse
from pydantic import BaseModel, Field, RootModel

from interviews import dates
from interviews.api.contract import Day, Error, ErrorDetail, Filled, Instant, Query, operation
from interviews.clock import utc_now
from interviews.extensions import limiter
from interviews.flows import booking
from interviews.flows import cancel as cancelling
from interviews.flows import move as moving
from interviews.scheduling import service as scheduling
from interviews.scheduling.slots import Interval

bp = Blueprint("public_api", __name__, url_prefix="/api/v1/public")


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


limiter.limit(_public_limit)(bp)

NOT_FOUND = "No such published study, or the link is wrong or no longer works"


def public(operation_id: str, ok: tuple[int, Any, str], **declared: Any):
    """``operation`` for these endpoints: no token, rate limited."""
    return operation(operation_id, ok, public=True, rate_limited=True, **declared)


class Slot(BaseModel):
    start: Instant
    end: Instant


class SlotList(BaseModel):
    timezone: str
    slots: list[Slot]


class SlotTaken(BaseModel):
    """The time was just taken or is no longer open; fresh slots from that day on."""

    error: ErrorDetail
    slots: list[Slot]


class BookingRefused(RootModel[SlotTaken | Error]):
    """A time no longer free (fresh slots attached), or a study that takes no booking now."""


class Booking(BaseModel):
    interview_id: int
    start: Instant
    end: Instant
    manage_url: str = Field(json_schema_extra={"format": "uri"})
    ics_url: str = Field(json_schema_extra={"format": "uri"})


class Days(Query):
    from_: Day | None = Field(
        None,
        alias="from",
        description="First local day, 2000 to 2100 (default: today in `timezone`)",
    )
    to: Day | None = Field(
        None,
        description="Last local day, 2000 to 2100, at most 62 days after `from` (default: "
        "`from` + 13 days)",
    )
    timezone: str = Field("UTC", description="IANA zone the days are read in, e.g. Europe/Berlin")

    def window(self) -> tuple[date, date, str]:
        """The days asked for, in the viewer's zone: by default the next 14 from today."""
        today = utc_now().astimezone(dates.zone_of(self.timezone)).date()
        first = self.from_ or today
        last = self.to or min(first + timedelta(days=13), dates.LATEST_DAY)
        return first, last, self.timezone


def _iso(value) -> str:
    return value.isoformat()


def _slots_json(slots: list[Interval]) -> list[dict[str, str]]:
    return [{"start": _iso(s.start), "end": _iso(s.end)} for s in slots]


def _booking_json(booked: scheduling.Booking) -> dict[str, Any]:
    return {
        "interview_id": booked.interview_id,
        "start": _iso(booked.start),
        "end": _iso(booked.end),
        "manage_url": booked.manage_url,
        "ics_url": booked.ics_url,
    }


def _week_from(start: str) -> tuple[date, date]:
    """The week of days from a refused start's day (UTC), for the fresh slots of a 409."""
    # Written in the window, a time can still fall a day past it in UTC.
    day = min(dates.parse_instant(start, "`start`", "start").date(), dates.LATEST_DAY)
    return day, min(day + timedelta(days=6), dates.LATEST_DAY)


def _taken(error: scheduling.SlotTaken, fresh: list[Interval]):
    response = jsonify(
        error={"code": error.code, "message": error.message}, slots=_slots_json(fresh)
    )
    response.status_code = 409
    return response


@bp.get("/studies/<slug>/slots")
@public("listStudySlots", ok=(200, SlotList, "Free slots"), errors={404: NOT_FOUND})
def slots(slug: str, query: Days):
    """Free slots of a published study, on the viewer's local days."""
    first, last, timezone = query.window()
    found = booking.public_slots(slug, first, last, timezone)
    return jsonify(timezone=timezone, slots=_slots_json(found))


class BookingRequest(BaseModel):
    name: Filled
    email: Filled = Field(json_schema_extra={"format": "email"})
    phone: str | None = Field(
        None, description="With country code; required unless the study says otherwise"
    )
    timezone: str | None = Field(
        None, description="The interviewee's IANA zone, for their messages (default UTC)"
    )
    start: Filled = Field(
        json_schema_extra={"format": "date-time"}, description="A slot's start, as listed"
    )
    answers: list[str] | None = Field(None, description="One per study question")
    rebook: str | None = Field(
        None,
        description="From a 'sorry we missed you' link: links this booking to the missed "
        "interview; 404 when it is not a link of this study, as for `invite`",
    )
    invite: str | None = Field(
        None,
        description="From a personal invite link: books the invited person (their email, "
        "whatever `email` says), once; 410 once used, withdrawn or expired",
    )


@bp.post("/studies/<slug>/bookings")
@public(
    "createBooking",
    ok=(201, Booking, "Booked"),
    errors={
        404: NOT_FOUND,
        409: (
            BookingRefused,
            "The time was just taken or is no longer open (fresh slots attached), or the "
            "study is not taking new bookings right now (code `budget_exhausted`)",
        ),
        410: "The personal invite link was used, withdrawn or has expired",
    },
)
def book(slug: str, json: BookingRequest):
    """Book a free slot: 201 with the manage and calendar links."""
    booking_request = scheduling.BookingRequest(
        name=json.name,
        email=json.email,
        phone=json.phone or "",
        timezone=json.timezone or "UTC",
        start=json.start,
        answers=tuple(json.answers or ()),
        rebook=json.rebook or None,
        invite=json.invite or None,
    )
    try:
        booked = booking.book(slug, booking_request)
    except scheduling.SlotTaken as error:
        first, last = _week_from(booking_request.start)
        fresh = booking.public_slots(slug, first, last, booking_request.timezone)
        return _taken(error, fresh)
    return jsonify(_booking_json(booked)), 201


@bp.get("/manage/<token>/slots")
@public("listRescheduleSlots", ok=(200, SlotList, "Free slots"), errors={404: NOT_FOUND})
def reschedule_slots(token: str, query: Days):
    """Times the interview behind a manage link could move to.

    The same shape as a study's slots. The interview's current time is never among them
    (moving there would change nothing); times overlapping it are.
    """
    first, last, timezone = query.window()
    found = scheduling.reschedule_slots(token, first, last, timezone)
    return jsonify(timezone=timezone, slots=_slots_json(found))


class Move(BaseModel):
    start: Filled = Field(json_schema_extra={"format": "date-time"})


@bp.post("/manage/<token>/reschedule")
@public(
    "rescheduleBooking",
    ok=(200, Booking, "Moved"),
    errors={
        404: NOT_FOUND,
        409: (SlotTaken, "The time was just taken or is no longer open; fresh slots attached"),
    },
)
def reschedule(token: str, json: Move):
    """Move the interview to another free slot.

    422 with code `same_time` when `start` is the interview's current time: nothing is
    changed or sent.
    """
    try:
        moved = moving.reschedule(token, json.start)
    except scheduling.SlotTaken as error:
        first, last = _week_from(json.start)
        fresh = scheduling.reschedule_slots(token, first, last, "UTC")
        return _taken(error, fresh)
    return jsonify(_booking_json(moved))


class Cancel(BaseModel):
    reason: str | None = None


class Cancelled(BaseModel):
    status: Literal["cancelled"]


@bp.post("/manage/<token>/cancel")
@public(
    "cancelBooking",
    ok=(200, Cancelled, "Cancelled"),
    errors={404: NOT_FOUND},
    body_optional=True,
)
def cancel(token: str, json: Cancel):
    """Cancel the interview (optional reason); the link stops working."""
    cancelling.cancel(token, json.reason or "")
    return jsonify(status="cancelled")


@bp.get("/manage/<token>/invite.ics")
@public(
    "getInvite",
    ok=(200, None, "The invite"),
    errors={404: NOT_FOUND},
    media={"text/calendar": {"schema": {"type": "string"}}},
)
def invite(token: str):
    """The interview's calendar invite (text/calendar, current SEQUENCE)."""
    return FlaskResponse(
        booking.invite_ics(token),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="interview.ics"'},
    )
