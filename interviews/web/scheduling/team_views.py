"""The team's pages: the agenda of upcoming interviews and one interview."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from interviews.clock import utc_now
from interviews.compensation import service as compensation
from interviews.errors import Conflict, InvalidInput
from interviews.flows import attendance as attending
from interviews.flows import cancel as cancelling
from interviews.flows import move as moving
from interviews.messaging import planned
from interviews.notes import service as notes
from interviews.notes import takeaways
from interviews.notes.sections import CHECKLIST
from interviews.scheduling import hours, lifecycle, pages, team
from interviews.scheduling import service as scheduling
from interviews.scheduling.lifecycle import MARK_FROM_BEFORE_START
from interviews.web import apply_error, editor_required, login_required, safe_next
from interviews.web.accounts.forms import EmptyForm
from interviews.web.scheduling.forms import CancelForm, SlotForm

bp = Blueprint("agenda", __name__)
AFTER_CALL_SHOWN = 20  # the newest calls still to finish; "show all" lists the rest


@bp.get("/agenda")
@login_required
def agenda():
    """Upcoming interviews, today first, in your own time zone."""
    timezone = team.viewer_timezone(g.member.user_id)
    everything = request.args.get("after") == "all"
    to_finish_total, to_finish = _after_call(g.member.workspace_id, everything)
    return render_template(
        "scheduling/agenda.html",
        days=team.agenda(g.member.workspace_id, timezone),
        timezone=timezone,
        form=EmptyForm(),
        # Calls that have started (or are about to) can be marked from here: "joined" a
        # little before the start, "no-show" and "completed" once started.
        mark_from=utc_now() + MARK_FROM_BEFORE_START,
        now=utc_now(),
        saved_zone=hours.saved_timezone(g.member.user_id),
        to_finish=to_finish,
        to_finish_total=to_finish_total,
    )


def _after_call(workspace_id: int, everything: bool) -> tuple[int, list]:
    """Calls of the last 30 days whose after-call checklist is not done: how many, and
    the newest AFTER_CALL_SHOWN of them (all with ``everything``) with how many items
    each has open. Which ones is decided on light rows; only those listed are read whole."""
    now = utc_now()
    recent = team.interview_facts(workspace_id, now - timedelta(days=30), now)
    finished = [i for i in recent if i.status.value in ("completed", "joined")]
    open_items = notes.open_checklists(workspace_id, [i.id for i in finished])
    newest = sorted(((i.start, i.id) for i in finished if open_items[i.id]), reverse=True)
    listed = newest if everything else newest[:AFTER_CALL_SHOWN]
    calls = team.interviews_by_id(workspace_id, [i for _, i in listed])
    return len(newest), [(calls[i], open_items[i]) for _, i in listed]


@bp.get("/interviews/<int:interview_id>")
@login_required
def interview(interview_id: int):
    """One interview: who, when, how to join, what they told us; move or cancel it."""
    return _render_interview(interview_id, SlotForm(), CancelForm())


def _render_interview(
    interview_id: int, slot_form: SlotForm, cancel_form: CancelForm, status: int = 200
):
    detail = team.interview_detail(g.member.workspace_id, interview_id)
    timezone = team.viewer_timezone(g.member.user_id)
    days, week = [], None
    if detail.upcoming and g.member.can_edit:
        today = utc_now().astimezone(ZoneInfo(timezone)).date()
        week = pages.week_window(request.args.get("from"), today)
        days = pages.day_choices(
            team.slots_for_move(g.member, interview_id, week["first"], week["last"], timezone),
            timezone,
        )
    summary = detail.summary
    cancel_form.reason.description = "The interviewee reads it in the cancellation email."
    return render_template(
        "scheduling/interview.html",
        detail=detail,
        summary=summary,
        when=pages.local_when(summary.start, summary.end, timezone),
        markable=[s.value for s in lifecycle.markable(summary.start, utc_now())],
        saved_zone=hours.saved_timezone(g.member.user_id),
        starts_at=f"{summary.start.astimezone(ZoneInfo(timezone)):%H:%M}",
        their_when=pages.local_when(summary.start, summary.end, summary.timezone),
        timezone=timezone,
        days=days,
        week=week,
        slot_form=slot_form,
        cancel_form=cancel_form,
        attendance_form=EmptyForm(),
        plan=planned.messages_of(g.member.workspace_id, interview_id),
        notes=notes.notes_of(g.member.workspace_id, interview_id),
        takeaways=takeaways.takeaways_of_interview(g.member.workspace_id, interview_id),
        checklist=CHECKLIST,
        reward=compensation.reward_of_interview(g.member.workspace_id, interview_id),
        offer=compensation.offer_for(detail.study, summary.participant_id).describe(),
    ), status


_MARKED = {
    "joined": "Marked joined: no follow-ups will go out.",
    "completed": "Marked completed: a thank-you is on its way to them.",
    "no_show": "Marked no-show: a “sorry we missed you” with a link to rebook is on its way.",
}


@bp.post("/interviews/<int:interview_id>/attendance")
@editor_required
def attendance(interview_id: int):
    """Say how it went; follow-ups and the thank-you follow from it."""
    EmptyForm().validate_on_submit() or abort(400)
    status = request.form.get("status", "")
    try:
        attending.mark_attendance_by_member(g.member, interview_id, status)
    except (Conflict, InvalidInput) as error:
        flash(error.message, "error")
    else:
        flash(_MARKED[status], "success")
    return redirect(
        safe_next(request.form.get("next"), url_for("agenda.interview", interview_id=interview_id))
    )


@bp.route("/attendance/<token>", methods=["GET", "POST"])
def attendance_link(token: str):
    """The one-click links in the host's reminder: a page that records it with one button
    (a GET never changes anything: mail scanners open links too)."""
    form = EmptyForm()
    summary = team.attendance_link_interview(token)
    wanted = request.values.get("status", "completed")
    if wanted not in _MARKED:
        wanted = "completed"
    done = None
    if form.validate_on_submit():
        try:
            summary = attending.mark_attendance_by_link(token, wanted)
        except (Conflict, InvalidInput) as error:
            flash(error.message, "error")
        else:
            done = _MARKED[wanted]
    return render_template(
        "scheduling/attendance.html",
        form=form,
        summary=summary,
        wanted=wanted,
        done=done,
        when=pages.local_when(summary.start, summary.end, team.viewer_timezone(summary.host_id)),
        markable=[s.value for s in lifecycle.markable(summary.start, utc_now())],
    )


@bp.post("/interviews/<int:interview_id>/reschedule")
@editor_required
def reschedule(interview_id: int):
    """Move the interview on the interviewee's behalf."""
    form = SlotForm()
    if form.validate_on_submit():
        try:
            moving.reschedule_for_participant(g.member, interview_id, form.start.data)
        except scheduling.SlotTaken as error:
            flash(error.message, "error")
            return _render_interview(interview_id, form, CancelForm(), 409)
        except InvalidInput as error:
            apply_error(form, error)
            return _render_interview(interview_id, form, CancelForm(), 422)
        flash("Moved. The interviewee and the team have the updated invite.", "success")
        return redirect(url_for("agenda.interview", interview_id=interview_id))
    return _render_interview(interview_id, form, CancelForm(), 422)


@bp.post("/interviews/<int:interview_id>/cancel")
@editor_required
def cancel(interview_id: int):
    """Cancel on the interviewee's behalf; they are told, with a link to book again."""
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_interview(interview_id, SlotForm(), form, 422)
    cancelling.cancel_for_participant(g.member, interview_id, form.reason.data or "")
    flash("Cancelled. The interviewee and the team have been told.", "success")
    return redirect(url_for("agenda.interview", interview_id=interview_id))
