"""Signed-in sessions: one row per browser, found by the hash of the secret its cookie
carries. Log-out, "end" on the profile, a password change or reset delete rows, so a
copied cookie stops working the moment its session ends, in every process at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload

from interviews.accounts import rules
from interviews.accounts.models import User, UserSession
from interviews.accounts.rules import SessionState
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import NotFound, Unauthorized
from interviews.tokens import hash_secret, new_secret


class SessionEnded(Unauthorized):
    """The browser names a session that was ended or has expired; the message says which."""

    code = "session_ended"


@dataclass(frozen=True, eq=False)
class SignedIn(UserMixin):
    """Flask-Login's current_user: the person, and which of their sessions this browser is.

    ``get_id`` is the session's secret, so the signed cookie (and a remember-me cookie,
    should one ever be set) names the session, never just the user.
    """

    id: int  # the user's id
    email: str
    name: str
    session_id: int
    secret: str
    # Set by start_session only: this sign-in is the person's first ever (a welcome, not
    # a "welcome back"). A request of a session already signed in leaves it False.
    first_sign_in: bool = False

    def get_id(self) -> str:
        return self.secret


@dataclass(frozen=True)
class SessionView:
    """One live session as the profile lists it."""

    id: int
    device: str
    ip_address: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool  # the browser looking at the list


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (
        timedelta(hours=config["SESSION_IDLE_HOURS"]),
        timedelta(days=config["SESSION_LIFETIME_DAYS"]),
    )


def _state(row: UserSession, now: datetime) -> SessionState:
    idle, lifetime = _limits()
    return rules.session_state(
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        now=now,
        idle=idle,
        lifetime=lifetime,
    )


def _purge_expired(now: datetime) -> None:
    """Delete every session that expired longer than EXPIRED_SESSION_KEPT ago (no commit).

    The same limits as ``rules.session_state``, moved back by the keeping time; it runs
    at each sign-in, which is cheap (two indexed ranges) and always happens again.
    """
    idle, lifetime = _limits()
    kept = rules.EXPIRED_SESSION_KEPT
    db.session.execute(
        delete(UserSession).where(
            or_(
                UserSession.last_seen_at <= now - idle - kept,
                UserSession.created_at <= now - lifetime - kept,
            )
        )
    )


def start_session(user_id: int, *, user_agent: str | None, ip_address: str | None) -> SignedIn:
    """Sign a browser in: a new session row, and the secret its cookie will carry; the
    sign-in is recorded on the account (``first_sign_in`` says whether it is the first).

    Also clears out sessions that expired long ago. Raises NotFound for an unknown user.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    now = utc_now()
    _purge_expired(now)
    # Every sign-in passes here (log-in, sign-up, an accepted invite, a password reset),
    # so this is where it is recorded; an account made by `interviews demo` has none yet.
    first_sign_in = user.last_login_at is None
    user.last_login_at = now
    secret = new_secret()
    row = UserSession(
        user_id=user.id,
        secret_hash=hash_secret(secret),
        device=rules.describe_device(user_agent),
        ip_address=(ip_address or "")[:45] or None,
        created_at=now,
        last_seen_at=now,
    )
    db.session.add(row)
    db.session.commit()
    return SignedIn(
        id=user.id,
        email=user.email,
        name=user.name,
        session_id=row.id,
        secret=secret,
        first_sign_in=first_sign_in,
    )


def signed_in_user(secret: str) -> SignedIn:
    """Who this browser's session secret signs in, recording its activity at most once a
    minute. Raises SessionEnded when the session was ended, or expired (then it is
    deleted and the message says whether inactivity or the lifetime ended it)."""
    row = None
    if isinstance(secret, str) and secret:
        row = db.session.scalar(
            select(UserSession)
            .options(joinedload(UserSession.user))
            .where(UserSession.secret_hash == hash_secret(secret))
        )
    if row is None:
        raise SessionEnded(rules.session_end_message(None, idle_hours=0, lifetime_days=0))
    now = utc_now()
    state = _state(row, now)
    if state is not SessionState.LIVE:
        db.session.execute(delete(UserSession).where(UserSession.id == row.id))
        db.session.commit()
        config = current_app.config
        raise SessionEnded(
            rules.session_end_message(
                state,
                idle_hours=config["SESSION_IDLE_HOURS"],
                lifetime_days=config["SESSION_LIFETIME_DAYS"],
            )
        )
    if rules.session_needs_touch(row.last_seen_at, now):
        # A statement, not an ORM flush: if another request ended the session a moment
        # ago, this updates nothing instead of failing.
        db.session.execute(
            update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
        )
        db.session.commit()
    return SignedIn(
        id=row.user.id,
        email=row.user.email,
        name=row.user.name,
        session_id=row.id,
        secret=secret,
    )


def sign_out(session_id: int) -> None:
    """End this browser's own session (log-out). Ending an ended one does nothing."""
    db.session.execute(delete(UserSession).where(UserSession.id == session_id))
    db.session.commit()


def live_sessions(user_id: int, current_session_id: int | None) -> list[SessionView]:
    """The person's sessions that still work, most recently active first."""
    now = utc_now()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return [
        SessionView(
            id=row.id,
            device=row.device,
            ip_address=row.ip_address,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=row.id == current_session_id,
        )
        for row in rows
        if _state(row, now) is SessionState.LIVE
    ]


def end_session(user_id: int, session_id: int) -> None:
    """End one of the person's sessions: that browser is signed out on its next request.

    Raises NotFound unless it is one of theirs and still there.
    """
    ended = db.session.execute(
        delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user_id)
    ).rowcount
    if not ended:
        db.session.rollback()
        raise NotFound("That session has already ended.")
    db.session.commit()


def end_other_sessions(user_id: int, keep_session_id: int | None) -> int:
    """Sign the person out everywhere but this browser; how many sessions ended."""
    ended = end_sessions_of(user_id, keep_session_id=keep_session_id)
    db.session.commit()
    return ended


def end_sessions_of(user_id: int, *, keep_session_id: int | None = None) -> int:
    """Part of a password change or reset, in the caller's transaction (no commit): end
    every session of the user but ``keep_session_id``. Returns how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_session_id is not None:
        statement = statement.where(UserSession.id != keep_session_id)
    return db.session.execute(statement).rowcount
