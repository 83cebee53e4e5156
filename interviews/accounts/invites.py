"""Inviting teammates: the invites still pending, sending and withdrawing one, and
joining a workspace from its link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from interviews.accounts import rules, service
from interviews.accounts.models import Invite, Membership, User
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, Forbidden, NotFound
from interviews.mail import service as mail_service
from interviews.tokens import hash_secret, new_secret


@dataclass(frozen=True)
class PendingInvite:
    id: int
    email: str
    role: Role
    invited_by: str | None
    created_at: datetime
    expires_at: datetime


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


def team(workspace_id: int) -> tuple[list[service.Member], list[PendingInvite]]:
    """Members (owners first) and invites still waiting for an answer."""
    return service.members(workspace_id), pending_invites(workspace_id)


@dataclass(frozen=True)
class InviteSent:
    """The invite link (the owner can pass it on by hand) and what became of the email."""

    link: str
    email: str
    delivery: mail_service.Dispatched


def invite_member(actor: service.Member, *, email: str, role: str | Role) -> InviteSent:
    """Store an invite and email its link; the result says whether the email went out.

    Raises Forbidden (not an owner), Conflict (already a member), InvalidInput.
    """
    service.require_owner(actor)
    role = service.parse_role(role)
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
    link = service.absolute_link(f"/invite/{token}")
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


def revoke_invite(actor: service.Member, invite_id: int) -> None:
    service.require_owner(actor)
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


@dataclass(frozen=True)
class InviteView:
    workspace_name: str
    email: str
    role: Role
    invited_by: str | None
    usable: bool
    reason: str
    account_exists: bool


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
        account_exists=service.user_by_email(invite.email) is not None,
    )


def accept_invite(
    token: str, *, user_id: int | None = None, name: str = "", password: str = ""
) -> service.Member:
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
        raise service.InvalidToken(state.reason)
    existing = service.user_by_email(invite.email)
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None or user.email != invite.email:
            raise Forbidden(
                f"This invite is for {invite.email}. Log out, then open the link again."
            )
    elif existing is not None:
        raise service.LoginRequired(
            f"{invite.email} already has an account: log in to accept the invite."
        )
    else:
        name = service.clean_name(name, "your name", "name")
        service.check_password(password, email=invite.email, name=name)
        user = service.new_user(invite.email, name, password, now)
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
    return service.member_of(membership)
