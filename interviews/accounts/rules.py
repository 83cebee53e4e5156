"""Pure account rules: roles, secrets, expiry. No Flask, no database."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

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


# --- signed-in sessions -------------------------------------------------------------

# last_seen_at is written at most this often per session: a page's burst of requests
# costs one write, and the idle timeout is still right to the minute.
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)
# An expired session's row is kept this long after it expired, so a browser coming back
# is told why it was signed out (inactivity, or the lifetime) rather than only that it was.
EXPIRED_SESSION_KEPT = timedelta(days=14)


class SessionState(enum.StrEnum):
    LIVE = "live"
    IDLE = "idle"  # no request for longer than the idle timeout
    EXPIRED = "expired"  # older than the absolute lifetime


def session_state(
    *,
    created_at: datetime,
    last_seen_at: datetime,
    now: datetime,
    idle: timedelta,
    lifetime: timedelta,
) -> SessionState:
    """Whether a signed-in session still works at ``now``, and if not, which limit ended it.

    When both limits have passed, the one reached first is the reason: a browser left
    for weeks was signed out by inactivity, not by its age.
    """
    idle_end = last_seen_at + idle
    lifetime_end = created_at + lifetime
    if now < idle_end and now < lifetime_end:
        return SessionState.LIVE
    return SessionState.IDLE if idle_end < lifetime_end else SessionState.EXPIRED


def session_needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    """Whether this request should record the session's last activity."""
    return now - last_seen_at >= SESSION_TOUCH_INTERVAL


def describe_hours(hours: int) -> str:
    """A span of hours as people say it: "7 days", "12 hours", "1 day"."""
    if hours % 24 == 0:
        days = hours // 24
        return "1 day" if days == 1 else f"{days} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def session_end_message(state: SessionState | None, *, idle_hours: int, lifetime_days: int) -> str:
    """What a person whose session ended is told on the log-in page. ``state`` is None
    when it was ended (a log-out, or "end" from another browser), not expired."""
    if state is SessionState.IDLE:
        return f"You were signed out after {describe_hours(idle_hours)} without activity. Log in again."
    if state is SessionState.EXPIRED:
        return (
            f"Your session expired: a sign-in lasts at most {describe_hours(lifetime_days * 24)}. "
            "Log in again."
        )
    return "You were signed out. Log in again."


# Checked in order: the first browser token found names the browser (Edge and Opera also
# say Chrome and Safari, Chrome also says Safari), the first system token the system.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("HeadlessChrome/", "Headless Chrome"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
_DEVICE_MAX = 120


def describe_device(user_agent: str | None) -> str:
    """A short name for the browser a session was signed in from, e.g. "Chrome on macOS".

    Only this is stored, never the whole User-Agent. A client that is not a known
    browser is named by its first product token ("curl"), cleaned of anything odd.
    """
    agent = (user_agent or "").strip()
    if not agent:
        return "Unknown browser"
    browser = next((name for token, name in _BROWSERS if token in agent), None)
    if browser is None:
        product = agent.split("/", 1)[0].split(" ", 1)[0]
        browser = "".join(c for c in product if c.isascii() and (c.isalnum() or c in "._-"))
        browser = browser[:40] or "Unknown browser"
    system = next((name for token, name in _SYSTEMS if token in agent), None)
    described = f"{browser} on {system}" if system else browser
    return described[:_DEVICE_MAX]
