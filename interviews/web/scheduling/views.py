"""The interviewee's pages: book a time, then reschedule or cancel from the emailed link.

Server-rendered so they work without JavaScript; a small script only picks the
browser's time zone on the first visit.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from interviews import dates
from interviews.clock import utc_now
from interviews.compensation import budgets
from interviews.compensation import service as compensation
from interviews.errors import InvalidInput, NotFound
from interviews.extensions import limiter
from interviews.flows import booking, demo
from interviews.flows import cancel as cancelling
from interviews.flows import move as moving
from interviews.participants import service as participants
from interviews.scheduling import calendar_feed as feeds
from interviews.scheduling import pages
from interviews.scheduling import service as scheduling
from interviews.studies import service as studies
from interviews.web import apply_error
from interviews.web.scheduling.forms import BookingForm, CancelForm, SlotForm

bp = Blueprint("booking", __name__)


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


def _viewer_timezone() -> str:
    """The zone the page is shown in: ?tz= (or the posted tz), else UTC."""
    wanted = request.values.get("tz", "UTC")
    try:
        return dates.parse_timezone(wanted)
    except InvalidInput:
        return "UTC"


def _week(timezone: str) -> dict:
    """The week of days shown, counted from the viewer's today."""
    today = utc_now().astimezone(dates.zone_of(timezone)).date()
    return pages.week_window(request.args.get("from"), today)


def _token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


@bp.route("/book/<slug>", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def book(slug: str):
    """The booking page: the study, free times in the viewer's zone, and the form."""
    study = studies.published_study(slug)
    timezone = _viewer_timezone()
    week = _week(timezone)
    form = BookingForm()
    # A personal link (?invite=): the page greets its person and books them, once.
    invite = request.values.get("invite") or None
    invited = participants.invited_person(invite, study.id) if invite else None
    # A "sorry we missed you" link (?rebook=): a forged or stray one is a 404, like ?invite=.
    rebook = request.values.get("rebook") or None
    if rebook:
        scheduling.missed_interview(study.id, rebook)
    if invited is not None:
        form.email.data = invited.email
        if not form.name.data:
            form.name.data = invited.name
        if not form.phone.data:
            form.phone.data = invited.phone
    form.phone.flags.required = (
        study.phone_required
    )  # rendered as `required`; the service enforces it
    status = 200
    answers = tuple(request.form.get(f"answer-{i}", "") for i in range(len(study.questions)))
    if form.validate_on_submit():
        try:
            booked = booking.book(
                slug,
                scheduling.BookingRequest(
                    name=form.name.data,
                    email=form.email.data,
                    phone=form.phone.data or "",
                    timezone=timezone,
                    start=form.start.data,
                    answers=answers,
                    rebook=rebook,
                    invite=invite,
                ),
            )
        except (scheduling.SlotTaken, budgets.BudgetExhausted) as error:
            flash(error.message, "error")
            status = 409
        except InvalidInput as error:
            for problem in error.problems:
                apply_error(form, problem)
            status = 422
        else:
            flash(
                "You are booked. A confirmation with a calendar invite is on its way to your inbox.",
                "success",
            )
            return redirect(url_for("booking.manage", token=_token_of(booked.manage_url)))
    elif request.method == "POST":
        status = 422
        # The form's own checks stop at a missing field; the person's details are checked
        # too, so every problem shows at once.
        details = scheduling.BookingRequest(
            name=form.name.data or "",
            email=form.email.data or "",
            phone=form.phone.data or "",
            timezone=timezone,
            start="",
            answers=answers,
        )
        for problem in scheduling.booking_detail_problems(slug, details):
            field = getattr(form, problem.field or "", None)
            if field is None or not field.errors:
                apply_error(form, problem)
    # The study and its budget are read once for the page: no times while it is paused.
    paused = booking.bookings_paused(study)
    free = [] if paused else booking.open_slots(study, week["first"], week["last"], timezone)
    days = pages.day_choices(free, timezone)
    return render_template(
        "scheduling/book.html",
        study=study,
        form=form,
        rebook=rebook,
        invite=invite,
        invited=invited,
        reward=compensation.offer_for(
            study, invited.participant_id if invited else None
        ).describe(),
        paused=paused,
        days=days,
        timezone=timezone,
        **week,
        zones=pages.timezone_choices(),
        answers=list(answers),
    ), status


@bp.get("/manage/<token>")
def manage(token: str):
    """The manage page: the booking, times to move to, and a way to cancel."""
    return _render_manage(token, SlotForm(), CancelForm())


def _render_manage(token: str, slot_form: SlotForm, cancel_form: CancelForm, status: int = 200):
    try:
        interview = booking.managed(token)
    except NotFound:
        return _link_gone(token)
    # Their own zone (from booking) unless they picked another on this page.
    timezone = _viewer_timezone() if request.values.get("tz") else interview.timezone
    week = _week(timezone)
    days = []
    if interview.upcoming:
        slots = booking.move_slots(interview, week["first"], week["last"], timezone)
        days = pages.day_choices(slots, timezone)
    return render_template(
        "scheduling/manage.html",
        interview=interview,
        when=pages.local_when(interview.start, interview.end, timezone),
        token=token,
        slot_form=slot_form,
        cancel_form=cancel_form,
        days=days,
        timezone=timezone,
        zones=pages.timezone_choices(),
        **week,
    ), status


def _link_gone(token: str, *, just_now: bool = False):
    """A manage link that no longer moves anything: a cancelled interview says so (and
    when), with a way to book again while the study is open; any other dead link says
    it does not work. Never a way into the team's side."""
    try:
        cancelled = booking.cancelled_by_link(token)
    except NotFound as error:
        return render_template("scheduling/link_gone.html", message=error.message), 404
    zone = dates.zone_of(cancelled.timezone)
    return render_template(
        "scheduling/cancelled.html",
        cancelled=cancelled,
        study=cancelled.study,
        when=pages.local_when(cancelled.start, cancelled.end, cancelled.timezone),
        cancelled_on=f"{cancelled.cancelled_at.astimezone(zone):%A %-d %B %Y at %H:%M}",
        just_now=just_now,
    ), (200 if just_now else 404)  # a dead link is a 404 page (shared/API.md)


@bp.post("/manage/<token>/reschedule")
@limiter.limit(_public_limit)
def reschedule(token: str):
    """Move the interview to the chosen time."""
    form = SlotForm()
    if form.validate_on_submit():
        try:
            moving.reschedule(token, form.start.data)
        except NotFound:
            return _link_gone(token)
        except scheduling.SlotTaken as error:
            flash(error.message, "error")
            return _render_manage(token, form, CancelForm(), 409)
        except InvalidInput as error:
            apply_error(form, error)
            return _render_manage(token, form, CancelForm(), 422)
        flash("Moved. The updated calendar invite is on its way to your inbox.", "success")
        return redirect(url_for("booking.manage", token=token))
    return _render_manage(token, form, CancelForm(), 422)


@bp.post("/manage/<token>/cancel")
@limiter.limit(_public_limit)
def cancel(token: str):
    """Cancel the interview; the host is told, and the link stops working."""
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_manage(token, SlotForm(), form, 422)
    try:
        cancelling.cancel(token, form.reason.data or "")
    except NotFound:
        return _link_gone(token)
    return _link_gone(token, just_now=True)


@bp.get("/calendar/<token>.ics")
@limiter.limit(_public_limit)
def calendar_feed(token: str):
    """A host's interviews as a subscribable calendar (the secret link is the key)."""
    return Response(
        feeds.feed(token),
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=300"},
    )


@bp.get(demo.DEMO_CALENDAR_PATH)
def demo_calendar():
    """The demo host's work calendar, which the demo connects as a busy calendar.

    Development only: it shows busy calendars working on a machine with no internet.
    """
    if current_app.config["PRODUCTION"]:
        abort(404)
    return Response(demo.DEMO_CALENDAR, mimetype="text/calendar")
