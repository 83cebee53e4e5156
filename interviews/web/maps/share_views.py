"""Shared map reports: the team's page of a map's report links (make, list, revoke)
and the public read-only report a link opens, with no account and no app around it."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from interviews.clock import utc_now
from interviews.errors import InvalidInput
from interviews.extensions import limiter
from interviews.maps import shared_report, shares
from interviews.maps.rules import QUESTION, NodeKind
from interviews.web import Refused, id_from, login_required, require_fresh_form
from interviews.web.accounts.forms import EmptyForm

bp = Blueprint("shares", __name__)

NEW_SHARE = "new_map_share"  # session key: the new link, shown once on the next page


def _public_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC"]


@bp.after_request
def private_headers(response):
    """Nothing here may be cached or indexed: a revoked link must stop at once, and a
    report's address must not leak on through a Referer or a search engine."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _render_list(map_id: int, refused_by: InvalidInput | None = None):
    """The map's links and the form to make one; ``refused_by`` is why the posted form
    was refused: shown as typed, every problem at the top and at its input, with 422."""
    page = shares.shares_page(g.member.workspace_id, map_id, utc_now())
    # A problem with the quotes points at the first one to tick (or their group).
    first = next((c.takeaway.id for group in page.quotes for c in group.choices), None)
    quote_target = f"share-quote-{first}" if first is not None else "share-quotes"
    refused = None
    if refused_by is not None:
        ids = {"label": "share-label", "expires_on": "share-expires", "quote_ids": quote_target}
        refused = Refused.of(refused_by, ids, form="share", fallback="share-label")
    new = session.get(NEW_SHARE)
    if new and new.get("map_id") == map_id:
        session.pop(NEW_SHARE)
    else:
        new = None
    return render_template(
        "maps/shares.html",
        page=page,
        tree=page.tree,
        new_share=new,
        # Every value posted, the quotes' several among them, to put back in the form.
        values=request.form if refused else None,
        refused=refused,
        quote_target=quote_target,
        question=QUESTION,
        form=EmptyForm(),
        today=utc_now().date(),
    ), 422 if refused else 200


@bp.get("/maps/<int:map_id>/shares")
@login_required
def index(map_id: int):
    """The map's report links, and the form to make one (editors)."""
    return _render_list(map_id)


@bp.post("/maps/<int:map_id>/shares")
@login_required
def create(map_id: int):
    """Make a read-only link to the map's report; its address is shown once."""
    require_fresh_form()
    form = request.form
    draft = shares.ShareDraft(
        label=form.get("label", ""),
        show_names=form.get("show_names") == "yes",
        # Something that is not an id (0) names no quote on this map: the service refuses it.
        quote_ids=tuple(id_from(v) or 0 for v in form.getlist("quote_ids")),
        expires_on=form.get("expires_on", ""),
    )
    try:
        made = shares.create_share(g.member, map_id, draft, utc_now())
    except InvalidInput as error:
        return _render_list(map_id, refused_by=error)
    url = current_app.config["BASE_URL"] + url_for("shares.report", token=made.token)
    session[NEW_SHARE] = {"map_id": map_id, "label": made.label, "url": url}
    flash(f"Report link “{made.label}” made. Copy it now: it is not shown again.", "success")
    return redirect(url_for("shares.index", map_id=map_id))


@bp.post("/maps/<int:map_id>/shares/<int:share_id>/revoke")
@login_required
def revoke(map_id: int, share_id: int):
    """Stop a report link working, at once."""
    require_fresh_form()
    label = shares.revoke_share(g.member, map_id, share_id, utc_now())
    flash(f"Report link “{label}” revoked: it no longer opens.", "success")
    return redirect(url_for("shares.index", map_id=map_id))


@bp.get("/shared/<token>")
@limiter.limit(_public_limit)
def report(token: str):
    """The read-only report a link opens; any dead link gets the same 404 page."""
    try:
        found = shared_report.open_report(token, utc_now(), count_view=request.method == "GET")
    except shared_report.ShareNotFound as error:
        return render_template("maps/shared_report.html", report=None, message=error.message), 404
    return render_template(
        "maps/shared_report.html", report=found, tree=found.tree, question=QUESTION, kinds=NodeKind
    )
