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
from interviews.accounts.forms import EmptyForm
from interviews.errors import Conflict, InvalidInput
from interviews.studies import rules
from interviews.studies import service as studies
from interviews.studies.forms import StudyForm
from interviews.studies.models import StudyStatus
from interviews.web import apply_error, editor_required, login_required

bp = Blueprint("studies", __name__, url_prefix="/studies")


@bp.get("")
@login_required
def index():
    """The workspace's studies and their booking links."""
    return render_template(
        "studies/index.html",
        studies=studies.list_studies(g.member.workspace_id),
        base_url=current_app.config["BASE_URL"],
    )


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def new():
    """Create a study (a draft until published)."""
    members = accounts.members(g.member.workspace_id)
    form = StudyForm()
    form.host_user_id.choices = [(m.user_id, m.name) for m in members]
    form.colleague_user_ids.choices = [(m.user_id, m.name) for m in members]
    if request.method == "GET":
        form.host_user_id.data = g.member.user_id
        form.title.data = rules.suggested_title(g.member.workspace_name, "…")
    if form.validate_on_submit():
        draft = studies.StudyDraft(
            title=form.title.data,
            host_user_id=form.host_user_id.data,
            description=form.description.data or "",
            duration_minutes=form.duration_minutes.data,
            meeting_url=form.meeting_url.data or "",
            phone_fallback=form.phone_fallback.data or "",
            reward_text=form.reward_text.data or "",
            notice_minutes=form.notice_hours.data * 60,
            horizon_days=form.horizon_days.data,
            max_per_day=form.max_per_day.data,
            buffer_minutes=form.buffer_minutes.data,
            step_minutes=form.step_minutes.data,
            phone_required=form.phone_required.data,
            questions=tuple((form.questions.data or "").splitlines()),
            colleague_user_ids=tuple(form.colleague_user_ids.data or ()),
            slug=(form.slug.data or "").strip() or None,
        )
        try:
            study = studies.create_study(g.member, draft)
        except (InvalidInput, Conflict) as error:
            apply_error(form, error)
        else:
            flash("Study saved as a draft. Publish it to open the booking link.", "success")
            return redirect(url_for("studies.show", study_id=study.id))
    status = 422 if request.method == "POST" else 200
    return render_template("studies/new.html", form=form), status


@bp.get("/<int:study_id>")
@login_required
def show(study_id: int):
    """One study: its booking link, rules and status."""
    study = studies.get_study(g.member.workspace_id, study_id)
    return render_template(
        "studies/show.html",
        study=study,
        action_form=EmptyForm(),
        base_url=current_app.config["BASE_URL"],
    )


@bp.post("/<int:study_id>/status")
@editor_required
def set_status(study_id: int):
    """Publish (open the booking link) or close a study."""
    EmptyForm().validate_on_submit() or abort(400)
    try:
        status = StudyStatus(request.form.get("status", ""))
    except ValueError:
        abort(422, "Choose published or closed.")
    study = studies.set_status(g.member, study_id, status)
    flash(
        "Published: the booking link is open."
        if status is StudyStatus.PUBLISHED
        else f"Study {status.value}.",
        "success",
    )
    return redirect(url_for("studies.show", study_id=study.id))
