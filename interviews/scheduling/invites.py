"""Calendar invites (.ics, RFC 5545 with iTIP methods), written with icalendar. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from interviews.addresses import web_link

PRODID = "-//Interview Desk//Interviews//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class InviteDetails:
    """One interview as a calendar event. ``sequence`` goes up with every change.

    Whoever fills one in puts a join link in ``location``, ``description`` and ``url``
    only when ``interviews.addresses.web_link`` accepts it; ``url`` is checked again here.
    """

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    organizer: Person
    attendees: tuple[Person, ...]
    stamp: datetime
    url: str = ""


def build_invite(details: InviteDetails, *, method: str | None) -> str:
    """An .ics calendar with one event: method REQUEST (new or changed) or CANCEL; or, with
    method None, the event as stored in someone's own calendar (a CalDAV resource): no
    METHOD (RFC 4791 5.3.2), and no ORGANIZER or ATTENDEE, or a server that schedules
    (RFC 6638) would email invitations of its own to everyone on it."""
    if method not in ("REQUEST", "CANCEL", None):
        raise ValueError(f"unsupported iTIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)

    event = _event(details)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if method is None:
        calendar.add_component(event)
        return calendar.to_ical().decode()
    event.add("organizer", _address(details.organizer))
    for person in details.attendees:
        attendee = _address(person)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED" if method == "REQUEST" else "DECLINED")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def build_feed(name: str, events: list[InviteDetails]) -> str:
    """A subscribable calendar (no METHOD): a host's interviews, refreshed by their calendar app."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for details in events:
        calendar.add_component(_event(details))
    return calendar.to_ical().decode()


def _event(details: InviteDetails) -> Event:
    """The parts every event has, in an invite or in a feed."""
    event = Event()
    event.add("uid", details.uid)
    event.add("sequence", details.sequence)
    event.add("dtstamp", details.stamp)
    event.add("dtstart", details.start)
    event.add("dtend", details.end)
    event.add("summary", details.summary)
    event.add("description", details.description)
    if details.location:
        event.add("location", details.location)
    # A calendar app opens URL on a click: never anything but an http(s) link.
    url = web_link(details.url)
    if url:
        event.add("url", url)
    return event


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.name)
    return address
