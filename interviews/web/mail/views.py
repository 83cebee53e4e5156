"""The development mailbox: what the mailbox backend kept instead of sending."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template

from interviews.mail import service
from interviews.web import login_required

bp = Blueprint("mail", __name__, url_prefix="/dev/mailbox")

# A kept message's HTML is shown in a sandboxed frame of its page: it may style itself
# and show inline images, nothing else (no script, no fetches, no forms). Links open in
# a new tab (the page's own headers forbid framing every other page of the app).
MESSAGE_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
)
# Where a message's links open: out of the frame, in a tab of their own.
_LINKS_OUT = '<base target="_blank">'


def _scope() -> int | None:
    """Owners see all the workspace's mail; everyone sees mail addressed to them."""
    if current_app.config["PRODUCTION"]:
        abort(404)
    return g.member.workspace_id if g.member.can_manage_members else None


def _kept(message_id: int) -> service.MailboxEntry:
    """A message this person may see, for every view of one message; 404 otherwise."""
    try:
        return service.mailbox_message(_scope(), g.member.email, message_id)
    except service.MailNotFound:
        abort(404, "No such message in your mailbox.")


@bp.get("")
@login_required
def mailbox():
    """Messages kept by the mailbox backend, newest first."""
    messages = service.mailbox(_scope(), g.member.email)
    return render_template("mail/mailbox.html", messages=messages)


@bp.get("/<int:message_id>")
@login_required
def message(message_id: int):
    """One kept message, its text and HTML parts."""
    shown = _kept(message_id)
    return render_template("mail/message.html", message=shown)


@bp.get("/<int:message_id>/html")
@login_required
def message_html(message_id: int):
    """A kept message's HTML part on its own, for the frame on the message's page."""
    shown = _kept(message_id)
    if not shown.html_body:
        abort(404, "This message has no HTML part.")
    response = Response(_LINKS_OUT + shown.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MESSAGE_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:message_id>/attachments/<int:index>")
@login_required
def attachment(message_id: int, index: int):
    """Download one attachment of a kept message (the .ics, to open in a calendar)."""
    scope = _scope()
    try:
        shown = service.mailbox_message(scope, g.member.email, message_id)
    except service.MailNotFound:
        abort(404, "No such message in your mailbox.")
    if index >= len(shown.attachments):
        abort(404, "No such attachment.")
    file = shown.attachments[index]
    return Response(
        file.content,
        mimetype=file.content_type.split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
