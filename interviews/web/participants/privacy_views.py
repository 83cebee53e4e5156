"""Pages for privacy requests: a participant's data export, erasure, the audit trail."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from interviews.clock import utc_now
from interviews.errors import DomainError, InvalidInput
from interviews.flows import privacy
from interviews.participants.privacy import AUDIT_PAGE, AlreadyErased, audit_log
from interviews.web import apply_error, login_required

bp = Blueprint("privacy", __name__)


class EraseForm(FlaskForm):
    # 254: the longest address the participant's email column holds.
    email = StringField(
        "Type their email address to confirm",
        [
            InputRequired("Type their email address to confirm."),
            Length(max=254, message="The address typed to confirm can be at most 254 characters."),
        ],
    )


@bp.get("/participants/<int:participant_id>/export")
@login_required
def export(participant_id: int):
    """Download everything held about a participant, for their data request."""
    name, data = privacy.export_archive(g.member, participant_id, now=utc_now())
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/participants/<int:participant_id>/erase", methods=["GET", "POST"])
@login_required
def erase(participant_id: int):
    """Confirm and carry out a participant's erasure request."""
    form = EraseForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            privacy.erase(g.member, participant_id, confirm_email=form.email.data, now=utc_now())
        except InvalidInput as error:
            apply_error(form, error)
            return _erase_page(participant_id, form, 422)
        except AlreadyErased as error:
            # Erased meanwhile (another tab, a colleague): the page now says by whom.
            return _erase_page(participant_id, form, error.status_code, error)
        flash("Erased. Nothing personal about them is left; the audit trail records it.", "success")
        return redirect(url_for("privacy.erase", participant_id=participant_id))
    return _erase_page(participant_id, form, 422 if form.errors else 200)


def _erase_page(
    participant_id: int, form: EraseForm, status: int, error: DomainError | None = None
):
    """The erasure page: what it removes and keeps, and the confirmation; ``error`` is
    a refusal that is not the typed address's, shown at the top."""
    plan = privacy.erasure_plan(g.member, participant_id)
    return render_template(
        "participants/erase.html",
        plan=plan,
        form=form,
        refusal=[("main", error.message)] if error else [],
        form_failed=error is not None,
    ), status


@bp.get("/audit")
@login_required
def audit():
    """Who exported or erased whose data, and when (owners only)."""
    return render_template("participants/audit.html", lines=audit_log(g.member), limit=AUDIT_PAGE)
