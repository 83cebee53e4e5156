"""The team's reward pages: the payout queue, one reward's history, budgets."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from interviews.accounts.forms import EmptyForm
from interviews.compensation import budgets, rules
from interviews.compensation import service as compensation
from interviews.compensation.rules import RewardStatus
from interviews.errors import DomainError, InvalidInput
from interviews.studies import service as studies
from interviews.web import editor_required, id_from, ids_from, login_required, safe_next

bp = Blueprint("rewards", __name__)

ACTIONS = {
    RewardStatus.SENT: "Mark sent",
    RewardStatus.DONATED: "Mark donated",
    RewardStatus.DECLINED: "Mark declined",
}


def _queue(status: RewardStatus | None, study_id: int | None, http_status: int = 200):
    page = compensation.rewards(g.member.workspace_id, status=status, study_id=study_id)
    return render_template(
        "compensation/queue.html",
        page=page,
        status=status,
        study_id=study_id,
        statuses=list(RewardStatus),
        labels=rules.STATUS_LABELS,
        actions=ACTIONS,
        studies=studies.list_studies(g.member.workspace_id),
        overdue_days=current_app.config["REWARD_OVERDUE_DAYS"],
        form=EmptyForm(),
    ), http_status


def _study_filter() -> int | None:
    raw = request.values.get("study", "")
    return id_from(raw)


def _status_filter(default: str | None = "owed") -> RewardStatus | None:
    raw = request.values.get("status", default)
    if raw == "all":
        return None
    return compensation.parse_status(raw)


@bp.get("/rewards")
@login_required
def queue():
    """The payout queue: owed rewards oldest first, overdue ones marked; other tabs."""
    return _queue(_status_filter(), _study_filter())


@bp.post("/rewards/settle")
@editor_required
def settle():
    """Mark the chosen rewards sent (or donated, declined), all of them or none."""
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("rewards.queue"))
    ids = ids_from(request.form.getlist("reward_ids"))
    back = safe_next(request.form.get("next"), url_for("rewards.queue"))
    try:
        status = compensation.parse_status(request.form.get("action", ""))
        if status is None:
            raise InvalidInput("Choose what to mark them.", field="action")
        done = compensation.settle(
            g.member,
            ids,
            status,
            method=request.form.get("method", ""),
            note=request.form.get("note", ""),
        )
    except DomainError as error:
        flash(error.message, "error")
        return _queue(RewardStatus.OWED, None, error.status_code)
    told = " The interviewees are told it is on its way." if status in rules.PAID else ""
    noun = "reward" if len(done) == 1 else "rewards"
    flash(f"{len(done)} {noun} marked {status.value}.{told}", "success")
    return redirect(back)


@bp.get("/rewards.csv")
@login_required
def export_csv():
    """The rewards as CSV for finance: exact amounts beside their currencies."""
    status = _status_filter("all")
    body = compensation.payout_csv(g.member.workspace_id, status)
    name = f"rewards-{status.value if status else 'all'}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/rewards/<int:reward_id>")
@login_required
def show(reward_id: int):
    """One reward: what, for whom, its state and every change to it."""
    return render_template(
        "compensation/reward.html",
        reward=compensation.reward(g.member.workspace_id, reward_id),
        labels=rules.STATUS_LABELS,
        actions=ACTIONS,
        form=EmptyForm(),
    )


@bp.post("/interviews/<int:interview_id>/reward/grant")
@editor_required
def grant(interview_id: int):
    """Give a no-show the study's reward anyway."""
    if not EmptyForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
    else:
        try:
            compensation.grant(g.member, interview_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash("Reward granted: it is in the payout queue.", "success")
    return redirect(url_for("agenda.interview", interview_id=interview_id) + "#reward")


# --- budgets ---------------------------------------------------------------------------------


@bp.get("/budgets")
@login_required
def budget_page():
    """Budgets of the workspace and each study, and the money figures."""
    return _budgets()


def _budgets(http_status: int = 200, error: DomainError | None = None):
    workspace, per_study = budgets.overview(g.member.workspace_id)
    return render_template(
        "compensation/budgets.html",
        workspace=workspace,
        per_study=per_study,
        figures=budgets.figures(g.member.workspace_id),
        form=EmptyForm(),
        error=error,
        # A link may fill the form in: a study page offering "Add a EUR budget line".
        values=request.form if request.method == "POST" else request.args,
    ), http_status


def _budget_scope() -> int | None:
    raw = request.form.get("study_id", "")
    return id_from(raw)


@bp.post("/budgets")
@editor_required
def set_budget():
    """Set aside money for rewards, for the workspace or one study, in one currency."""
    if not EmptyForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("rewards.budget_page"))
    study_id = _budget_scope()
    try:
        budgets.set_budget(
            g.member, study_id, request.form.get("currency", ""), request.form.get("amount", "")
        )
    except DomainError as error:
        return _budgets(error.status_code, error)
    flash("Budget saved.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("rewards.budget_page")))


@bp.post("/budgets/remove")
@editor_required
def remove_budget():
    """Lift the limit in one currency for the workspace or a study."""
    if EmptyForm().validate_on_submit():
        try:
            budgets.remove_budget(g.member, _budget_scope(), request.form.get("currency", ""))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash("Budget removed: no limit in that currency now.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("rewards.budget_page")))


# --- one person's own offer (from their profile) -------------------------------------------


@bp.post("/participants/<int:participant_id>/offers")
@editor_required
def set_offer(participant_id: int):
    """Offer this person something other than the study's reward."""
    back = url_for("participants.show", participant_id=participant_id) + "#offers"
    if not EmptyForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(back)
    raw_study = request.form.get("study_id", "")
    try:
        if not (raw_study.isascii() and raw_study.isdigit()) or len(raw_study) > 11:
            raise InvalidInput("Choose a study.", field="study_id")
        offer = studies.parse_offer(
            request.form.get("kind", ""),
            request.form.get("amount", ""),
            request.form.get("currency", ""),
            request.form.get("text", ""),
        )
        done = compensation.set_override(g.member, int(raw_study), participant_id, offer)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"Their reward in {done.study_title}: {done.offer.describe()}.", "success")
    return redirect(back)


@bp.post("/participants/<int:participant_id>/offers/<int:study_id>/remove")
@editor_required
def clear_offer(participant_id: int, study_id: int):
    """Back to the study's own offer for this person."""
    if EmptyForm().validate_on_submit():
        compensation.clear_override(g.member, study_id, participant_id)
        flash("They get the study's reward again.", "success")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#offers")
