"""The demo workspace a newcomer sees after `make run`.

Built through the same services the pages use, so what it shows is true:
the invites below really went through the mailbox backend.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from interviews.accounts import service as accounts
from interviews.accounts.models import User, Workspace
from interviews.accounts.rules import Role
from interviews.db import db

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_WORKSPACE = "Northwind Analytics"

# Teammates who accepted their invites, and one invite still waiting.
TEAMMATES = [
    ("Sam Rivera", "sam@example.com", Role.RESEARCHER),
    ("Lee Chen", "lee@example.com", Role.VIEWER),
]
PENDING_INVITE = ("alex@example.com", Role.RESEARCHER)


@dataclass(frozen=True)
class SeedResult:
    seeded: bool
    message: str


def seed() -> SeedResult:
    """Seed the demo workspace into an empty database; say so and do nothing otherwise."""
    if db.session.scalar(select(User).where(User.email == DEMO_EMAIL)) is not None:
        return SeedResult(False, f"Demo already seeded: log in as {DEMO_EMAIL} / {DEMO_PASSWORD}.")
    if db.session.scalar(select(func.count()).select_from(Workspace)):
        return SeedResult(
            False, "The database already has workspaces; the demo is only seeded into an empty one."
        )

    owner_user = accounts.sign_up(
        workspace_name=DEMO_WORKSPACE, name="Dana Reyes", email=DEMO_EMAIL, password=DEMO_PASSWORD
    )
    owner = accounts.current_member(owner_user.id, None)
    for name, email, role in TEAMMATES:
        sent = accounts.invite_member(owner, email=email, role=role)
        accounts.accept_invite(sent.link.rsplit("/", 1)[1], name=name, password=DEMO_PASSWORD)
    accounts.invite_member(owner, email=PENDING_INVITE[0], role=PENDING_INVITE[1])
    return SeedResult(
        True,
        f"Seeded the {DEMO_WORKSPACE} demo workspace. Log in as {DEMO_EMAIL} / {DEMO_PASSWORD} "
        f"(teammates {', '.join(e for _, e, _ in TEAMMATES)} use the same password).",
    )
