"""The team's pages: the agenda of upcoming interviews and one interview."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from interviews.clock import utc_now
from interviews.errors import InvalidInput
from interviews.scheduling import pages, team
from interviews.scheduling import service as scheduling
from interviews.scheduling.forms import CancelForm, SlotForm
from interviews.web import apply_error, editor_required, login_required

bp = Blueprint("agenda", __name__)


@bp.get("/agenda")
@login_required
def agenda():
    """Upcoming interviews, today first, in your own time zone."""
    timezone = team.viewer_timezone(g.member.user_id)
    return render_template(
        "scheduling/agenda.html",
        days=team.agenda(g.member.workspace_id, timezone),
        timezone=timezone,
    )


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
        their_when=pages.local_when(summary.start, summary.end, summary.timezone),
        timezone=timezone,
        days=days,
        week=week,
        slot_form=slot_form,
        cancel_form=cancel_form,
    ), status


@bp.post("/interviews/<int:interview_id>/reschedule")
@editor_required
def reschedule(interview_id: int):
    """Move the interview on the interviewee's behalf."""
    form = SlotForm()
    if form.validate_on_submit():
        try:
            team.reschedule_for_participant(g.member, interview_id, form.start.data)
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
    team.cancel_for_participant(g.member, interview_id, form.reason.data or "")
    flash("Cancelled. The interviewee and the team have been told.", "success")
    return redirect(url_for("agenda.interview", interview_id=interview_id))
