"""Account use cases: signing up and in, the profile, members and roles, workspace settings.

Each function is one transaction; refusals are named errors. Invites, password resets and
API tokens have their own modules (invites.py, password_resets.py, api_tokens.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from interviews import addresses
from interviews.accounts import passwords, rules, sessions
from interviews.accounts.models import (
    ApiToken,
    Membership,
    User,
    Workspace,
)
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Unauthorized


class EmailTaken(Conflict):
    code = "email_taken"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


class InvalidToken(Gone):
    code = "invalid_token"


class LastOwner(Conflict):
    code = "last_owner"


class LoginRequired(Conflict):
    code = "login_required"


@dataclass(frozen=True)
class Member:
    """Who is acting, and in which workspace: what views and the API pass to services."""

    membership_id: int
    user_id: int
    workspace_id: int
    workspace_name: str
    role: Role
    email: str
    name: str

    @property
    def can_edit(self) -> bool:
        return rules.can_edit(self.role)

    @property
    def can_manage_members(self) -> bool:
        return rules.can_manage_members(self.role)


def member_of(membership: Membership) -> Member:
    """The Member a membership row stands for (its user and workspace loaded)."""
    return Member(
        membership_id=membership.id,
        user_id=membership.user_id,
        workspace_id=membership.workspace_id,
        workspace_name=membership.workspace.name,
        role=membership.role,
        email=membership.user.email,
        name=membership.user.name,
    )


def clean_name(value: str, what: str, field: str) -> str:
    """A name with its spaces collapsed. Raises InvalidInput when empty or too long."""
    value = " ".join((value or "").split())
    if not value:
        raise InvalidInput(f"Enter {what}.", field=field)
    if len(value) > 120:
        raise InvalidInput(f"Keep {what} under 120 characters.", field=field)
    return value


def check_password(password: str, *, email: str, name: str) -> None:
    """Raises InvalidInput when the password breaks the password rules."""
    problem = rules.password_problem(password, email=email, name=name)
    if problem:
        raise InvalidInput(problem, field="password")


def user_by_email(email: str) -> User | None:
    """The account with this address (compared normalised), if any."""
    return db.session.scalar(select(User).where(User.email == rules.normalise_email(email)))


def new_user(email: str, name: str, password: str, now: datetime) -> User:
    """A new account with a hashed password, not yet added to the session."""
    return User(
        email=rules.normalise_email(email),
        name=name,
        password_hash=passwords.hash_password(password),
        created_at=now,
    )


def absolute_link(path: str) -> str:
    """The full URL of a path, for links sent by email."""
    return current_app.config["BASE_URL"] + path


# --- signing up and in -------------------------------------------------------


def sign_up(*, workspace_name: str, name: str, email: str, password: str) -> User:
    """Create a workspace with its first owner. Raises EmailTaken or InvalidInput."""
    workspace_name = clean_name(workspace_name, "a workspace name", "workspace_name")
    name = clean_name(name, "your name", "name")
    check_password(password, email=email, name=name)
    if user_by_email(email) is not None:
        raise EmailTaken(
            "An account with this email already exists. Log in, or reset your password.",
            field="email",
        )
    now = utc_now()
    workspace = Workspace(name=workspace_name, created_at=now)
    user = new_user(email, name, password, now)
    db.session.add_all(
        [
            workspace,
            user,
            Membership(workspace=workspace, user=user, role=Role.OWNER, created_at=now),
        ]
    )
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User:
    """The user with this email and password. Raises InvalidCredentials (never says which was wrong)."""
    user = user_by_email(email)
    if (
        not passwords.verify_password(user.password_hash if user else None, password)
        or user is None
    ):
        raise InvalidCredentials("That email and password do not match an account.")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    # The sign-in itself is recorded when its session starts (sessions.start_session).
    return user


def current_member(user_id: int, preferred_workspace_id: int | None) -> Member | None:
    """The user's membership in the preferred workspace, else their first one."""
    memberships = db.session.scalars(
        memberships_query().where(Membership.user_id == user_id).order_by(Membership.id)
    ).all()
    for membership in memberships:
        if membership.workspace_id == preferred_workspace_id:
            return member_of(membership)
    return member_of(memberships[0]) if memberships else None


def workspaces_of(user_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Workspace.id, Workspace.name)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    )
    return [(row.id, row.name) for row in rows]


def switch_workspace(user_id: int, workspace_id: int) -> Member:
    """Raises NotFound unless the user belongs to that workspace."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.workspace_id == workspace_id
        )
    )
    if membership is None:
        raise NotFound("No such workspace.")
    return member_of(membership)


# --- profile and passwords ------------------------------------------------------


def update_profile(user_id: int, *, name: str) -> None:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    user.name = clean_name(name, "your name", "name")
    db.session.commit()


def set_personal_room(user_id: int, address: str) -> str:
    """Set the person's own video room, the join link of every interview they host in a
    study that uses each host's room; "" takes it away. Returns what was kept.

    Raises NotFound, InvalidInput (field personal_room_url) for anything but an http(s)
    link: it is sent to interviewees as a link to click."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    address = (address or "").strip()
    if address:
        problem = addresses.problem_with(address, addresses.LinkUse.WEB)
        if problem:
            raise InvalidInput(problem, field="personal_room_url")
    user.personal_room_url = address
    db.session.commit()
    return address


def personal_room(user_id: int) -> str:
    """The person's own video room, "" for none (a person already loaded costs no query)."""
    user = db.session.get(User, user_id)
    return (user.personal_room_url or "") if user is not None else ""


def personal_rooms(user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's own video room ("" for none), by user id."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = db.session.execute(select(User.id, User.personal_room_url).where(User.id.in_(wanted)))
    return {user_id: room or "" for user_id, room in rows}


def change_password(
    user_id: int, *, current_session_id: int | None, current_password: str, new_password: str
) -> User:
    """Set a new password; every other session of the user ends, this browser's stays.

    Raises InvalidCredentials for a wrong current password, InvalidInput for a weak new one.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if not passwords.verify_password(user.password_hash, current_password):
        raise InvalidCredentials("Your current password is not right.", field="current_password")
    check_password(new_password, email=user.email, name=user.name)
    user.password_hash = passwords.hash_password(new_password)
    sessions.end_sessions_of(user.id, keep_session_id=current_session_id)
    db.session.commit()
    return user


# --- the team ---------------------------------------------------------------------


def memberships_query():
    """Memberships with their user and workspace loaded in the same query (no N+1)."""
    return select(Membership).options(joinedload(Membership.user), joinedload(Membership.workspace))


def members(workspace_id: int) -> list[Member]:
    """The workspace's members, owners first, then by name."""
    rows = db.session.scalars(
        memberships_query()
        .join(Membership.user)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name)
    ).all()
    order = {Role.OWNER: 0, Role.RESEARCHER: 1, Role.VIEWER: 2}
    return sorted((member_of(m) for m in rows), key=lambda m: order[m.role])


def get_member(workspace_id: int, membership_id: int) -> Member:
    membership = db.session.scalar(
        memberships_query().where(
            Membership.id == membership_id, Membership.workspace_id == workspace_id
        )
    )
    if membership is None:
        raise NotFound("No such member in this workspace.")
    return member_of(membership)


def require_owner(actor: Member) -> None:
    """Raises Forbidden unless the actor is an owner of their workspace."""
    if not actor.can_manage_members:
        raise Forbidden("Only an owner of this workspace can manage members.")


def parse_role(value: str | Role) -> Role:
    """The Role named by value. Raises InvalidInput for any other word."""
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("Choose owner, researcher or viewer.", field="role") from None


def change_role(actor: Member, membership_id: int, role: str | Role) -> None:
    """Raises Forbidden, NotFound, LastOwner (a workspace always keeps an owner)."""
    require_owner(actor)
    role = parse_role(role)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.workspace_id != actor.workspace_id:
        raise NotFound("No such member in this workspace.")
    if membership.role is Role.OWNER and role is not Role.OWNER:
        _ensure_another_owner(actor.workspace_id)
    membership.role = role
    db.session.commit()


def remove_member(actor: Member, membership_id: int) -> None:
    """Raises Forbidden, NotFound, LastOwner."""
    require_owner(actor)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.workspace_id != actor.workspace_id:
        raise NotFound("No such member in this workspace.")
    if membership.role is Role.OWNER:
        _ensure_another_owner(actor.workspace_id)
    # Their API tokens for this workspace stop working with the membership.
    for token in db.session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == membership.user_id,
            ApiToken.workspace_id == actor.workspace_id,
            ApiToken.revoked_at.is_(None),
        )
    ):
        token.revoked_at = utc_now()
    db.session.delete(membership)
    db.session.commit()


def _ensure_another_owner(workspace_id: int) -> None:
    owners = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.workspace_id == workspace_id, Membership.role == Role.OWNER)
    )
    if owners <= 1:
        raise LastOwner("A workspace needs at least one owner: make someone else an owner first.")


def workspace_created_at(workspace_id: int) -> datetime | None:
    """When the workspace was made; None for an unknown id."""
    workspace = db.session.get(Workspace, workspace_id)
    return workspace.created_at if workspace is not None else None


def pattern_threshold(workspace_id: int) -> int:
    """How many distinct people make the workspace's evidence a pattern (default 3)."""
    workspace = db.session.get(Workspace, workspace_id)
    return workspace.pattern_threshold if workspace is not None else 3


def set_pattern_threshold(actor: Member, threshold: int) -> int:
    """Change the workspace's pattern threshold. Raises Forbidden (not an owner),
    InvalidInput (outside 1-50)."""
    if not actor.can_manage_members:
        raise Forbidden("Only an owner can change the workspace's evidence threshold.")
    if not 1 <= threshold <= 50:
        raise InvalidInput(
            "The threshold is a number of people from 1 to 50.", field="pattern_threshold"
        )
    workspace = db.session.get(Workspace, actor.workspace_id)
    workspace.pattern_threshold = threshold
    db.session.commit()
    return threshold


# --- the weekly digest opt-in -----------------------------------------------------------


def weekly_digest_on(membership_id: int) -> bool:
    """Whether this member asked for the workspace's weekly digest."""
    return bool(
        db.session.scalar(select(Membership.weekly_digest).where(Membership.id == membership_id))
    )


def set_weekly_digest_flag(membership_id: int, on: bool) -> None:
    """Part of the digest's opt-in (reports.digest), in the caller's transaction (no
    commit): the member's own choice. Raises NotFound (no longer a member)."""
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        raise NotFound("You are no longer a member of this workspace.")
    membership.weekly_digest = on


def digest_members() -> list[Member]:
    """Every member, in every workspace, who asked for its weekly digest (one entry per
    workspace they asked in). Someone removed from a workspace is not a member of it."""
    rows = db.session.scalars(
        memberships_query().where(Membership.weekly_digest.is_(True)).order_by(Membership.id)
    ).all()
    return [member_of(m) for m in rows]


def member_by_email(email: str, workspace_id: int | None = None) -> Member:
    """For the CLI: the user's membership in that workspace, else their first. Raises
    NotFound when there is no such user or they are not (or not there) a member."""
    user = user_by_email(email)
    if user is None:
        raise NotFound(f"No user with email {rules.normalise_email(email)}.")
    member = current_member(user.id, workspace_id)
    if member is None or (workspace_id is not None and member.workspace_id != workspace_id):
        raise NotFound(f"{user.email} is not a member of that workspace.")
    return member
