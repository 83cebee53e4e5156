"""The token user's own calendars: iCal feeds and CalDAV calendars that block their time,
and the one interviews are written into.

These routes hang on the team blueprint of api/views.py (same bearer-token check) and act
for the token's user, whatever the workspace: calendars are a person's, not a team's.
A password sent here is never sent back, logged or stored in the clear.
"""

from __future__ import annotations

from typing import Literal

from flask import g, jsonify
from flask.views import MethodView
from pydantic import BaseModel, Field, StrictBool

from interviews.api.contract import Instant, operation
from interviews.api.views import bp
from interviews.errors import InvalidInput
from interviews.scheduling import caldav, calendar_accounts

CALENDAR_NOT_FOUND = "No such calendar of yours"
TOO_MANY = "You would have more calendars than allowed; remove some first"


class Calendar(BaseModel):
    id: int
    kind: Literal["ical", "caldav"]
    name: str
    url: str = Field(description="Never with a password or a feed's secret part")
    blocks: bool = Field(description="Its events keep interviews away")
    write: bool = Field(description="Interviews are written into it (one calendar at most)")
    status: Literal["ok", "failing"]
    last_read_at: Instant | None = Field(description="When its busy time was last read")
    error: str | None = Field(description="Why the last read failed, for you to fix")


class Calendars(BaseModel):
    items: list[Calendar]


class NewCalendar(BaseModel):
    kind: Literal["caldav"] = Field(description="iCal feeds are added on the hours page")
    url: str = Field(
        max_length=caldav.MAX_URL_LENGTH,
        description="The server's, your principal's or a calendar's address",
    )
    username: str = Field(max_length=calendar_accounts.MAX_USERNAME_LENGTH)
    password: str = Field(
        max_length=calendar_accounts.MAX_PASSWORD_LENGTH,
        description="An app password where your service has them; stored encrypted",
    )
    write: StrictBool = Field(
        False,
        description="Write interviews into the calendar named by `url` (else the first found)",
    )


class CalendarChange(BaseModel):
    blocks: StrictBool | None = None
    write: StrictBool | None = Field(None, description="Only a CalDAV calendar can be written")


@bp.get("/me/calendars")
@operation("listMyCalendars", ok=(200, Calendars, "Your calendars, oldest first"))
def my_calendars():
    """Your calendars of both kinds, with how their last read went."""
    found = calendar_accounts.calendars_of(g.api_member.user_id)
    return jsonify(items=[view.as_json() for view in found])


@bp.post("/me/calendars")
@operation(
    "connectCalDavCalendars",
    ok=(201, Calendars, "The calendars connected"),
    errors={409: TOO_MANY},
    # The server decides: a refused login or an address without calendars is a 422
    # naming the field to fix.
    semantic=True,
)
def connect_calendars(json: NewCalendar):
    """Connect a CalDAV login: its calendars are found from the address and block time."""
    try:
        views = calendar_accounts.connect(
            g.api_member.user_id, json.url, json.username, json.password, write=json.write
        )
    except InvalidInput as refusal:
        # The form shows a refusal beside its field; an API answer names it in words.
        raise InvalidInput(f"`{refusal.field}`: {refusal.message}", field=refusal.field) from None
    return jsonify(items=[view.as_json() for view in views]), 201


class MyCalendar(MethodView):
    """One calendar: PATCH and DELETE share one route, so an id past the largest
    possible answers 404 to both (two routes on one path would answer 405)."""

    @operation(
        "changeMyCalendar",
        ok=(200, Calendar, "The calendar"),
        errors={404: CALENDAR_NOT_FOUND},
        semantic=True,  # an iCal feed cannot be written into
    )
    def patch(self, calendar_id: int, json: CalendarChange):
        """Whether a calendar blocks time, and whether interviews are written into it."""
        view = calendar_accounts.update(
            g.api_member.user_id, calendar_id, blocks=json.blocks, write=json.write
        )
        return jsonify(view.as_json())

    @operation("removeMyCalendar", ok=(204, None, "Removed"), errors={404: CALENDAR_NOT_FOUND})
    def delete(self, calendar_id: int):
        """Stop reading a calendar (and writing into it); its busy time stops blocking."""
        calendar_accounts.remove(g.api_member.user_id, calendar_id)
        return "", 204


bp.add_url_rule("/me/calendars/<int:calendar_id>", view_func=MyCalendar.as_view("my_calendar"))
