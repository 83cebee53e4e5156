"""API tokens: a person's bearer tokens for one workspace, and who a token speaks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from interviews.accounts import rules, service
from interviews.accounts.models import ApiToken, Membership
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import NotFound, Unauthorized
from interviews.tokens import hash_secret


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


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
    member = service.member_by_email(email, workspace_id)
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


def member_for_api_token(secret: str) -> service.Member:
    """Who a bearer token speaks for. Raises Unauthorized for a missing, unknown or revoked one."""
    if not secret:
        raise Unauthorized("Send an API token: Authorization: Bearer <token>.")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        raise Unauthorized("This API token is not valid or was revoked.")
    membership = db.session.scalar(
        service.memberships_query().where(
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
    return service.member_of(membership)


def _token_view(token: ApiToken) -> TokenView:
    return TokenView(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )
