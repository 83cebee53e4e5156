"""`rq cron workers.cron`: the schedule production runs beside its `rq worker`s.

Run exactly one `rq cron` (more are harmless: every sweep claims what it takes).
"""

from __future__ import annotations

from rq import cron

from workers.app import worker_app
from workers.sweep import sweep

config = worker_app().config
cron.register(sweep, queue_name=config["RQ_QUEUE_NAME"], interval=config["SWEEP_SECONDS"] or 5)
