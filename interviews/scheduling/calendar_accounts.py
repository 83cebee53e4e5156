"""Hosts' calendars of both kinds, as the host manages them: CalDAV accounts connected
with a login (their calendars block time live, and one may receive the interviews), and
iCal feeds (see busy_calendars.py).

A CalDAV password is kept sealed (interviews.secret_box) and never leaves this module
in the clear except into the CalDAV client. Talking to the server happens outside any
transaction; what it found is stored in one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy import update as sql_update

from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, InvalidInput, NotFound, refuse_all
from interviews.scheduling import caldav
from interviews.scheduling.busy import display_address
from interviews.scheduling.busy_calendars import MAX_CALENDARS_PER_HOST
from interviews.scheduling.models import BusyCalendar, CalDavAccount, CalendarKind
from interviews.secret_box import SecretUnreadable, open_sealed, reseal, seal

log = logging.getLogger(__name__)

MAX_USERNAME_LENGTH = 254  # the column's
MAX_PASSWORD_LENGTH = 1000
MAX_NAME_LENGTH = 120  # the column's


@dataclass(frozen=True)
class CalendarView:
    """A calendar as its host sees it: never a password, never a feed's secret path."""

    id: int
    kind: CalendarKind
    name: str
    url: str
    blocks: bool
    write: bool
    status: str  # "ok" | "failing"
    last_read_at: datetime | None
    error: str | None
    checked_at: datetime | None = None  # the last try, whether it worked or not
    events: int = 0  # busy events in the last copy read

    @property
    def live(self) -> bool:
        """Read live when slots are asked for (CalDAV), not refreshed in the background."""
        return self.kind is CalendarKind.CALDAV

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "url": self.url,
            "blocks": self.blocks,
            "write": self.write,
            "status": self.status,
            "last_read_at": self.last_read_at.isoformat() if self.last_read_at else None,
            "error": self.error,
        }


@dataclass(frozen=True)
class ResealCount:
    """What `interviews calendars rekey` did."""

    resealed: int
    unreadable: int


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _view(calendar: BusyCalendar, unreadable: str | None = None) -> CalendarView:
    if calendar.kind is CalendarKind.CALDAV:
        url = _without_userinfo(calendar.url)
        name = calendar.name or url
    else:
        url = display_address(calendar.url)
        name = calendar.name or url
    # A password no key opens is the account's problem, shown on each of its calendars
    # before any read has failed on it.
    error = unreadable or calendar.error
    return CalendarView(
        id=calendar.id,
        kind=calendar.kind,
        name=name,
        url=url,
        blocks=calendar.blocks,
        write=calendar.write,
        status="failing" if error else "ok",
        last_read_at=calendar.fetched_at,
        error=error,
        checked_at=calendar.checked_at,
        events=calendar.events or 0,
    )


def _unreadable(account: CalDavAccount | None) -> str | None:
    if account is None:
        return None
    try:
        open_sealed(account.password_encrypted, *_keys())
    except SecretUnreadable as problem:
        return str(problem)
    return None


def _keys() -> tuple[str, list[str]]:
    return current_app.config["SECRET_KEY"], list(
        current_app.config.get("SECRET_KEY_FALLBACKS") or []
    )


def calendars_of(user_id: int) -> list[CalendarView]:
    """Every calendar of a person, iCal and CalDAV, oldest first."""
    calendars = db.session.scalars(
        select(BusyCalendar).where(BusyCalendar.user_id == user_id).order_by(BusyCalendar.id)
    ).all()
    accounts = {
        account.id: account
        for account in db.session.scalars(
            select(CalDavAccount).where(CalDavAccount.user_id == user_id)
        )
    }
    problems = {account_id: _unreadable(account) for account_id, account in accounts.items()}
    return [_view(c, problems.get(c.account_id) if c.account_id else None) for c in calendars]


def _checked(url: str, username: str, password: str) -> tuple[str, str]:
    """The address and username to use, or InvalidInput naming every field at fault."""
    url = (url or "").strip()
    username = (username or "").strip()
    problems = []
    problem = caldav.address_problem(
        url, allow_private=current_app.config["BUSY_FEED_ALLOW_PRIVATE"]
    )
    if problem:
        problems.append(InvalidInput(problem, field="url"))
    if not username:
        problems.append(
            InvalidInput("Enter the username you log in to the server with.", field="username")
        )
    elif len(username) > MAX_USERNAME_LENGTH:
        problems.append(
            InvalidInput(
                f"The username is at most {MAX_USERNAME_LENGTH} characters.", field="username"
            )
        )
    if not password:
        problems.append(
            InvalidInput(
                "Enter the password (an app password, if your service has them).", field="password"
            )
        )
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(
            InvalidInput(
                f"The password is at most {MAX_PASSWORD_LENGTH} characters.", field="password"
            )
        )
    refuse_all(problems)
    return url, username


def connect(
    user_id: int, url: str, username: str, password: str, write: bool = False
) -> list[CalendarView]:
    """Connect a CalDAV login: find its calendars from ``url`` (a server, principal or
    calendar address) and keep them, each blocking time. A calendar's own address adds
    that calendar only; otherwise every calendar that holds events is added. With
    ``write``, interviews go into the named calendar (else the first found).

    Connecting the same login again merges: a new password replaces the old one and
    calendars not yet kept are added. Returns the views of the calendars found.

    Raises InvalidInput (field url, username or password) for a refused login, an
    unreachable server or no calendar there; Conflict when the host would have more
    than MAX_CALENDARS_PER_HOST calendars.
    """
    url, username = _checked(url, username, password)
    # The server may take its time: hold no transaction (nor SQLite's lock) meanwhile.
    db.session.rollback()
    try:
        found = caldav.discover(
            url, username, password, timeout=current_app.config["CALDAV_TIMEOUT"]
        )
    except caldav.CalDavError as failure:
        raise InvalidInput(failure.message, field=failure.field) from None
    if found.named is not None:
        if not found.named.events:
            raise InvalidInput(
                "That calendar cannot hold events (it is a task list or similar): give the "
                "address of a calendar with events, or the server's address.",
                field="url",
            )
        chosen = [found.named]
    else:
        chosen = [c for c in found.calendars if c.events]
        if not chosen:
            raise InvalidInput(
                "This login has no calendar that holds events at that address.", field="url"
            )
    return _keep(user_id, url, username, password, found.principal_url, chosen, write)


def _keep(
    user_id: int,
    url: str,
    username: str,
    password: str,
    principal_url: str | None,
    chosen: list[caldav.FoundCalendar],
    write: bool,
) -> list[CalendarView]:
    now = utc_now()
    account = _same_login(user_id, username, url, principal_url)
    if account is None:
        account = CalDavAccount(
            user_id=user_id,
            server_url=url,
            principal_url=principal_url,
            username=username,
            password_encrypted=seal(password, *_keys()),
            created_at=now,
        )
        db.session.add(account)
        db.session.flush()
    else:
        account.password_encrypted = seal(password, *_keys())
        account.principal_url = principal_url or account.principal_url
        account.error = None
    existing = db.session.scalars(
        select(BusyCalendar).where(
            BusyCalendar.user_id == user_id, BusyCalendar.kind == CalendarKind.CALDAV
        )
    ).all()
    kept: list[BusyCalendar] = []
    new: list[BusyCalendar] = []
    for calendar in chosen:
        same = next((c for c in existing if caldav.same_address(c.url, calendar.url)), None)
        if same is None:
            same = BusyCalendar(
                user_id=user_id,
                kind=CalendarKind.CALDAV,
                account_id=account.id,
                url=calendar.url,
                name=calendar.name[:MAX_NAME_LENGTH],
                blocks=True,
                write=False,
                created_at=now,
                failures=0,
                events=0,
            )
            new.append(same)
        else:
            # Found again with a (possibly new) password: read it with this login now.
            same.account_id, same.name = account.id, calendar.name[:MAX_NAME_LENGTH]
            same.error, same.failures = None, 0
        kept.append(same)
    total = db.session.scalar(
        select(func.count()).select_from(BusyCalendar).where(BusyCalendar.user_id == user_id)
    )
    if (total or 0) + len(new) > MAX_CALENDARS_PER_HOST:
        db.session.rollback()
        raise Conflict(
            f"This login has {len(new)} calendars to add and you can connect up to "
            f"{MAX_CALENDARS_PER_HOST} in all: remove some first, or give the address of "
            "one calendar.",
            field="url",
        )
    db.session.add_all(new)
    db.session.flush()
    if write:
        _write_into(user_id, kept[0])
    _drop_empty_accounts(user_id)
    db.session.commit()
    log.info("user %s connected CalDAV calendars %s", user_id, [c.id for c in kept])
    return [_view(c) for c in kept]


def _same_login(
    user_id: int, username: str, url: str, principal_url: str | None
) -> CalDavAccount | None:
    for account in db.session.scalars(
        select(CalDavAccount).where(
            CalDavAccount.user_id == user_id, CalDavAccount.username == username
        )
    ):
        if principal_url and account.principal_url:
            if caldav.same_address(account.principal_url, principal_url):
                return account
        elif caldav.same_address(account.server_url, url):
            return account
    return None


def _write_into(user_id: int, calendar: BusyCalendar) -> None:
    """``calendar`` receives the interviews; no other calendar of the person does."""
    db.session.execute(
        sql_update(BusyCalendar)
        .where(BusyCalendar.user_id == user_id, BusyCalendar.id != calendar.id)
        .values(write=False)
    )
    calendar.write = True


def _drop_empty_accounts(user_id: int) -> None:
    """An account none of whose calendars is kept any more goes, with its password."""
    for account in db.session.scalars(
        select(CalDavAccount).where(CalDavAccount.user_id == user_id)
    ).all():
        used = db.session.scalar(
            select(func.count())
            .select_from(BusyCalendar)
            .where(BusyCalendar.account_id == account.id)
        )
        if not used:
            db.session.delete(account)


def _own(user_id: int, calendar_id: int) -> BusyCalendar:
    calendar = db.session.get(BusyCalendar, calendar_id)
    if calendar is None or calendar.user_id != user_id:
        raise NotFound("That calendar is not on your list.")
    return calendar


def update(
    user_id: int, calendar_id: int, *, blocks: bool | None = None, write: bool | None = None
) -> CalendarView:
    """Whether a calendar blocks time, and whether interviews are written into it (one
    calendar at most: choosing one clears the others). Raises NotFound for another's
    calendar, InvalidInput (field write) to write into an iCal feed."""
    calendar = _own(user_id, calendar_id)
    if write and calendar.kind is not CalendarKind.CALDAV:
        raise InvalidInput(
            "Interviews can be written only into a CalDAV calendar; an iCal address is read-only.",
            field="write",
        )
    if blocks is not None:
        calendar.blocks = blocks
    if write is True:
        _write_into(user_id, calendar)
    elif write is False:
        calendar.write = False
    db.session.commit()
    return calendar_of(user_id, calendar.id)


def calendar_of(user_id: int, calendar_id: int) -> CalendarView:
    """One calendar of the person's. Raises NotFound."""
    for view in calendars_of(user_id):
        if view.id == calendar_id:
            return view
    raise NotFound("That calendar is not on your list.")


def remove(user_id: int, calendar_id: int) -> None:
    """Stop reading (and writing into) a calendar; its busy time stops blocking at once.
    The last calendar of a CalDAV account takes the account (and its password) with it.
    Raises NotFound for another's calendar."""
    calendar = _own(user_id, calendar_id)
    db.session.delete(calendar)
    db.session.flush()
    _drop_empty_accounts(user_id)
    db.session.commit()


def reseal_all() -> ResealCount:
    """Seal every CalDAV password again under the newest SECRET_KEY (after a rotation,
    with the old key in SECRET_KEY_FALLBACKS). A password no key opens stays as it is,
    counted and marked on its account for the host to enter again."""
    secret_key, fallbacks = _keys()
    resealed = unreadable = 0
    for account in db.session.scalars(select(CalDavAccount).order_by(CalDavAccount.id)).all():
        try:
            account.password_encrypted = reseal(account.password_encrypted, secret_key, fallbacks)
        except SecretUnreadable as problem:
            account.error = str(problem)
            unreadable += 1
        else:
            resealed += 1
    db.session.commit()
    return ResealCount(resealed=resealed, unreadable=unreadable)
