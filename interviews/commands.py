"""Commands the app adds to its CLI: demo, token create, dispatch, outbox, digest."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from interviews import demo, dispatcher
from interviews.accounts import service as accounts
from interviews.errors import DomainError
from interviews.messaging import service as messaging
from interviews.reports import digest


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(token_group)
    app.cli.add_command(dispatch_command)
    app.cli.add_command(outbox_command)
    app.cli.add_command(digest_group)


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
@with_appcontext
def outbox_command(as_json: bool) -> None:
    """Planned, pending and failed interview messages, soonest first, with due times."""
    rows = messaging.open_messages()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": view.id,
                        "interview_id": interview_id,
                        "kind": view.kind,
                        "recipient": view.recipient,
                        "offset_minutes": view.offset_minutes,
                        "due_at": view.due_at.isoformat(),
                        "status": view.shown_status,
                        "attempts": view.attempts,
                        "error": view.error,
                    }
                    for view, interview_id in rows
                ],
                indent=2,
            )
        )
        return
    if not rows:
        click.echo("The outbox is empty: nothing planned, pending or failed.")
        return
    click.echo(f"{'due (UTC)':<17} {'status':<8} {'kind':<16} {'interview':>9}  recipient")
    for view, interview_id in rows:
        line = (
            f"{view.due_at:%Y-%m-%d %H:%M} {view.shown_status:<8} {view.kind:<16} "
            f"{interview_id:>9}  {view.recipient}"
        )
        if view.error:
            line += f"  ({view.error})"
        click.echo(line)


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
        _, secret = accounts.create_api_token_for_email(email, name, workspace_id)
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
