"""The weekly digest email: a member who asks for it hears on Monday morning, in their
own time zone, how the workspace's week went: interviews and show rate, new takeaways,
outputs shipped, rewards overdue. Each member opts in for themselves, per workspace.

One digest per member and week. The DigestSent row is the claim, written in the same
transaction as the email, so two sweeps racing cannot both send it and a sweep that
finds it sends nothing; the email is handed to delivery after the commit, as all mail
is. A claim without an email marks the week someone opted in after: they get the next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.compensation import service as compensation
from interviews.compensation.rules import RewardStatus
from interviews.db import db
from interviews.errors import Conflict
from interviews.mail import service as mail
from interviews.maps import service as maps
from interviews.notes import service as notes
from interviews.reports import weekly
from interviews.reports.models import DigestSent
from interviews.scheduling import team

log = logging.getLogger(__name__)

KIND = "weekly_digest"
REWARD_PAGE = 1000


def digest_of(
    member: accounts.Member, week_start: date, timezone: str, now: datetime
) -> weekly.WeeklyDigest:
    """The member's workspace's digest for the week beginning on Monday ``week_start`` in
    ``timezone``. Rewards are counted overdue as of ``now``: they are a to-do, not history."""
    workspace_id = member.workspace_id
    start, end = weekly.week_bounds(week_start, timezone)
    ahead_start, ahead_end = weekly.week_bounds(week_start + weekly.WEEK, timezone)
    owed: list[tuple[bool, Any]] = []
    offset = 0
    while True:
        page = compensation.rewards(
            workspace_id, status=RewardStatus.OWED, limit=REWARD_PAGE, offset=offset, now=now
        ).items
        owed.extend((r.overdue, r.money) for r in page)
        if len(page) < REWARD_PAGE:
            break
        offset += REWARD_PAGE
    return weekly.build_digest(
        workspace_name=member.workspace_name,
        week_start=week_start,
        timezone=timezone,
        attendance=team.attendance_by_study(workspace_id, start, end).values(),
        ahead=team.attendance_by_study(workspace_id, ahead_start, ahead_end).values(),
        takeaways=[
            weekly.TakeawayLine(t.id, t.text, t.quote, t.participant_name, t.created_at)
            for t in notes.takeaways_added(workspace_id, start, end)
        ],
        shipped=[
            weekly.ShippedLine(o.id, o.title, o.map_id, o.map_goal, o.shipped_at)
            for o in maps.outputs_shipped(workspace_id, start, end)
        ],
        owed=owed,
    )


def _link(path: str) -> str:
    return current_app.config["BASE_URL"] + path


def _context(digest: weekly.WeeklyDigest, member: accounts.Member) -> dict[str, Any]:
    """What the email templates show, links absolute (they leave the app)."""
    library = {"from": digest.week_start.isoformat(), "to": digest.week_end.isoformat()}
    return {
        "digest": digest,
        "first_name": (member.name.split() or ["there"])[0],
        "week": weekly.week_label(digest.week_start),
        "show_rate": weekly.percent(digest.show_rate),
        "takeaways": [(weekly.short(t.text), weekly.short(t.quote), t.who) for t in digest.newest],
        "shipped": [(o, _link(f"/maps/{o.map_id}")) for o in digest.shipped],
        "overdue_total": digest.overdue_total.label(),
        "library_url": _link("/takeaways?" + urlencode(library)),
        "rewards_url": _link("/rewards"),
        "profile_url": _link("/profile#digest"),
    }


def _compose(member: accounts.Member, week_start: date | None, now: datetime):
    zone = team.viewer_timezone(member.user_id)
    week = weekly.monday_of(week_start) if week_start else weekly.due_week(now, zone)
    digest = digest_of(member, week, zone, now)
    return digest, weekly.subject(digest), _context(digest, member)


def preview(
    email: str,
    week_start: date | None = None,
    workspace_id: int | None = None,
    now: datetime | None = None,
) -> tuple[str, str]:
    """The digest this person would get, as (subject, text), without sending or recording
    anything: for the week containing ``week_start``, else the latest one due. Raises
    NotFound (no such user, not a member there)."""
    now = now or utc_now()
    member = accounts.member_by_email(email, workspace_id)
    _, subject, context = _compose(member, week_start, now)
    product = current_app.config["PRODUCT_NAME"]
    return subject, render_template("emails/weekly_digest.txt", product_name=product, **context)


def _claimed(membership_ids: list[int], since: date) -> set[tuple[int, date]]:
    rows = db.session.execute(
        select(DigestSent.membership_id, DigestSent.week_start).where(
            DigestSent.membership_id.in_(membership_ids), DigestSent.week_start >= since
        )
    ).all()
    return {(membership_id, week) for membership_id, week in rows}


def _send_one(member: accounts.Member, week: date, now: datetime) -> int:
    """Claim the week and queue its email, in one transaction. Raises IntegrityError when
    the week was claimed already (a sweep racing this one)."""
    digest, subject, context = _compose(member, week, now)
    claim = DigestSent(membership_id=member.membership_id, week_start=week, created_at=now)
    db.session.add(claim)
    db.session.flush()  # the claim first: a race ends here, before any email exists
    message = mail.queue_email(
        kind=KIND,
        recipient=member.email,
        subject=subject,
        template="weekly_digest",
        context=context,
        # From the workspace's desk, not a person: nobody wrote it, nobody to reply to.
        sender_name=current_app.config["PRODUCT_NAME"],
        reply_to=None,
        workspace_id=member.workspace_id,
    )
    db.session.flush()
    claim.mail_message_id = message.id
    db.session.commit()
    return message.id


def send_due(now: datetime | None = None) -> int:
    """Send every weekly digest due at ``now`` that has not gone yet: for each opted-in
    member, the latest week due in their time zone (no backlog of older ones). Returns
    how many were queued. Safe to run in several places at once."""
    now = now or utc_now()
    members = accounts.digest_members()
    if not members:
        return 0
    # Due weeks began 7 to 14 days before now's local date: anything older is history.
    claimed = _claimed([m.membership_id for m in members], now.date() - timedelta(days=22))
    sent = 0
    for member in members:
        zone = team.viewer_timezone(member.user_id)
        week = weekly.due_week(now, zone)
        if (member.membership_id, week) in claimed:
            continue
        try:
            message_id = _send_one(member, week, now)
        except IntegrityError:
            db.session.rollback()  # another sweep claimed it a moment ago: it sends it
            continue
        except Exception:  # one member's digest must not hold up everyone else's
            log.exception("weekly digest of membership %s failed", member.membership_id)
            db.session.rollback()
            continue
        mail.dispatch(message_id)
        sent += 1
    return sent


@dataclass(frozen=True)
class DigestSetting:
    on: bool
    timezone: str  # the member's, which their digest's weeks and send time are in
    next_at: datetime  # when the next one goes out, in that zone


def setting(member: accounts.Member, now: datetime | None = None) -> DigestSetting:
    """Whether the member gets the weekly digest, and when the next one goes out."""
    now = now or utc_now()
    zone = team.viewer_timezone(member.user_id)
    next_week = weekly.due_week(now, zone) + weekly.WEEK
    return DigestSetting(
        on=accounts.weekly_digest_on(member.membership_id),
        timezone=zone,
        next_at=weekly.send_time(next_week, zone).astimezone(ZoneInfo(zone)),
    )


def set_weekly_digest(member: accounts.Member, on: bool, now: datetime | None = None) -> bool:
    """Turn the workspace's weekly digest on or off for this member, by themselves.
    Someone opting in mid-week gets the next digest, not the one due since Monday: that
    week is claimed without an email. Returns the setting. Raises NotFound, Conflict."""
    now = now or utc_now()
    week = weekly.due_week(now, team.viewer_timezone(member.user_id))
    for _ in range(2):
        was_on = accounts.weekly_digest_on(member.membership_id)
        accounts.set_weekly_digest_flag(member.membership_id, on)
        # Only when switching on: saying "on" twice must not swallow a digest about to go.
        if on and not was_on and not _claimed([member.membership_id], week):
            db.session.add(
                DigestSent(membership_id=member.membership_id, week_start=week, created_at=now)
            )
        try:
            db.session.commit()
            return on
        except IntegrityError:
            db.session.rollback()  # a sweep claimed that week a moment ago: read again
    raise Conflict("Your digest is being sent right now. Try again in a moment.")
