"""The home page at / and the first-run checklist's own actions.

The page keeps the endpoint name ``accounts.home`` that every url_for uses: app.py adds
it on the app (it reads every area, so it cannot live in the accounts blueprint).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)

from interviews.clock import utc_now
from interviews.home import service
from interviews.web import editor_required, login_required
from interviews.web.accounts.forms import EmptyForm

bp = Blueprint("home", __name__, url_prefix="/home")


@login_required
def home():
    """What needs you now: calls, notes, takeaways, rewards, studies, no-shows."""
    return render_template(
        "home/home.html",
        home=service.home(g.member, utc_now()),
        base_url=current_app.config["BASE_URL"],
        form=EmptyForm(),
    )


@bp.post("/checklist/dismiss")
@editor_required
def dismiss_checklist():
    """Put the first-run checklist away for this workspace (for every teammate)."""
    EmptyForm().validate_on_submit() or abort(400)
    service.dismiss_checklist(g.member, utc_now())
    flash(
        "The getting-started list is put away for everyone in "
        f"{g.member.workspace_name}. Everything in it stays in the menus.",
        "success",
    )
    return redirect(url_for("accounts.home"))


@bp.get("/studies/<int:study_id>/booking-page")
@login_required
def open_booking_page(study_id: int):
    """Open a published study's booking page, as the interviewee sees it; the checklist
    counts the link as shared."""
    study = service.share_link(g.member, study_id, utc_now())
    return redirect(url_for("booking.book", slug=study.slug))


@bp.post("/studies/<int:study_id>/link-copied")
@login_required
def link_copied(study_id: int):
    """The copy button on the home page says the link was copied (no page of its own)."""
    EmptyForm().validate_on_submit() or abort(400)
    service.share_link(g.member, study_id, utc_now())
    return "", 204
