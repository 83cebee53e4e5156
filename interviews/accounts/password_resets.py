"""Password resets: the emailed link, checking it, and setting a new password from it."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from interviews.accounts import passwords, service, sessions
from interviews.accounts.models import PasswordReset, User
from interviews.clock import utc_now
from interviews.db import db
from interviews.mail import service as mail_service
from interviews.tokens import hash_secret, new_secret


def request_password_reset(email: str) -> None:
    """Email a reset link if an account has this address; say nothing either way."""
    user = service.user_by_email(email)
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
        context={
            "name": user.name,
            "link": service.absolute_link(f"/password/reset/{token}"),
            "minutes": minutes,
        },
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
        raise service.InvalidToken(
            "This reset link has expired or was already used. Ask for a new one."
        )
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
    service.check_password(new_password, email=user.email, name=user.name)
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
