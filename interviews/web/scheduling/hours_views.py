"""Your bookable hours: weekly windows in your own zone and special days. The same page
lists your calendars; their routes are in calendar_views.py, on this blueprint."""

from __future__ import annotations

from datetime import date, time

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from interviews import dates
from interviews.errors import DomainError, InvalidInput, refuse_all
from interviews.scheduling import calendar_accounts, calendar_feed, calendar_writes, hours, pages
from interviews.scheduling.slots import WEEKDAYS
from interviews.web import Refused, login_required
from interviews.web.accounts.forms import EmptyForm
from interviews.web.scheduling.forms import BusyCalendarForm, CalDavForm

bp = Blueprint("availability", __name__, url_prefix="/availability")

DEFAULT_START, DEFAULT_END = time(9), time(17)


def _parse_time(value: str, label: str, field: str = "") -> time:
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        parsed = None
    # Hours are on the host's own clock: "09:00+05:00" would not compare with "17:00".
    if parsed is None or parsed.tzinfo is not None:
        raise InvalidInput(f"{label}: enter a time like 09:00.", field=field or None)
    return parsed


def _weekly_from_form() -> list[tuple[int, time, time]]:
    """The ticked days' windows as typed. Raises InvalidInput carrying every day's
    problem, each naming its day and pointing at its input."""
    weekly, problems = [], []
    for day, name in enumerate(WEEKDAYS):
        if not request.form.get(f"day-{day}-on"):
            continue
        try:
            start = _parse_time(
                request.form.get(f"day-{day}-start", ""), f"{name} from", f"day-{day}-start"
            )
            end = _parse_time(
                request.form.get(f"day-{day}-end", ""), f"{name} until", f"day-{day}-end"
            )
        except InvalidInput as problem:
            problems.append(problem)
            continue
        if end <= start:
            problems.append(
                InvalidInput(f"{name}: the end comes after the start.", field=f"day-{day}-end")
            )
        weekly.append((day, start, end))
    refuse_all(problems)
    return weekly


def _parse_day(value: str) -> date:
    return dates.parse_day(value, "The special day", "day")


def back_to_page(anchor: str = ""):
    """Back to the hours page, at one of its sections."""
    return redirect(url_for("availability.edit") + anchor)


@bp.route("", methods=["GET", "POST"])
@login_required
def edit():
    """Set the hours interviewees can book you, per weekday, in your zone."""
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            weekly = _weekly_from_form()
            hours.set_weekly_hours(
                g.member.user_id, timezone=request.form.get("timezone", ""), weekly=weekly
            )
        except InvalidInput as error:
            # Re-rendered as typed (every day, ticked or not), each problem at its input.
            return availability_page(
                form, 422, refused=Refused.of(error, _WEEKLY_INPUTS, "weekly", "timezone")
            )
        flash("Hours saved. Booking pages show the new times at once.", "success")
        return back_to_page()
    elif request.method == "POST":
        abort(400)
    return availability_page(form)


# The service's field names for the weekly form, to the ids of their inputs; a day's
# own problems carry its input's id already.
_WEEKLY_INPUTS = {"timezone": "timezone"} | {
    f"day-{d}-{edge}": f"day-{d}-{edge}" for d in range(7) for edge in ("start", "end")
}
_DAY_INPUTS = {
    "off": {"day": "day"},
    "hours": {"day": "extra-day", "start": "extra-start", "end": "extra-end"},
}


def availability_page(
    form: EmptyForm,
    status: int = 200,
    calendar_form: BusyCalendarForm | None = None,
    refused: Refused | None = None,
    caldav_form: CalDavForm | None = None,
):
    """The hours page; ``calendar_form`` is a refused iCal address, ``caldav_form`` a
    refused CalDAV login (its password is never put back), ``refused`` a refused weekly
    or special-day form (``refused.form``: weekly, off, hours), all kept as typed."""
    current = hours.hours_of(g.member.user_id)
    by_day = {day: (start, end) for day, start, end in (current.weekly if current else [])}
    weekly = refused if refused is not None and refused.form == "weekly" else None
    rows = [
        {
            "day": day,
            "name": name,
            "on": bool(weekly.value(f"day-{day}-on")) if weekly else day in by_day,
            "start": weekly.value(f"day-{day}-start")
            if weekly
            else by_day.get(day, (DEFAULT_START, DEFAULT_END))[0].strftime("%H:%M"),
            "end": weekly.value(f"day-{day}-end")
            if weekly
            else by_day.get(day, (DEFAULT_START, DEFAULT_END))[1].strftime("%H:%M"),
        }
        for day, name in enumerate(WEEKDAYS)
    ]
    return render_template(
        "scheduling/availability.html",
        form=form,
        rows=rows,
        timezone=(weekly.value("timezone") if weekly else "")
        or (current.timezone if current else "UTC"),
        refused=refused,
        zones=pages.timezone_choices(),
        host_zone=current.timezone if current else "UTC",
        special_days=sorted(current.special_days.items()) if current else [],
        has_hours=current is not None,
        # A zone alone (set on the profile, or when they joined) offers no time yet.
        no_weekly_hours=current is None or not current.weekly,
        calendars=calendar_accounts.calendars_of(g.member.user_id),
        write_problems=calendar_writes.write_problems(g.member.user_id),
        calendar_form=calendar_form or BusyCalendarForm(formdata=None),
        caldav_form=caldav_form or CalDavForm(formdata=None),
        has_feed=calendar_feed.has_feed_link(g.member.user_id),
        new_feed_link=session.pop("new_feed_link", None),
    ), status


@bp.post("/calendar-link")
@login_required
def calendar_link():
    """Make a (new) secret subscription link; an older one stops working."""
    EmptyForm().validate_on_submit() or abort(400)
    session["new_feed_link"] = calendar_feed.new_feed_link(g.member.user_id)
    flash("Your calendar link is ready. Copy it now: it is not shown again.", "success")
    return back_to_page("#calendar-heading")


@bp.post("/days-off")
@login_required
def add_day_off():
    """Take a day off: no interviews can be booked on it."""
    EmptyForm().validate_on_submit() or abort(400)
    try:
        day = _parse_day(request.form.get("day", ""))
        hours.set_day(g.member.user_id, day, [])
    except DomainError as error:
        return availability_page(
            EmptyForm(), 422, refused=Refused.of(error, _DAY_INPUTS["off"], "off", "day")
        )
    flash(f"{day:%A %-d %B %Y} is a day off.", "success")
    return back_to_page("#days-heading")


@bp.post("/days")
@login_required
def add_day_hours():
    """Open extra hours on one day, beyond (or instead of) the weekly pattern."""
    EmptyForm().validate_on_submit() or abort(400)
    problems: list[InvalidInput] = []
    parsed = {}
    for name, read in (
        ("day", lambda: _parse_day(request.form.get("day", ""))),
        ("start", lambda: _parse_time(request.form.get("start", ""), "Opens at", "start")),
        ("end", lambda: _parse_time(request.form.get("end", ""), "Closes at", "end")),
    ):
        try:
            parsed[name] = read()
        except InvalidInput as problem:
            problems.append(problem)
    try:
        refuse_all(problems)
        day, start, end = parsed["day"], parsed["start"], parsed["end"]
        hours.add_day_window(g.member.user_id, day, start, end)
    except DomainError as error:
        refused = Refused.of(error, _DAY_INPUTS["hours"], "hours", "extra-day")
        return availability_page(EmptyForm(), 422, refused=refused)
    flash(f"{day:%A %-d %B}: open {start:%H:%M} to {end:%H:%M}.", "success")
    return back_to_page("#days-heading")


@bp.post("/days/<day>/remove")
@login_required
def remove_day(day: str):
    """That day follows the weekly hours again."""
    EmptyForm().validate_on_submit() or abort(400)
    try:
        hours.clear_day(g.member.user_id, _parse_day(day))
    except DomainError:
        abort(404)
    flash("That day follows your weekly hours again.", "success")
    return back_to_page("#days-heading")
