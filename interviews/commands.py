"""Commands the app adds to its CLI: `interviews demo`, `interviews token create`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from interviews import demo, dispatcher
from interviews.accounts import service as accounts
from interviews.errors import DomainError


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(token_group)
    app.cli.add_command(dispatch_command)


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
    """One dispatcher sweep now: refresh the busy calendars that are due."""
    click.echo(dispatcher.sweep())


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
