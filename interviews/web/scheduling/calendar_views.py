"""Your calendars, on the hours page: CalDAV logins (read live, one may receive your
interviews) and secret iCal addresses (read in the background). Routes on the
availability blueprint of hours_views.py."""

from __future__ import annotations

from flask import abort, flash, g, request

from interviews.errors import DomainError, NotFound
from interviews.scheduling import busy_calendars, calendar_accounts
from interviews.web import apply_error, login_required
from interviews.web.accounts.forms import EmptyForm
from interviews.web.scheduling.forms import BusyCalendarForm, CalDavForm
from interviews.web.scheduling.hours_views import availability_page, back_to_page, bp

BUSY = "#busy-heading"


def _names(views: list[calendar_accounts.CalendarView]) -> str:
    names = [view.name for view in views]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@bp.post("/caldav")
@login_required
def connect_caldav():
    """Connect a CalDAV login: its calendars block your time, read live."""
    caldav_form = CalDavForm()
    if not caldav_form.validate_on_submit():
        if caldav_form.errors.get("csrf_token"):
            abort(400)
        return availability_page(EmptyForm(), 422, caldav_form=caldav_form)
    try:
        found = calendar_accounts.connect(
            g.member.user_id,
            caldav_form.url.data,
            caldav_form.username.data,
            caldav_form.password.data,
            write=caldav_form.write.data,
        )
    except DomainError as error:
        apply_error(caldav_form, error)
        return availability_page(EmptyForm(), 422, caldav_form=caldav_form)
    message = f"Connected: {_names(found)} now keep{'s' if len(found) == 1 else ''} interviews away, read live."
    writer = next((view for view in found if view.write), None)
    if writer:
        message += f" Your interviews are written into {writer.name}."
    flash(message, "success")
    return back_to_page(BUSY)


@bp.post("/calendars/<int:calendar_id>/settings")
@login_required
def calendar_settings(calendar_id: int):
    """Whether a calendar blocks your time, and whether your interviews go into it."""
    EmptyForm().validate_on_submit() or abort(400)
    change = {}
    for name in ("blocks", "write"):
        value = request.form.get(name)
        if value is not None:
            if value not in ("on", "off"):
                abort(400)
            change[name] = value == "on"
    if not change:
        abort(400)
    try:
        view = calendar_accounts.update(g.member.user_id, calendar_id, **change)
    except NotFound:
        abort(404)
    except DomainError as error:  # writing into an iCal address: no button offers it
        flash(error.message, "error")
        return back_to_page(BUSY)
    if "blocks" in change:
        flash(
            f"{view.name} keeps interviews away again."
            if view.blocks
            else f"{view.name} no longer keeps interviews away.",
            "success",
        )
    if "write" in change:
        flash(
            f"Your interviews are written into {view.name} from now on."
            if view.write
            else f"Your interviews are no longer written into {view.name}.",
            "success",
        )
    return back_to_page(BUSY)


@bp.post("/calendars")
@login_required
def add_calendar():
    """Connect a calendar by its secret iCal address: its events block interviews."""
    calendar_form = BusyCalendarForm()
    if not calendar_form.validate_on_submit():
        if calendar_form.errors.get("csrf_token"):
            abort(400)
        return availability_page(EmptyForm(), 422, calendar_form)
    try:
        calendar_id = busy_calendars.add_busy_calendar(g.member.user_id, calendar_form.url.data)
    except DomainError as error:
        apply_error(calendar_form, error)
        return availability_page(EmptyForm(), 422, calendar_form)
    view = busy_calendars.refresh_soon(calendar_id)
    if view is None:
        flash("Calendar added. It is being read now; reload in a moment.", "success")
    elif view.error:
        flash(f"Calendar added, but it could not be read yet: {view.error}", "error")
    else:
        flash(
            f"Calendar added: {view.events} busy events from {view.label} now keep interviews away.",
            "success",
        )
    return back_to_page(BUSY)


@bp.post("/calendars/<int:calendar_id>/refresh")
@login_required
def refresh_calendar(calendar_id: int):
    """Read an iCal calendar again now (after a change, or to retry a failing one); a
    CalDAV calendar is read live anyway."""
    EmptyForm().validate_on_submit() or abort(400)
    try:
        view = busy_calendars.refresh_now_for(g.member.user_id, calendar_id)
    except DomainError:
        abort(404)
    if view is None:
        flash("Reading your calendar again; reload in a moment.", "success")
    elif view.error:
        flash(f"Your calendar could not be read: {view.error}", "error")
    else:
        flash(f"Read again: {view.events} busy events from {view.label}.", "success")
    return back_to_page(BUSY)


@bp.post("/calendars/<int:calendar_id>/remove")
@login_required
def remove_calendar(calendar_id: int):
    """Disconnect a calendar: its events stop blocking at once, nothing more is written
    into it, and the last calendar of a CalDAV login takes the login with it."""
    EmptyForm().validate_on_submit() or abort(400)
    try:
        calendar_accounts.remove(g.member.user_id, calendar_id)
    except DomainError:
        abort(404)
    flash("Calendar removed: its events no longer block interviews.", "success")
    return back_to_page(BUSY)
