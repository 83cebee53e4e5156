"""Your bookable hours: weekly windows in your own time zone, and days off."""

from __future__ import annotations

from datetime import date, time

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from interviews.accounts.forms import EmptyForm
from interviews.errors import InvalidInput
from interviews.scheduling import pages, team
from interviews.scheduling import service as scheduling
from interviews.scheduling.slots import WEEKDAYS
from interviews.web import login_required

bp = Blueprint("availability", __name__, url_prefix="/availability")

DEFAULT_START, DEFAULT_END = time(9), time(17)


def _parse_time(value: str, label: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{label}: enter a time like 09:00.") from None


@bp.route("", methods=["GET", "POST"])
@login_required
def edit():
    """Set the hours interviewees can book you, per weekday, in your zone."""
    form = EmptyForm()
    hours = scheduling.hours_of(g.member.user_id)
    status = 200
    if form.validate_on_submit():
        try:
            weekly = []
            for day, name in enumerate(WEEKDAYS):
                if request.form.get(f"day-{day}-on"):
                    start = _parse_time(request.form.get(f"day-{day}-start", ""), name)
                    end = _parse_time(request.form.get(f"day-{day}-end", ""), name)
                    if end <= start:
                        raise InvalidInput(f"{name}: the end comes after the start.")
                    weekly.append((day, start, end))
            days_off = [(d, None, None) for d in (hours.days_off if hours else [])]
            scheduling.set_availability(
                g.member.user_id,
                timezone=request.form.get("timezone", ""),
                weekly=weekly,
                overrides=days_off,
            )
        except InvalidInput as error:
            flash(error.message, "error")
            status = 422
        else:
            flash("Hours saved. Booking pages show the new times at once.", "success")
            return redirect(url_for("availability.edit"))
    elif request.method == "POST":
        abort(400)
    by_day = {day: (start, end) for day, start, end in (hours.weekly if hours else [])}
    rows = [
        {
            "day": day,
            "name": name,
            "on": day in by_day,
            "start": by_day.get(day, (DEFAULT_START, DEFAULT_END))[0],
            "end": by_day.get(day, (DEFAULT_START, DEFAULT_END))[1],
        }
        for day, name in enumerate(WEEKDAYS)
    ]
    return render_template(
        "scheduling/availability.html",
        form=form,
        rows=rows,
        timezone=request.form.get("timezone") or (hours.timezone if hours else "UTC"),
        zones=pages.timezone_choices(),
        days_off=hours.days_off if hours else [],
        has_hours=hours is not None,
        has_feed=team.has_feed_link(g.member.user_id),
        new_feed_link=session.pop("new_feed_link", None),
    ), status


@bp.post("/calendar-link")
@login_required
def calendar_link():
    """Make a (new) secret subscription link; an older one stops working."""
    EmptyForm().validate_on_submit() or abort(400)
    session["new_feed_link"] = team.new_feed_link(g.member.user_id)
    flash("Your calendar link is ready. Copy it now: it is not shown again.", "success")
    return redirect(url_for("availability.edit") + "#calendar-heading")


@bp.post("/days-off")
@login_required
def add_day_off():
    """Take a day off: no interviews can be booked on it."""
    EmptyForm().validate_on_submit() or abort(400)
    hours = scheduling.hours_of(g.member.user_id)
    if hours is None:
        flash("Set your weekly hours first.", "error")
        return redirect(url_for("availability.edit"))
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        flash("Choose the day off with the date picker (YYYY-MM-DD).", "error")
        return redirect(url_for("availability.edit"))
    days = sorted({*hours.days_off, day})
    scheduling.set_availability(
        g.member.user_id,
        timezone=hours.timezone,
        weekly=hours.weekly,
        overrides=[(d, None, None) for d in days],
    )
    flash(f"{day:%A %-d %B %Y} is a day off.", "success")
    return redirect(url_for("availability.edit"))


@bp.post("/days-off/<day>/remove")
@login_required
def remove_day_off(day: str):
    """Work that day after all."""
    EmptyForm().validate_on_submit() or abort(400)
    hours = scheduling.hours_of(g.member.user_id)
    if hours is None:
        abort(404)
    remaining = [d for d in hours.days_off if d.isoformat() != day]
    scheduling.set_availability(
        g.member.user_id,
        timezone=hours.timezone,
        weekly=hours.weekly,
        overrides=[(d, None, None) for d in remaining],
    )
    flash("Day off removed.", "success")
    return redirect(url_for("availability.edit"))
