"""From a map back to people: "find people like this" for an actor, and closing the
loop when an output ships."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from interviews.errors import DomainError, Forbidden, InvalidInput, NotFound, refuse_all
from interviews.flows import outreach as inviting
from interviews.flows.close_loop import close_loop
from interviews.maps import loop as closing
from interviews.maps import outreach
from interviews.web import (
    Refused,
    editor_required,
    id_from,
    ids_from,
    login_required,
    require_fresh_form,
)
from interviews.web.accounts.forms import EmptyForm
from interviews.web.maps.roadmap_views import map_href

bp = Blueprint("outreach", __name__)


def _ids(name: str) -> list[int]:
    return ids_from(request.form.getlist(name))


def _refused(error: DomainError) -> None:
    """Someone else's or missing things, and viewers, get the error page; the rest is
    told on the page the form is on."""
    if isinstance(error, NotFound | Forbidden) and error.field is None:
        raise error


def _names(names: list[str]) -> str:
    return ", ".join(names)


# --- find people like this ----------------------------------------------------------------


def _people(actor_id: int, study_id: int | None, refused_by: DomainError | None = None):
    """The people page; ``refused_by`` is why the invite form was refused: shown as it was
    filled in, every problem at the top and at its input."""
    page = outreach.people_like(g.member.workspace_id, actor_id, study_id)
    refused = None
    if refused_by is not None:
        # Who to invite is a column of checkboxes: a problem with it points at the first.
        first = next((p.participant.id for p in page.people if not p.do_not_contact), None)
        ids = {
            "participant_ids": f"choose-{first}" if first is not None else "study_id",
            "study_id": "study_id",
            "note": "note",
        }
        refused = Refused.of(refused_by, ids, form="invite", fallback="study_id")
    return render_template(
        "maps/people.html",
        page=page,
        map_href=map_href,
        posted=request.form if refused else {},
        chosen=set(_ids("participant_ids")) if refused else set(),
        refused=refused,
        form=EmptyForm(),
    ), refused_by.status_code if refused_by else 200


@bp.get("/maps/nodes/<int:actor_id>/people")
@login_required
def people(actor_id: int):
    """The panel's people this actor's segment rule describes, to invite to a study."""
    return _people(actor_id, id_from(request.args.get("study_id")))


@bp.post("/maps/nodes/<int:actor_id>/people/invite")
@editor_required
def invite(actor_id: int):
    """Send each chosen person a personal invite to a published study."""
    require_fresh_form()
    study_id = id_from(request.form.get("study_id"))
    chosen, note = _ids("participant_ids"), request.form.get("note", "")
    # Every problem with the form at once, in the order of the page: people, study, note.
    problems = outreach.invite_problems(chosen, note)
    if study_id is None:
        missing = InvalidInput("Choose a published study to invite them to.", field="study_id")
        problems.insert(1 if problems and problems[0].field == "participant_ids" else 0, missing)
    try:
        refuse_all(problems)
        report = inviting.invite_people(
            g.member,
            actor_id,
            study_id,
            chosen,
            note=note,
            despite_cooldown=request.form.get("despite_cooldown") == "1",
        )
    except DomainError as error:
        _refused(error)
        return _people(actor_id, study_id, error)
    # From here on each person's outcome is told: some invited, some skipped, and why.
    if report.invited:
        noun = "person" if len(report.invited) == 1 else "people"
        flash(
            f"Invited {len(report.invited)} {noun}, each with a personal booking link: "
            f"{_names(report.invited)}.",
            "success",
        )
    if report.do_not_contact:
        flash(
            f"Not invited, they asked not to be contacted: {_names(report.do_not_contact)}.",
            "info",
        )
    if report.within_cooldown:
        flash(
            "Not invited, interviewed within the study's cooldown: "
            f"{_names(report.within_cooldown)}. Tick “Invite anyway” to invite them too.",
            "info",
        )
    for name, why in report.refused:
        flash(f"Not invited: {name}. {why}", "error")
    for name, error in report.undelivered:
        flash(
            f"The invite to {name} could not be emailed ({error}); it is on their profile.",
            "error",
        )
    return redirect(url_for("outreach.people", actor_id=actor_id, study_id=study_id))


# --- close the loop ---------------------------------------------------------------------


def _loop(output_id: int, status: int = 200, posted=None):
    page = closing.loop_page(g.member.workspace_id, output_id, g.member.name)
    return render_template(
        "maps/loop.html",
        page=page,
        map_href=map_href,
        posted=posted,
        chosen=set(_ids("participant_ids")) if posted is not None else None,
        form=EmptyForm(),
    ), status


@bp.get("/maps/nodes/<int:output_id>/loop")
@login_required
def loop(output_id: int):
    """The people whose takeaways led to a shipped output, and a note to each."""
    return _loop(output_id)


@bp.post("/maps/nodes/<int:output_id>/loop/send")
@editor_required
def send_loop(output_id: int):
    """Tell each chosen person, from the PM, that what they asked for shipped."""
    require_fresh_form()
    form = request.form
    drafts = [
        closing.LoopDraft(pid, form.get(f"subject_{pid}", ""), form.get(f"body_{pid}", ""))
        for pid in _ids("participant_ids")
    ]
    try:
        report = close_loop(g.member, output_id, drafts)
    except DomainError as error:
        _refused(error)
        flash(error.message, "error")
        return _loop(output_id, error.status_code, form)
    if report.sent:
        noun = "person" if len(report.sent) == 1 else "people"
        flash(f"Told {len(report.sent)} {noun}: {_names(report.sent)}.", "success")
    if report.already_told:
        flash(f"Already told, nothing sent again: {_names(report.already_told)}.", "info")
    if report.do_not_contact:
        flash(
            f"Not written to, they asked not to be contacted: {_names(report.do_not_contact)}.",
            "info",
        )
    for name, error in report.undelivered:
        flash(f"The note to {name} is recorded but could not be emailed ({error}).", "error")
    return redirect(url_for("outreach.loop", output_id=output_id))
