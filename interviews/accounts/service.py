"""Account use cases. Each function is one transaction; refusals are named errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from interviews.accounts import passwords, rules, sessions
from interviews.accounts.models import (
    ApiToken,
    Invite,
    Membership,
    PasswordReset,
    User,
    Workspace,
)
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Unauthorized
from interviews.mail import service as mail_service
from interviews.tokens import hash_secret, new_secret


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


@dataclass(frozen=True)
class PendingInvite:
    id: int
    email: str
    role: Role
    invited_by: str | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class InviteView:
    workspace_name: str
    email: str
    role: Role
    invited_by: str | None
    usable: bool
    reason: str
    account_exists: bool


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _member(membership: Membership) -> Member:
    return Member(
        membership_id=membership.id,
        user_id=membership.user_id,
        workspace_id=membership.workspace_id,
        workspace_name=membership.workspace.name,
        role=membership.role,
        email=membership.user.email,
        name=membership.user.name,
    )


def _clean_name(value: str, what: str, field: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise InvalidInput(f"Enter {what}.", field=field)
    if len(value) > 120:
        raise InvalidInput(f"Keep {what} under 120 characters.", field=field)
    return value


def _check_password(password: str, *, email: str, name: str) -> None:
    problem = rules.password_problem(password, email=email, name=name)
    if problem:
        raise InvalidInput(problem, field="password")


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == rules.normalise_email(email)))


def _new_user(email: str, name: str, password: str, now: datetime) -> User:
    return User(
        email=rules.normalise_email(email),
        name=name,
        password_hash=passwords.hash_password(password),
        created_at=now,
    )


def _link(path: str) -> str:
    return current_app.config["BASE_URL"] + path


# --- signing up and in -------------------------------------------------------


def sign_up(*, workspace_name: str, name: str, email: str, password: str) -> User:
    """Create a workspace with its first owner. Raises EmailTaken or InvalidInput."""
    workspace_name = _clean_name(workspace_name, "a workspace name", "workspace_name")
    name = _clean_name(name, "your name", "name")
    _check_password(password, email=email, name=name)
    if _user_by_email(email) is not None:
        raise EmailTaken(
            "An account with this email already exists. Log in, or reset your password.",
            field="email",
        )
    now = utc_now()
    workspace = Workspace(name=workspace_name, created_at=now)
    user = _new_user(email, name, password, now)
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
    user = _user_by_email(email)
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
        _memberships().where(Membership.user_id == user_id).order_by(Membership.id)
    ).all()
    for membership in memberships:
        if membership.workspace_id == preferred_workspace_id:
            return _member(membership)
    return _member(memberships[0]) if memberships else None


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
    return _member(membership)


# --- profile and passwords ------------------------------------------------------


def update_profile(user_id: int, *, name: str) -> None:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    user.name = _clean_name(name, "your name", "name")
    db.session.commit()


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
    _check_password(new_password, email=user.email, name=user.name)
    user.password_hash = passwords.hash_password(new_password)
    sessions.end_sessions_of(user.id, keep_session_id=current_session_id)
    db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if an account has this address; say nothing either way."""
    user = _user_by_email(email)
    if user is None:
        return
    now = utc_now()
    token = new_secret()
    minutes = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
    db.session.add(
        PasswordReset(
            user=user,
            token_hash=hash_secret(token),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    message = mail_service.queue_email(
        kind="password_reset",
        recipient=user.email,
        subject=f"Reset your {current_app.config['PRODUCT_NAME']} password",
        template="password_reset",
        context={"name": user.name, "link": _link(f"/password/reset/{token}"), "minutes": minutes},
        sender_name="",  # account mail comes from the product itself, not a person
        reply_to=None,
        workspace_id=None,
    )
    db.session.commit()
    mail_service.dispatch(message.id)


def _usable_reset(token: str, now: datetime) -> PasswordReset:
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_secret(token))
    )
    if reset is None or reset.used_at is not None or now >= reset.expires_at:
        raise InvalidToken("This reset link has expired or was already used. Ask for a new one.")
    return reset


def check_reset_token(token: str) -> None:
    """Raises InvalidToken unless the link can still be used."""
    _usable_reset(token, utc_now())


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from an emailed link; every session of the account ends (the
    caller signs this browser in afresh)."""
    now = utc_now()
    reset = _usable_reset(token, now)
    user = reset.user
    _check_password(new_password, email=user.email, name=user.name)
    user.password_hash = passwords.hash_password(new_password)
    sessions.end_sessions_of(user.id)
    for other in db.session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ):
        other.used_at = now
    db.session.commit()
    return user


# --- the team ---------------------------------------------------------------------


def _memberships():
    """Memberships with their user and workspace loaded in the same query (no N+1)."""
    return select(Membership).options(joinedload(Membership.user), joinedload(Membership.workspace))


def members(workspace_id: int) -> list[Member]:
    """The workspace's members, owners first, then by name."""
    rows = db.session.scalars(
        _memberships()
        .join(Membership.user)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name)
    ).all()
    order = {Role.OWNER: 0, Role.RESEARCHER: 1, Role.VIEWER: 2}
    return sorted((_member(m) for m in rows), key=lambda m: order[m.role])


def pending_invites(workspace_id: int) -> list[PendingInvite]:
    """Invites still waiting for an answer, newest first."""
    invites = db.session.scalars(
        select(Invite)
        .options(joinedload(Invite.invited_by))
        .where(
            Invite.workspace_id == workspace_id,
            Invite.accepted_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > utc_now(),
        )
        .order_by(Invite.created_at.desc())
    ).all()
    return [
        PendingInvite(
            id=i.id,
            email=i.email,
            role=i.role,
            invited_by=i.invited_by.name if i.invited_by else None,
            created_at=i.created_at,
            expires_at=i.expires_at,
        )
        for i in invites
    ]


def team(workspace_id: int) -> tuple[list[Member], list[PendingInvite]]:
    """Members (owners first) and invites still waiting for an answer."""
    return members(workspace_id), pending_invites(workspace_id)


def get_member(workspace_id: int, membership_id: int) -> Member:
    membership = db.session.scalar(
        _memberships().where(
            Membership.id == membership_id, Membership.workspace_id == workspace_id
        )
    )
    if membership is None:
        raise NotFound("No such member in this workspace.")
    return _member(membership)


def _require_owner(actor: Member) -> None:
    if not actor.can_manage_members:
        raise Forbidden("Only an owner of this workspace can manage members.")


def _parse_role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("Choose owner, researcher or viewer.", field="role") from None


@dataclass(frozen=True)
class InviteSent:
    """The invite link (the owner can pass it on by hand) and what became of the email."""

    link: str
    email: str
    delivery: mail_service.Dispatched


def invite_member(actor: Member, *, email: str, role: str | Role) -> InviteSent:
    """Store an invite and email its link; the result says whether the email went out.

    Raises Forbidden (not an owner), Conflict (already a member), InvalidInput.
    """
    _require_owner(actor)
    role = _parse_role(role)
    email = rules.normalise_email(email)
    existing = db.session.scalar(
        select(Membership)
        .join(User)
        .where(Membership.workspace_id == actor.workspace_id, User.email == email)
    )
    if existing is not None:
        raise Conflict(f"{email} is already a member of this workspace.", field="email")
    now = utc_now()
    # A new invite replaces an unanswered one to the same address (a resend).
    for old in db.session.scalars(
        select(Invite).where(
            Invite.workspace_id == actor.workspace_id,
            Invite.email == email,
            Invite.accepted_at.is_(None),
            Invite.revoked_at.is_(None),
        )
    ):
        old.revoked_at = now
    token = new_secret()
    days = current_app.config["INVITE_TTL_DAYS"]
    db.session.add(
        Invite(
            workspace_id=actor.workspace_id,
            email=email,
            role=role,
            token_hash=hash_secret(token),
            invited_by_id=actor.user_id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    link = _link(f"/invite/{token}")
    message = mail_service.queue_email(
        kind="invite",
        recipient=email,
        subject=f"{actor.name} invited you to {actor.workspace_name} on {current_app.config['PRODUCT_NAME']}",
        template="invite",
        context={
            "inviter": actor.name,
            "workspace_name": actor.workspace_name,
            "role": role,
            "link": link,
            "days": days,
        },
        sender_name=actor.name,
        reply_to=actor.email,
        workspace_id=actor.workspace_id,
    )
    db.session.commit()
    return InviteSent(link=link, email=email, delivery=mail_service.dispatch(message.id))


def revoke_invite(actor: Member, invite_id: int) -> None:
    _require_owner(actor)
    invite = db.session.get(Invite, invite_id)
    if invite is None or invite.workspace_id != actor.workspace_id:
        raise NotFound("No such invite in this workspace.")
    if invite.accepted_at is None and invite.revoked_at is None:
        invite.revoked_at = utc_now()
    db.session.commit()


def _invite_by_token(token: str) -> Invite:
    invite = db.session.scalar(select(Invite).where(Invite.token_hash == hash_secret(token)))
    if invite is None:
        raise NotFound("This invite link is not valid. Check that you copied all of it.")
    return invite


def invite_for_token(token: str) -> InviteView:
    """What the invite page shows. Raises NotFound for a link that never existed."""
    invite = _invite_by_token(token)
    state = rules.invite_state(
        accepted_at=invite.accepted_at,
        revoked_at=invite.revoked_at,
        expires_at=invite.expires_at,
        now=utc_now(),
    )
    return InviteView(
        workspace_name=invite.workspace.name,
        email=invite.email,
        role=invite.role,
        invited_by=invite.invited_by.name if invite.invited_by else None,
        usable=state.usable,
        reason=state.reason,
        account_exists=_user_by_email(invite.email) is not None,
    )


def accept_invite(
    token: str, *, user_id: int | None = None, name: str = "", password: str = ""
) -> Member:
    """Join the workspace: as the signed-in user, or as a new account made here.

    Raises NotFound, InvalidToken (used, withdrawn, expired), Forbidden (signed in
    as someone else), LoginRequired (the address already has an account), InvalidInput.
    """
    now = utc_now()
    invite = _invite_by_token(token)
    state = rules.invite_state(
        accepted_at=invite.accepted_at,
        revoked_at=invite.revoked_at,
        expires_at=invite.expires_at,
        now=now,
    )
    if not state.usable:
        raise InvalidToken(state.reason)
    existing = _user_by_email(invite.email)
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None or user.email != invite.email:
            raise Forbidden(
                f"This invite is for {invite.email}. Log out, then open the link again."
            )
    elif existing is not None:
        raise LoginRequired(f"{invite.email} already has an account: log in to accept the invite.")
    else:
        name = _clean_name(name, "your name", "name")
        _check_password(password, email=invite.email, name=name)
        user = _new_user(invite.email, name, password, now)
        db.session.add(user)
    membership = (
        db.session.scalar(
            select(Membership).where(
                Membership.workspace_id == invite.workspace_id, Membership.user == user
            )
        )
        if user.id is not None
        else None
    )
    if membership is None:
        membership = Membership(
            workspace_id=invite.workspace_id, user=user, role=invite.role, created_at=now
        )
        db.session.add(membership)
    invite.accepted_at = now
    db.session.commit()
    return _member(membership)


def change_role(actor: Member, membership_id: int, role: str | Role) -> None:
    """Raises Forbidden, NotFound, LastOwner (a workspace always keeps an owner)."""
    _require_owner(actor)
    role = _parse_role(role)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.workspace_id != actor.workspace_id:
        raise NotFound("No such member in this workspace.")
    if membership.role is Role.OWNER and role is not Role.OWNER:
        _ensure_another_owner(actor.workspace_id)
    membership.role = role
    db.session.commit()


def remove_member(actor: Member, membership_id: int) -> None:
    """Raises Forbidden, NotFound, LastOwner."""
    _require_owner(actor)
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


# --- API tokens -------------------------------------------------------------------


def create_api_token(user_id: int, workspace_id: int, name: str) -> tuple[TokenView, str]:
    """A new token for this user in this workspace. The secret is returned once, never stored."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.workspace_id == workspace_id
        )
    )
    if membership is None:
        raise NotFound("No such workspace.")
    name = " ".join((name or "").split())[:80] or "API token"
    secret = rules.new_api_token()
    token = ApiToken(
        user_id=user_id,
        workspace_id=workspace_id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[:10],
        created_at=utc_now(),
    )
    db.session.add(token)
    db.session.commit()
    return _token_view(token), secret


def create_api_token_for_email(
    email: str, name: str, workspace_id: int | None = None
) -> tuple[TokenView, str]:
    """For the CLI: raises NotFound when no such user, or they are in no (or not that) workspace."""
    member = member_by_email(email, workspace_id)
    return create_api_token(member.user_id, member.workspace_id, name)


def api_tokens(user_id: int, workspace_id: int) -> list[TokenView]:
    rows = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.workspace_id == workspace_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    )
    return [_token_view(t) for t in rows]


def revoke_api_token(user_id: int, token_id: int) -> None:
    """Raises NotFound unless the token is this user's."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utc_now()
    db.session.commit()


def member_for_api_token(secret: str) -> Member:
    """Who a bearer token speaks for. Raises Unauthorized for a missing, unknown or revoked one."""
    if not secret:
        raise Unauthorized("Send an API token: Authorization: Bearer <token>.")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        raise Unauthorized("This API token is not valid or was revoked.")
    membership = db.session.scalar(
        _memberships().where(
            Membership.user_id == token.user_id, Membership.workspace_id == token.workspace_id
        )
    )
    if membership is None:
        raise Unauthorized("This API token's user is no longer in its workspace.")
    now = utc_now()
    # Write at most once a minute per token, not on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    return _member(membership)


def _token_view(token: ApiToken) -> TokenView:
    return TokenView(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


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
        _memberships().where(Membership.weekly_digest.is_(True)).order_by(Membership.id)
    ).all()
    return [_member(m) for m in rows]


def member_by_email(email: str, workspace_id: int | None = None) -> Member:
    """For the CLI: the user's membership in that workspace, else their first. Raises
    NotFound when there is no such user or they are not (or not there) a member."""
    user = _user_by_email(email)
    if user is None:
        raise NotFound(f"No user with email {rules.normalise_email(email)}.")
    member = current_member(user.id, workspace_id)
    if member is None or (workspace_id is not None and member.workspace_id != workspace_id):
        raise NotFound(f"{user.email} is not a member of that workspace.")
    return member
