"""The team's study pages: list, create, publish and close."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from interviews.accounts import service as accounts
from interviews.compensation import budgets as reward_budgets
from interviews.errors import Conflict, InvalidInput
from interviews.message_plan import format_offsets, parse_offsets
from interviews.message_texts import EDITABLE, LABELS, NAMES, Text, TextProblem
from interviews.messaging import render
from interviews.notes import template_library as library
from interviews.scheduling import team
from interviews.scheduling.attendance import CONSUMER_FLAKE_RATE, ENGAGED_B2B_FLAKE_RATE
from interviews.studies import rules
from interviews.studies import service as studies
from interviews.studies.models import JoinMode, StudyStatus
from interviews.web import apply_error, editor_required, login_required
from interviews.web.accounts.forms import EmptyForm
from interviews.web.studies.forms import StudyForm

bp = Blueprint("studies", __name__, url_prefix="/studies")


@bp.get("")
@login_required
def index():
    """The workspace's studies, their booking links and offers; paused ones say why."""
    listed = studies.list_studies(g.member.workspace_id)
    return render_template(
        "studies/index.html",
        studies=listed,
        paused={
            s.id: (_paused_words(pause), budget_fix_url(s.id, pause), pause)
            for s in listed
            if s.status is StudyStatus.PUBLISHED
            and (pause := reward_budgets.booking_pause(s)) is not None
        },
        base_url=current_app.config["BASE_URL"],
    )


def _form(members: list[accounts.Member]) -> StudyForm:
    form = StudyForm()
    form.host_user_id.choices = [(m.user_id, m.name) for m in members]
    form.colleague_user_ids.choices = [(m.user_id, m.name) for m in members]
    form.rotation_host_user_ids.choices = [(m.user_id, m.name) for m in members]
    return form


def _draft(form: StudyForm) -> studies.StudyDraft:
    return studies.StudyDraft(
        title=form.title.data,
        host_user_id=form.host_user_id.data,
        description=form.description.data or "",
        duration_minutes=form.duration_minutes.data,
        meeting_url=form.meeting_url.data or "",
        join_mode=form.join_mode.data or None,
        phone_fallback=form.phone_fallback.data or "",
        reward_text=form.reward_text.data or "",
        offer=studies.parse_offer(
            form.reward_kind.data or "none",
            form.reward_amount.data or "",
            form.reward_currency.data or "",
            form.reward_text.data or "",
        ),
        notice_minutes=form.notice_hours.data * 60,
        horizon_days=form.horizon_days.data,
        max_per_day=form.max_per_day.data,
        buffer_minutes=form.buffer_minutes.data,
        step_minutes=form.step_minutes.data,
        cooldown_days=90 if form.cooldown_days.data is None else form.cooldown_days.data,
        phone_required=form.phone_required.data,
        questions=tuple((form.questions.data or "").splitlines()),
        colleague_user_ids=tuple(form.colleague_user_ids.data or ()),
        rotation_host_user_ids=tuple(form.rotation_host_user_ids.data or ()),
        note_takers_required=form.note_takers_required.data,
        slug=(form.slug.data or "").strip() or None,
        reminder_offsets=parse_offsets(form.reminders.data or ""),
        followups_enabled=form.followups_enabled.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def new():
    """Create a study (a draft until published)."""
    form = _form(accounts.members(g.member.workspace_id))
    if request.method == "GET":
        form.host_user_id.data = g.member.user_id
        form.join_mode.data = JoinMode.GENERATED.value  # nobody has to paste a link
        form.title.data = rules.suggested_title(g.member.workspace_name, "…")
    if form.validate_on_submit():
        try:
            study = studies.create_study(g.member, _draft(form))
        except (InvalidInput, Conflict) as error:
            apply_error(form, error)
        else:
            flash("Study saved as a draft. Publish it to open the booking link.", "success")
            pause = reward_budgets.booking_pause(study)
            if pause:
                # Said now, not found later on a quiet booking page.
                flash(f"Once published it would take no bookings. {_paused_words(pause)}", "error")
            return redirect(url_for("studies.show", study_id=study.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "studies/form.html",
        form=form,
        heading="New study",
        action=url_for("studies.new"),
        submit="Save as draft",
    ), status


@bp.route("/<int:study_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(study_id: int):
    """Change a study; interviews already booked keep their time."""
    study = studies.get_study(g.member.workspace_id, study_id)
    form = _form(accounts.members(g.member.workspace_id))
    if request.method == "GET":
        limits = study.limits
        form.process(
            data={
                "title": study.title,
                "description": study.description,
                "duration_minutes": study.duration_minutes,
                "host_user_id": study.host.user_id,
                "colleague_user_ids": [c.user_id for c in study.colleagues],
                "rotation_host_user_ids": [p.user_id for p in study.hosts[1:]],
                "note_takers_required": study.note_takers_required,
                "meeting_url": study.meeting_url,
                "join_mode": study.join_mode.value,
                "phone_fallback": study.phone_fallback,
                "reward_text": study.reward_text,
                "reward_kind": study.offer.kind.value,
                "reward_amount": str(study.offer.money) if study.offer.money else "",
                "reward_currency": study.offer.money.currency if study.offer.money else "USD",
                "phone_required": study.phone_required,
                "questions": "\n".join(study.questions),
                "notice_hours": int(limits.notice.total_seconds() // 3600),
                "horizon_days": limits.horizon.days,
                "max_per_day": limits.max_per_day,
                "buffer_minutes": int(limits.buffer.total_seconds() // 60),
                "step_minutes": int(limits.step.total_seconds() // 60),
                "cooldown_days": study.cooldown_days,
                "slug": study.slug,
                "reminders": format_offsets(study.messages.reminder_offsets),
                "followups_enabled": study.messages.followups,
            }
        )
    if form.validate_on_submit():
        try:
            studies.update_study(g.member, study_id, _draft(form))
        except (InvalidInput, Conflict) as error:
            apply_error(form, error)
        else:
            flash("Study saved. Interviews already booked keep their time.", "success")
            return redirect(url_for("studies.show", study_id=study_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "studies/form.html",
        form=form,
        heading=f"Edit: {study.title}",
        action=url_for("studies.edit", study_id=study_id),
        submit="Save changes",
    ), status


def _paused_words(pause: reward_budgets.BookingPause) -> str:
    """The reason, without the "New bookings are paused: " both callers already say."""
    reason = pause.reason.removeprefix("New bookings are paused: ")
    return reason[:1].upper() + reason[1:]


def budget_fix_url(study_id: int, pause: reward_budgets.BookingPause) -> str:
    """The budgets page with its form filled in for the budget at fault (the study's or
    the workspace's, in the offer's currency); saving it comes back to the study."""
    return url_for(
        "rewards.budget_page",
        study_id=pause.study_id or "",
        currency=pause.currency,
        next=url_for("studies.show", study_id=study_id),
        _anchor="set-heading",
    )


def _show(study_id: int, http_status: int = 200, confirm_publish: bool = False):
    study = studies.get_study(g.member.workspace_id, study_id)
    pause = reward_budgets.booking_pause(study)
    return render_template(
        "studies/show.html",
        study=study,
        pause=pause,
        pause_words=_paused_words(pause) if pause else None,
        budget_fix_url=budget_fix_url(study.id, pause) if pause else None,
        confirm_publish=confirm_publish,
        attendance=team.attendance_of_study(g.member.workspace_id, study_id),
        budget=reward_budgets.study_budget(g.member.workspace_id, study_id),
        templates=library.list_templates(g.member.workspace_id),
        template=library.template_for_study(study),
        b2b_rate=ENGAGED_B2B_FLAKE_RATE,
        consumer_rate=CONSUMER_FLAKE_RATE,
        action_form=EmptyForm(),
        base_url=current_app.config["BASE_URL"],
    ), http_status


@bp.get("/<int:study_id>")
@login_required
def show(study_id: int):
    """One study: its booking link, rules and status (open, or paused and why)."""
    return _show(study_id)


@bp.post("/<int:study_id>/status")
@editor_required
def set_status(study_id: int):
    """Publish (open the booking link) or close a study. Publishing a study whose
    budget would pause its bookings asks first, unless "publish anyway" was chosen."""
    EmptyForm().validate_on_submit() or abort(400)
    try:
        status = StudyStatus(request.form.get("status", ""))
    except ValueError:
        status = None
    if status not in (StudyStatus.PUBLISHED, StudyStatus.CLOSED):
        abort(422, "Choose published or closed.")
    if (
        status is StudyStatus.PUBLISHED
        and request.form.get("despite_budget") != "1"
        and reward_budgets.booking_pause(studies.get_study(g.member.workspace_id, study_id))
    ):
        return _show(study_id, 409, confirm_publish=True)
    study = studies.set_status(g.member, study_id, status)
    pause = reward_budgets.booking_pause(study) if status is StudyStatus.PUBLISHED else None
    if pause:
        flash(f"Published, but {pause.reason[:1].lower()}{pause.reason[1:]}", "error")
    elif status is StudyStatus.PUBLISHED:
        flash("Published: the booking link is open.", "success")
    else:
        flash("Study closed: the booking link no longer books.", "success")
    return redirect(url_for("studies.show", study_id=study.id))


@bp.route("/<int:study_id>/delete", methods=["GET", "POST"])
@editor_required
def delete(study_id: int):
    """Delete a draft with no interviews, after a confirmation page."""
    study = studies.get_study(g.member.workspace_id, study_id)
    interviews = len(team.interview_ids_of_study(g.member.workspace_id, study_id))
    if request.method == "POST":
        EmptyForm().validate_on_submit() or abort(400)
        title = studies.delete_draft(g.member, study_id, interviews)
        flash(f"Draft “{title}” deleted.", "success")
        return redirect(url_for("studies.index"))
    problem = rules.deletion_problem(study.status.value, interviews)
    if problem:
        abort(409, problem)
    return render_template("studies/delete.html", study=study, form=EmptyForm())


@bp.route("/<int:study_id>/messages", methods=["GET", "POST"])
@login_required
def messages(study_id: int):
    """The words of the reminders, follow-ups and thank-you: defaults, or the study's own."""
    study = studies.get_study(g.member.workspace_id, study_id)
    form = EmptyForm()
    drafts = {
        kind.value: Text(**study.message_texts[kind.value])
        if kind.value in study.message_texts
        else render.default_text(kind.value)
        for kind in EDITABLE
    }
    previews: dict[str, tuple[str, str]] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not g.member.can_edit:
            abort(403)
        form.validate_on_submit() or abort(400)
        kind = request.form.get("kind", "")
        if kind not in drafts:
            abort(422, "Choose one of the study's messages.")
        action = request.form.get("action", "preview")
        posted = Text(request.form.get("subject", ""), request.form.get("body", ""))
        sample = render.sample_context(study, kind)
        try:
            if action == "reset":
                studies.set_message_text(g.member, study_id, kind, None, sample)
                flash("Back to the default text.", "success")
                return redirect(url_for("studies.messages", study_id=study_id) + f"#{kind}")
            if action == "save":
                studies.set_message_text(g.member, study_id, kind, posted, sample)
                flash("Saved: messages not yet sent use the new words.", "success")
                return redirect(url_for("studies.messages", study_id=study_id) + f"#{kind}")
            previews[kind] = render.preview(study, kind, posted)
        except (InvalidInput, TextProblem) as error:
            errors[kind] = getattr(error, "message", str(error))
            if isinstance(error, TextProblem):
                errors[kind] = f"The text does not work: {error}"
            status = 422
        drafts[kind] = posted
    return render_template(
        "studies/messages.html",
        study=study,
        form=form,
        kinds=[(kind.value, LABELS[kind]) for kind in EDITABLE],
        drafts=drafts,
        own=set(study.message_texts),
        previews=previews,
        errors=errors,
        names=NAMES,
    ), status
