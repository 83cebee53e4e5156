"""Commands the app adds to its CLI: demo, token create, dispatch, outbox, digest."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from interviews import dispatcher
from interviews.accounts import api_tokens
from interviews.errors import DomainError
from interviews.flows import demo
from interviews.mail import service as mail_service
from interviews.messaging import planned
from interviews.reports import digest
from interviews.scheduling import calendar_accounts


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(token_group)
    app.cli.add_command(dispatch_command)
    app.cli.add_command(outbox_command)
    app.cli.add_command(digest_group)
    app.cli.add_command(calendars_group)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed the demo workspace (demo@example.com / demo-password) into an empty database."""
    if current_app.config["PRODUCTION"]:
        raise click.ClickException("Refusing to seed demo data when INTERVIEWS_ENV=production.")
    result = demo.seed()
    click.echo(result.message)


@click.command("dispatch")
@with_appcontext
def dispatch_command() -> None:
    """One dispatcher sweep now: send the messages that are due, re-read due calendars."""
    click.echo(dispatcher.sweep())


@click.command("outbox")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for scripts.")
@click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(1, 10_000), help="Rows a page."
)
@click.option("--offset", default=0, type=click.IntRange(0), help="Rows to skip (the next page).")
@with_appcontext
def outbox_command(as_json: bool, limit: int, offset: int) -> None:
    """Every email still to send or failed for good, soonest first, with due times:
    interview messages and all other mail (resets, invites, digests...), a page at a
    time, and the totals that prove a drained outbox."""
    # Both sources sorted by due time: the page is the merge of each one's first rows.
    interview = [
        {
            "id": view.id,
            "source": "interview",
            "interview_id": interview_id,
            "kind": view.kind,
            "recipient": view.recipient,
            "offset_minutes": view.offset_minutes,
            "due_at": view.due_at,
            "status": view.shown_status,
            "attempts": view.attempts,
            "error": view.error,
        }
        for view, interview_id in planned.open_messages(limit + offset)
    ]
    other = [
        {
            "id": mail.id,
            "source": "mail",
            "interview_id": None,
            "kind": mail.kind,
            "recipient": mail.recipient,
            "offset_minutes": None,
            "due_at": mail.due_at,
            "status": mail.status,
            "attempts": mail.attempts,
            "error": mail.error,
        }
        for mail in mail_service.waiting_mail(limit + offset)
    ]
    rows = sorted([*interview, *other], key=lambda row: (row["due_at"], row["source"], row["id"]))
    rows = rows[offset : offset + limit]
    counts = {"interview": planned.status_counts(), "mail": mail_service.status_counts()}
    totals = {
        status: counts["interview"].get(status, 0) + counts["mail"].get(status, 0)
        for status in ("pending", "failed", "sent")
    }
    listed = totals["pending"] + totals["failed"]
    if as_json:
        document = {
            "total": listed,
            "offset": offset,
            "limit": limit,
            "totals": {**totals, "by_source": counts},
            "items": [{**row, "due_at": row["due_at"].isoformat()} for row in rows],
        }
        click.echo(json.dumps(document, indent=2))
        return
    if rows:
        click.echo(f"{'due (UTC)':<17} {'status':<8} {'kind':<16} {'interview':>9}  recipient")
    for row in rows:
        line = (
            f"{row['due_at']:%Y-%m-%d %H:%M} {row['status']:<8} {row['kind']:<16} "
            f"{row['interview_id'] or '-':>9}  {row['recipient']}"
        )
        if row["error"]:
            line += f"  ({row['error']})"
        click.echo(line)
    if not listed:
        click.echo("The outbox is empty: nothing planned, pending or failed.")
    elif rows:
        click.echo(f"Showing {offset + 1}-{offset + len(rows)} of {listed}.")
    else:
        click.echo(f"Nothing from row {offset + 1} on; the outbox lists {listed}.")
    click.echo(
        f"Still to send: {totals['pending']} (interview messages "
        f"{counts['interview'].get('pending', 0)}, other mail {counts['mail'].get('pending', 0)}); "
        f"failed: {totals['failed']}; sent: {totals['sent']}."
    )
    if offset + len(rows) < listed:
        click.echo(f"Next page: interviews outbox --offset {offset + len(rows)}")


@click.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.option("--email", required=True, help="The user the token speaks for.")
@click.option(
    "--name", default="CLI token", show_default=True, help="A label to tell tokens apart."
)
@click.option(
    "--workspace-id",
    type=int,
    default=None,
    help="Which of the user's workspaces (default: their first).",
)
@with_appcontext
def token_create(email: str, name: str, workspace_id: int | None) -> None:
    """Print a new API token for a user. It is stored hashed and shown only this once."""
    try:
        _, secret = api_tokens.create_api_token_for_email(email, name, workspace_id)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(secret)


@click.group("digest")
def digest_group() -> None:
    """The weekly digest email."""


@digest_group.command("preview")
@click.option("--email", required=True, help="Whose digest: the member it goes to.")
@click.option(
    "--week",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="A day of the week to report on, YYYY-MM-DD (default: the latest week due).",
)
@click.option(
    "--workspace-id",
    type=int,
    default=None,
    help="Which of the member's workspaces (default: their first).",
)
@with_appcontext
def digest_preview(email: str, week: datetime | None, workspace_id: int | None) -> None:
    """Print a member's weekly digest as text, without sending or recording it."""
    try:
        subject, text = digest.preview(email, week.date() if week else None, workspace_id)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Subject: {subject}\n\n{text}")


@digest_group.command("send")
@with_appcontext
def digest_send() -> None:
    """Send the weekly digests due now that have not gone (each member once a week)."""
    click.echo(f"weekly digests sent: {digest.send_due()}")


@click.group("calendars")
def calendars_group() -> None:
    """Hosts' connected calendars."""


@calendars_group.command("rekey")
@with_appcontext
def calendars_rekey() -> None:
    """Seal every CalDAV password again under the current SECRET_KEY. Run it after moving
    the old key to SECRET_KEY_FALLBACKS; the old key can go once it has run."""
    done = calendar_accounts.reseal_all()
    click.echo(f"CalDAV passwords sealed under the current key: {done.resealed}")
    if done.unreadable:
        raise click.ClickException(
            f"{done.unreadable} password(s) cannot be opened with any key this server has; their hosts "
            "must enter them again."
        )
