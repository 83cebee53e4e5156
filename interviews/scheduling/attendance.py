"""Attendance numbers of a study: pure arithmetic over interview statuses. No database.

The flake rate is PRODUCT.md's: no-shows over the interviews that were due to happen
and did or did not (completed + no-show). About 10% is good for an engaged B2B
audience; 40% is not unusual for consumers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from interviews.scheduling.models import InterviewStatus

ENGAGED_B2B_FLAKE_RATE = 0.10
CONSUMER_FLAKE_RATE = 0.40


@dataclass(frozen=True)
class AttendanceNumbers:
    booked: int  # every interview ever booked, cancelled ones included
    upcoming: int
    joined: int  # on the call now (marked joined, not yet completed)
    completed: int
    no_show: int
    cancelled: int
    recovered: int  # no-shows who rebooked from the follow-up and then completed

    @property
    def flake_rate(self) -> float | None:
        """no-show / (completed + no-show); None when neither has happened yet."""
        happened = self.completed + self.no_show
        return self.no_show / happened if happened else None

    @property
    def recovery_rate(self) -> float | None:
        """Recovered no-shows over all no-shows; None without no-shows."""
        return self.recovered / self.no_show if self.no_show else None


def count_attendance(statuses: Iterable[InterviewStatus], recovered: int) -> AttendanceNumbers:
    """The numbers for these interviews' statuses and this many recovered no-shows."""
    counts = Counter(statuses)
    return AttendanceNumbers(
        booked=sum(counts.values()),
        upcoming=counts[InterviewStatus.BOOKED],
        joined=counts[InterviewStatus.JOINED],
        completed=counts[InterviewStatus.COMPLETED],
        no_show=counts[InterviewStatus.NO_SHOW],
        cancelled=counts[InterviewStatus.CANCELLED],
        recovered=recovered,
    )
