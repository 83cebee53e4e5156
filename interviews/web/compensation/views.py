"""The team's reward pages: the payout queue, one reward's history, budgets."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from urllib.parse import parse_qs, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from interviews.compensation import budgets, rules
from interviews.compensation import service as compensation
from interviews.compensation.rules import RewardStatus
from interviews.errors import DomainError, InvalidInput, NotFound, refuse_all
from interviews.flows import rewards as settling
from interviews.studies import service as studies
from interviews.web import (
    Refused,
    editor_required,
    id_from,
    ids_from,
    login_required,
    require_fresh_form,
    safe_next,
)
from interviews.web.accounts.forms import EmptyForm
from interviews.web.participants import views as participant_pages
from interviews.web.scheduling import team_views

bp = Blueprint("rewards", __name__)

ACTIONS = {
    RewardStatus.SENT: "Mark sent",
    RewardStatus.DONATED: "Mark donated",
    RewardStatus.DECLINED: "Mark declined",
}


def _refused(error: DomainError, ids: Mapping[str, str], fallback: str) -> Refused:
    """The posted form, refused by ``error`` and every problem found with it (each reward
    of a batch that is not owed, too); ``ids`` maps a field name to its input's id on the
    page, ``fallback`` is where an error of no one field points."""
    problems = getattr(error, "problems", None) or (error,)
    return Refused(
        dict(request.form.items()),
        [(ids.get(p.field or "", fallback), p.message) for p in problems],
    )


# The inputs of the settle form (the payout queue's and a reward page's), by the names the
# reward service gives its fields.
_SETTLE_INPUTS = {"action": "action", "status": "action", "method": "method", "note": "note"}


def _queue(
    status: RewardStatus | None,
    study_id: int | None,
    http_status: int = 200,
    refusal: DomainError | None = None,
    chosen: Collection[int] = (),
):
    """The queue's tab ``status``; ``refusal`` refused the settle form, shown again with
    the rewards in ``chosen`` still ticked and what was typed."""
    page = compensation.rewards(g.member.workspace_id, status=status, study_id=study_id)
    # An error about the chosen rewards points at the first box (a group's error links to
    # its first option), or at the page when no reward is left to tick.
    choice_id = f"reward-{page.items[0].id}" if page.items else "main"
    refused = None
    if refusal is not None:
        refused = _refused(refusal, {**_SETTLE_INPUTS, "reward_ids": choice_id}, choice_id)
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
        refused=refused,
        chosen=set(chosen),
        max_method=compensation.MAX_METHOD,
        max_note=compensation.MAX_NOTE,
        choice_id=choice_id,
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
    require_fresh_form()
    ids = ids_from(request.form.getlist("reward_ids"))
    back = safe_next(request.form.get("next"), url_for("rewards.queue"))
    one = _reward_page(back) is not None
    method, note = request.form.get("method", ""), request.form.get("note", "")
    raw_action = request.form.get("action", "")
    status = RewardStatus(raw_action) if raw_action in {s.value for s in ACTIONS} else None
    try:
        problems = compensation.settle_problems(ids, method, note)
        if status is None:
            what = "it" if one else "them"
            at = 1 if problems and problems[0].field == "reward_ids" else 0  # form order
            problems.insert(
                at,
                InvalidInput(
                    f"Choose what to mark {what}: sent, donated or declined.", field="action"
                ),
            )
        refuse_all(problems)
        done = settling.settle(g.member, ids, status, method=method, note=note)
    except DomainError as error:
        # Shown again, not redirected: the ticks, the method and the note stay as typed.
        return _settle_refused(back, ids, error)
    told = " The interviewees are told it is on its way." if status in rules.PAID else ""
    noun = "reward" if len(done) == 1 else "rewards"
    flash(f"{len(done)} {noun} marked {status.value}.{told}", "success")
    return redirect(back)


def _reward_page(back: str) -> int | None:
    """The reward whose page a settle form was sent from (its ``next``), or None: the queue."""
    match = re.fullmatch(r"/rewards/([0-9]+)", urlsplit(back).path)
    return id_from(match[1]) if match else None


def _settle_refused(back: str, chosen: list[int], error: DomainError):
    """The page the refused settle form was on, again: a reward's own page, or the owed
    tab of the queue (of the study it was filtered to)."""
    reward_id = _reward_page(back)
    if reward_id is not None:
        return _reward(reward_id, error.status_code, error)
    study = parse_qs(urlsplit(back).query).get("study", [""])[0]
    return _queue(RewardStatus.OWED, id_from(study), error.status_code, error, chosen)


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
    return _reward(reward_id)


def _reward(reward_id: int, http_status: int = 200, refusal: DomainError | None = None):
    """A reward's page; ``refusal`` refused its "mark it" form, shown again as typed (an
    error of no one field, such as it being settled already, points at its status)."""
    refused = None
    if refusal is not None:
        ids = {**_SETTLE_INPUTS, "reward_ids": "reward-status"}
        refused = _refused(refusal, ids, "reward-status")
    return render_template(
        "compensation/reward.html",
        reward=compensation.reward(g.member.workspace_id, reward_id),
        labels=rules.STATUS_LABELS,
        actions=ACTIONS,
        form=EmptyForm(),
        refused=refused,
        max_method=compensation.MAX_METHOD,
        max_note=compensation.MAX_NOTE,
    ), http_status


@bp.post("/interviews/<int:interview_id>/reward/grant")
@editor_required
def grant(interview_id: int):
    """Give a no-show the study's reward anyway."""
    require_fresh_form()
    try:
        compensation.grant(g.member, interview_id)
    except DomainError as error:
        # The interview page again with why (a colleague granted it just now, it is no
        # longer a no-show, nothing is offered), under the status that says so.
        flash(error.message, "error")
        page = make_response(team_views.interview(interview_id))
        page.status_code = error.status_code
        return page
    flash("Reward granted: it is in the payout queue.", "success")
    return redirect(url_for("agenda.interview", interview_id=interview_id) + "#reward")


# --- budgets ---------------------------------------------------------------------------------


@bp.get("/budgets")
@login_required
def budget_page():
    """Budgets of the workspace and each study, and the money figures."""
    return _budgets()


def _budgets(
    http_status: int = 200,
    refused: Refused | None = None,
    values: Mapping[str, str] | None = None,
):
    """The budgets page; ``refused`` is a refused budget form, ``values`` what its inputs
    hold (by default what a link filled in: a study page offering "Add a EUR budget
    line")."""
    workspace, per_study = budgets.overview(g.member.workspace_id)
    return render_template(
        "compensation/budgets.html",
        workspace=workspace,
        per_study=per_study,
        figures=budgets.figures(g.member.workspace_id),
        form=EmptyForm(),
        refused=refused,
        values=request.args if values is None else values,
    ), http_status


# The inputs of the "set a budget" form, by the names the budget service gives its fields.
_BUDGET_INPUTS = {
    "study_id": "budget-study",
    "amount": "budget-amount",
    "currency": "budget-currency",
}


@bp.post("/budgets")
@editor_required
def set_budget():
    """Set aside money for rewards, for the workspace or one study, in one currency."""
    require_fresh_form()
    raw_study = request.form.get("study_id", "")
    amount, currency = request.form.get("amount", ""), request.form.get("currency", "")
    try:
        if raw_study and id_from(raw_study) is None:
            # Not read as "the whole workspace": a budget set for the wrong scope is worse.
            wrong = InvalidInput("Choose who the budget is for from the list.", field="study_id")
            refuse_all([wrong, *budgets.money_problems(amount, currency)[1]])
        budgets.set_budget(g.member, id_from(raw_study), currency, amount)
    except DomainError as error:
        refused = _refused(error, _BUDGET_INPUTS, "budget-study")
        return _budgets(error.status_code, refused, request.form)
    flash("Budget saved.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("rewards.budget_page")))


@bp.post("/budgets/remove")
@editor_required
def remove_budget():
    """Lift the limit in one currency for the workspace or a study."""
    require_fresh_form()
    raw_study = request.form.get("study_id", "")
    try:
        if raw_study and id_from(raw_study) is None:  # never read as the workspace's own
            raise NotFound("There is no such budget.")
        budgets.remove_budget(g.member, id_from(raw_study), request.form.get("currency", ""))
    except NotFound:
        # Someone lifted it first: the page as it is now says what is left.
        gone = "That budget is not there any more: someone may have removed it already."
        return _budgets(409, Refused({}, [("remove-budgets", gone)]), {})
    flash("Budget removed: no limit in that currency now.", "success")
    return redirect(safe_next(request.form.get("next"), url_for("rewards.budget_page")))


# --- one person's own offer (from their profile) -------------------------------------------


# The inputs of the profile's "offer them a different reward" form, by the field names the
# reward services (and studies.parse_offer, "reward_..." ones) give them.
_OFFER_INPUTS = {
    "study_id": "offer-study",
    "kind": "offer-kind",
    "reward_kind": "offer-kind",
    "amount": "offer-amount",
    "reward_amount": "offer-amount",
    "currency": "offer-currency",
    "reward_currency": "offer-currency",
    "text": "offer-text",
    "reward_text": "offer-text",
}


@bp.post("/participants/<int:participant_id>/offers")
@editor_required
def set_offer(participant_id: int):
    """Offer this person something other than the study's reward."""
    require_fresh_form()
    study_id = id_from(request.form.get("study_id", ""))
    kind, text = request.form.get("kind", ""), request.form.get("text", "")
    amount, currency = request.form.get("amount", ""), request.form.get("currency", "")
    try:
        problems = compensation.offer_problems(kind, amount, currency, text)
        if study_id is None:
            problems.insert(0, InvalidInput("Choose the study from the list.", field="study_id"))
        refuse_all(problems)
        offer = studies.parse_offer(kind, amount, currency, text)
        done = compensation.set_override(g.member, study_id, participant_id, offer)
    except DomainError as error:
        # The profile again with the offer form open, as typed, every problem at once.
        return participant_pages._refused_on_profile(
            participant_id, error, "offer", _OFFER_INPUTS, "offer-study"
        )
    flash(f"Their reward in {done.study_title}: {done.offer.describe()}.", "success")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#offers")


@bp.post("/participants/<int:participant_id>/offers/<int:study_id>/remove")
@editor_required
def clear_offer(participant_id: int, study_id: int):
    """Back to the study's own offer for this person."""
    require_fresh_form()
    compensation.clear_override(g.member, study_id, participant_id)
    flash("They get the study's reward again.", "success")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#offers")
