"""Pure account rules: roles, secrets, expiry. No Flask, no database."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime

API_TOKEN_PREFIX = "idk_"
MIN_PASSWORD_LENGTH = 10


class Role(enum.StrEnum):
    """What a member may do in a workspace, from most to least power."""

    OWNER = "owner"
    RESEARCHER = "researcher"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def can_edit(role: Role) -> bool:
    """Owners and researchers change things; viewers only read."""
    return role in (Role.OWNER, Role.RESEARCHER)


def can_manage_members(role: Role) -> bool:
    return role is Role.OWNER


def normalise_email(email: str) -> str:
    """Addresses compare case-insensitively; store them one way."""
    return email.strip().lower()


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 512:
        return "Use at most 512 characters."
    lowered = password.lower()
    if email and lowered == email.lower():
        return "Do not use your email address as your password."
    if name and lowered == name.strip().lower():
        return "Do not use your name as your password."
    if len(set(password)) < 4:
        return "Use more than a few different characters."
    return None


@dataclass(frozen=True)
class InviteState:
    usable: bool
    reason: str


def invite_state(
    *,
    accepted_at: datetime | None,
    revoked_at: datetime | None,
    expires_at: datetime,
    now: datetime,
) -> InviteState:
    """Whether an invite link can still be used, and if not, why (said to the invitee)."""
    if revoked_at is not None:
        return InviteState(
            False, "This invite was withdrawn. Ask the workspace owner for a new one."
        )
    if accepted_at is not None:
        return InviteState(False, "This invite has already been accepted. Log in to continue.")
    if now >= expires_at:
        return InviteState(
            False, "This invite has expired. Ask the workspace owner to send a new one."
        )
    return InviteState(True, "")
