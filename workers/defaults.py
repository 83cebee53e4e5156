"""Tuning numbers for background jobs, in one place."""

# How long the web app waits for Redis before treating it as down.
REDIS_TIMEOUT_SECONDS = 5
# How long a job may run before RQ considers it lost.
JOB_TIMEOUT_SECONDS = 60
# How long RQ keeps a finished job's result and a failed job's traceback.
RESULT_TTL_SECONDS = 3600
FAILURE_TTL_SECONDS = 7 * 24 * 3600
# Participant imports: rows per transaction (progress is visible after each), chunks a
# job does before a follow-up job takes the rest (each job stays well inside
# JOB_TIMEOUT_SECONDS), how long a running import's lease lasts without a chunk
# committing, and how long one may wait queued before the sweep hands it on again.
IMPORT_CHUNK_ROWS = 500
IMPORT_CHUNKS_PER_JOB = 20
IMPORT_LEASE_SECONDS = 120
IMPORT_QUEUE_LEASE_SECONDS = 300
# An upload never started (left at the column mapping) is deleted after this long.
IMPORT_ABANDONED_HOURS = 24
