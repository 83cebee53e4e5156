"""The dispatcher: one sweep over everything the database says is due.

Interview messages (reminders, follow-ups, retries) from the outbox, every other email
whose hand-off was lost or whose retry is due (mail.delivery), hosts' busy
calendars, participant imports whose worker went quiet, and members' weekly digests:
each due row (or member's week) is claimed, then handed to an RQ worker when REDIS_URL
is set, or handled here. Production runs a sweep a minute from `rq cron` (workers.cron);
without Redis a thread in the web process does (``start_sweeper``); `interviews
dispatch` runs one now.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import Flask

from interviews.clock import utc_now
from interviews.db import db
from interviews.mail import delivery
from interviews.messaging import service as messaging
from interviews.participants import import_runs
from interviews.reports import digest
from interviews.scheduling import busy_calendars, calendar_writes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    messages: int  # interview messages sent (or handed to a worker)
    calendars: int  # busy calendars refreshed (or handed to a worker)
    imports: int  # participant imports resumed after their lease ran out
    digests: int = 0  # weekly digest emails queued
    mail: int = 0  # other emails sent (or handed to a worker): lost hand-offs and retries
    calendar_writes: int = 0  # interviews written into team calendars (or handed to a worker)

    def __str__(self) -> str:
        return (
            f"messages dispatched: {self.messages}; busy calendars refreshed: {self.calendars}; "
            f"participant imports resumed: {self.imports}; weekly digests sent: {self.digests}; "
            f"other emails dispatched: {self.mail}; calendar writes: {self.calendar_writes}"
        )


def sweep(now: datetime | None = None) -> SweepReport:
    """Do (or hand to workers) everything that is due now. Safe to run in several places at once."""
    now = now or utc_now()
    return SweepReport(
        messages=messaging.dispatch_due(now),
        calendars=busy_calendars.refresh_due(now),
        calendar_writes=calendar_writes.dispatch_due(now),
        imports=import_runs.sweep_imports(now),
        digests=digest.send_due(now),
        # Last: the digests just written are dispatched by their own sender already.
        mail=delivery.dispatch_due(now),
    )


class Sweeper:
    """A daemon thread sweeping every SWEEP_SECONDS in this process (embedded mode)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = app.config["SWEEP_SECONDS"]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="interviews-sweeper", daemon=True)

    def start(self) -> Sweeper:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self.app.app_context():
                try:
                    report = sweep()
                    if any(vars(report).values()):
                        log.info("sweep: %s", report)
                except Exception:  # the next sweep tries again; the thread must live on
                    log.exception("sweep failed")
                    db.session.rollback()
