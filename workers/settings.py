"""`rq worker -c workers.settings`: the worker's settings, from the app's own environment.

Importing this builds the Flask app once, in the worker's main process, before any job:
each job's forked work horse inherits it instead of building its own (about 0.7 s a
job). Building the app opens no database connection, so none is shared across forks.
With `-w rq.worker.SimpleWorker` (the README's command) jobs run in this process and
its warm caches and connection carry over from job to job.
"""

from __future__ import annotations

from workers.app import worker_app

_config = worker_app().config

REDIS_URL = _config["REDIS_URL"]
QUEUES = [_config["RQ_QUEUE_NAME"]]
