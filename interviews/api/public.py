"""Public (interviewee) endpoints: no account, rate limited, scoped to one study or one link."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from interviews import dates
from interviews.clock import utc_now
from interviews.errors import InvalidInput
from interviews.extensions import limiter
from interviews.scheduling import service as scheduling
from interviews.scheduling.slots import Interval

bp = Blueprint("public_api", __name__, url_prefix="/api/v1/public")


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


limiter.limit(_public_limit)(bp)


def _iso(value) -> str:
    return value.isoformat()


def _slots_json(slots: list[Interval]) -> list[dict[str, str]]:
    return [{"start": _iso(s.start), "end": _iso(s.end)} for s in slots]


def _booking_json(booking: scheduling.Booking) -> dict[str, Any]:
    return {
        "interview_id": booking.interview_id,
        "start": _iso(booking.start),
        "end": _iso(booking.end),
        "manage_url": booking.manage_url,
        "ics_url": booking.ics_url,
    }


def _days() -> tuple[date, date, str]:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&timezone=Area/City (defaults: the next 14 days, UTC)."""
    timezone = request.args.get("timezone", "UTC")
    today = utc_now().astimezone(dates.zone_of(timezone)).date()  # the viewer's today
    first = (
        dates.parse_day(request.args["from"], "`from`", "from") if "from" in request.args else today
    )
    last = (
        dates.parse_day(request.args["to"], "`to`", "to")
        if "to" in request.args
        else min(first + timedelta(days=13), dates.LATEST_DAY)
    )
    return first, last, timezone


def _week_from(start: str) -> tuple[date, date]:
    """The week of days from a refused start's day (UTC), for the fresh slots of a 409."""
    # Written in the window, a time can still fall a day past it in UTC.
    day = min(dates.parse_instant(start, "`start`", "start").date(), dates.LATEST_DAY)
    return day, min(day + timedelta(days=6), dates.LATEST_DAY)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object (Content-Type: application/json).")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = body.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"`{name}` must be a string.", field=name)
    if required and not value.strip():
        raise InvalidInput(f"`{name}` is required.", field=name)
    return value


def _taken(error: scheduling.SlotTaken, fresh: list[Interval]):
    response = jsonify(
        error={"code": error.code, "message": error.message}, slots=_slots_json(fresh)
    )
    response.status_code = 409
    return response


@bp.get("/studies/<slug>/slots")
def slots(slug: str):
    """Free slots of a published study on the viewer's local days."""
    first, last, timezone = _days()
    found = scheduling.public_slots(slug, first, last, timezone)
    return jsonify(timezone=timezone, slots=_slots_json(found))


@bp.post("/studies/<slug>/bookings")
def book(slug: str):
    """Book a slot: 201 with the manage and calendar links; 409 with fresh slots if taken."""
    body = _body()
    answers = body.get("answers") or []
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise InvalidInput("`answers` is a list of strings, one per question.", field="answers")
    booking_request = scheduling.BookingRequest(
        name=_text(body, "name"),
        email=_text(body, "email"),
        phone=_text(body, "phone", required=False),
        timezone=_text(body, "timezone", required=False) or "UTC",
        start=_text(body, "start"),
        answers=tuple(answers),
        rebook=_text(body, "rebook", required=False) or None,
        invite=_text(body, "invite", required=False) or None,
    )
    try:
        booking = scheduling.book(slug, booking_request)
    except scheduling.SlotTaken as error:
        first, last = _week_from(booking_request.start)
        fresh = scheduling.public_slots(slug, first, last, booking_request.timezone)
        return _taken(error, fresh)
    return jsonify(_booking_json(booking)), 201


@bp.get("/manage/<token>/slots")
def reschedule_slots(token: str):
    """Times this interview could move to."""
    first, last, timezone = _days()
    found = scheduling.reschedule_slots(token, first, last, timezone)
    return jsonify(timezone=timezone, slots=_slots_json(found))


@bp.post("/manage/<token>/reschedule")
def reschedule(token: str):
    """Move the interview to another free slot."""
    start = _text(_body(), "start")
    try:
        booking = scheduling.reschedule(token, start)
    except scheduling.SlotTaken as error:
        first, last = _week_from(start)
        fresh = scheduling.reschedule_slots(token, first, last, "UTC")
        return _taken(error, fresh)
    return jsonify(_booking_json(booking))


@bp.post("/manage/<token>/cancel")
def cancel(token: str):
    """Cancel the interview (optional reason); the link stops working."""
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object (Content-Type: application/json).")
    scheduling.cancel(token, _text(body, "reason", required=False))
    return jsonify(status="cancelled")


@bp.get("/manage/<token>/invite.ics")
def invite(token: str):
    """The interview's calendar invite, current version."""
    return Response(
        scheduling.invite_ics(token),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="interview.ics"'},
    )
