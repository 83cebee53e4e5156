"""Which messages an interview gets, and when: pure functions over plain data.

A booking plans its whole life at once (PRODUCT.md): the confirmation now, reminders
before the call, a nudge and a "sorry we missed you" after its start unless the host
said the person joined, a thank-you once it is completed. The service stores the plan
in the outbox; the dispatcher sends what is due.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_REMINDER_OFFSETS = (24 * 60, 60, 10)  # minutes before the start
NUDGE_AFTER = timedelta(minutes=5)
MISSED_AFTER = timedelta(minutes=30)
# The longest a study may set a reminder before its interview, in minutes: two weeks.
MAX_OFFSET_MINUTES = 14 * 24 * 60
MAX_REMINDERS = 5


class MessageKind(enum.StrEnum):
    CONFIRMATION = "confirmation"  # to the participant, at booking, with the invite
    INVITE = "invite"  # to the host and each colleague, at booking, with the invite
    REMINDER = "reminder"  # to the participant, offset_minutes before
    HOST_REMINDER = "host_reminder"  # to the host, before, with one-click attendance links
    RESCHEDULED = "rescheduled"  # to everyone, with the updated invite
    CANCELLED = "cancelled"  # to everyone, with the CANCEL invite
    FOLLOWUP_NUDGE = "followup_nudge"  # to the participant, 5 minutes in: the join link
    FOLLOWUP_MISSED = "followup_missed"  # to the participant, 30 minutes in: rebook link
    THANK_YOU = "thank_you"  # to the participant, once completed
    REWARD_SENT = "reward_sent"  # to the participant, when their reward is sent or donated


class Audience(enum.StrEnum):
    PARTICIPANT = "participant"
    HOST = "host"
    COLLEAGUE = "colleague"


# Messages that only make sense before the call, and after the start without a sign of
# the person: a change of time or attendance voids those still pending.
BEFORE_THE_CALL = frozenset({MessageKind.REMINDER, MessageKind.HOST_REMINDER})
FOLLOW_UPS = frozenset({MessageKind.FOLLOWUP_NUDGE, MessageKind.FOLLOWUP_MISSED})


@dataclass(frozen=True)
class MessageSettings:
    """A study's messaging choices; defaults are PRODUCT.md's."""

    reminder_offsets: tuple[int, ...] = DEFAULT_REMINDER_OFFSETS
    followups: bool = True

    def __post_init__(self) -> None:
        if len(self.reminder_offsets) > MAX_REMINDERS:
            raise ValueError(f"at most {MAX_REMINDERS} reminders")
        for offset in self.reminder_offsets:
            if not 1 <= offset <= MAX_OFFSET_MINUTES:
                raise ValueError(
                    f"a reminder goes out 1 minute to {MAX_OFFSET_MINUTES // 1440} days before"
                )


@dataclass(frozen=True, order=True)
class PlannedMessage:
    due_at: datetime
    kind: MessageKind
    audience: Audience
    offset_minutes: int | None = None


def may_go_out(
    kind: MessageKind, due_at: datetime, offset_minutes: int | None, now: datetime, lead: timedelta
) -> bool:
    """Whether a pending message may be sent at ``now``. Reminders may start out up to
    ``lead`` early, so thousands due at one instant still arrive on time, but never by
    more than a tenth of how far ahead they are: a 24-hour or 1-hour reminder up to the
    whole lead, a 10-minute one a minute at most. Everything else waits for its time:
    follow-ups and thank-yous depend on what happened."""
    if kind in BEFORE_THE_CALL and offset_minutes:
        lead = min(lead, timedelta(minutes=offset_minutes) / 10)
    else:
        lead = timedelta(0)
    return due_at - lead <= now


def plan_before_and_after(
    start: datetime, now: datetime, settings: MessageSettings
) -> list[PlannedMessage]:
    """Reminders and follow-ups for an interview starting at ``start``, as seen at ``now``.

    A reminder whose moment has already passed is left out, never sent late: a 24-hour
    reminder for a call booked two hours ahead would only confuse. The host gets one
    reminder, with the participant's last one (the call is about to start: the moment to
    have the attendance links at hand).
    """
    plan = [
        PlannedMessage(start - timedelta(minutes=m), MessageKind.REMINDER, Audience.PARTICIPANT, m)
        for m in sorted(set(settings.reminder_offsets), reverse=True)
        if start - timedelta(minutes=m) > now
    ]
    if settings.reminder_offsets:
        last = min(settings.reminder_offsets)
        if start - timedelta(minutes=last) > now:
            plan.append(
                PlannedMessage(
                    start - timedelta(minutes=last),
                    MessageKind.HOST_REMINDER,
                    Audience.HOST,
                    last,
                )
            )
    if settings.followups:
        plan.append(
            PlannedMessage(start + NUDGE_AFTER, MessageKind.FOLLOWUP_NUDGE, Audience.PARTICIPANT)
        )
        plan.append(
            PlannedMessage(start + MISSED_AFTER, MessageKind.FOLLOWUP_MISSED, Audience.PARTICIPANT)
        )
    return sorted(plan)


def parse_offsets(text: str) -> tuple[int, ...]:
    """Reminder offsets as a PM types them: "24h, 1h, 10m" or minutes ("1440, 60, 10").

    Raises ValueError with a message for the PM.
    """
    offsets: list[int] = []
    for typed in text.replace(";", ",").split(","):
        part = typed.strip().lower().replace(" ", "")
        if not part:
            continue
        unit = 1
        for suffix, minutes in (("d", 1440), ("h", 60), ("min", 1), ("m", 1)):
            if part.endswith(suffix):
                part, unit = part[: -len(suffix)], minutes
                break
        if not (part.isascii() and part.isdigit()):
            # Quote what the PM typed, not what is left once a unit is cut off.
            raise ValueError(
                f"“{typed.strip()}” is not a time before the call; write e.g. 24h, 1h, 10m."
            )
        offsets.append(int(part) * unit)
    settings = MessageSettings(reminder_offsets=tuple(sorted(set(offsets), reverse=True)))
    return settings.reminder_offsets


def describe_offset(minutes: int) -> str:
    """1440 -> "24 hours", 60 -> "1 hour", 10 -> "10 minutes", 90 -> "90 minutes"."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def format_offsets(offsets: tuple[int, ...]) -> str:
    """The way a PM writes them back: (1440, 60, 10) -> "24h, 1h, 10m"."""
    return ", ".join(f"{m // 60}h" if m % 60 == 0 else f"{m}m" for m in offsets)
