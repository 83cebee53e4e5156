"""Load benchmark (issue 24): locust against gunicorn on PostgreSQL, at ten times the demo.

Run: .venv/bin/python benchmarks/load.py [--database-url URL] [--worker-class sync|gthread]
     [--workers 4] [--threads 4] [--users 10,25,50,75,100] [--step-seconds 30] [--seed 24]
     [--redis redis://127.0.0.1:6379/0 [--rq-workers 1]]

Makes a fresh PostgreSQL database on the server (dropped afterwards), migrates it and
seeds the workspace of benchmarks/big_workspace.py (a year of interviews across 10
studies and 5 hosts, 20,000 people, 100,000 takeaways, 5,000 rewards, two maps of 500
nodes), then VACUUM ANALYZE, as autovacuum would soon after a bulk load. Then, for each
worker class (both in turn unless one is given), it starts gunicorn on a free loopback
port (4 workers, RATELIMIT_ENABLED=false, no sweeper thread, embedded mode: no Redis)
and runs locust headless (benchmarks/load_users.py: interviewees, PMs and teammates,
weighted 3 : 2 : 1) once per step of concurrent users, each step for a bounded time
with a fixed seed. Prints, per step, every page's requests, p50/p95/p99 in ms (locust's
percentiles: rounded to two significant digits above 100 ms) and errors, what failed,
and the saturation point: the first step at which any page's p95 passes 100 ms (the
log-in, done once per user as the step starts, is shown but does not count). Target
(issue 24): every page's p95 under 100 ms at 50 users, no errors. Asserts nothing.

With ``--redis URL`` it runs in production's shape instead: gunicorn gets REDIS_URL
(and a queue of its own), ``--rq-workers`` `rq worker`s (SimpleWorker, as the README
says) and one `rq cron` run beside it, and the mail a booking or a cancellation makes
is sent by the workers instead of inside the request. Each step then also prints how
many emails were sent and how many jobs were still waiting when it ended, so a worker
falling behind shows.

Locust runs as one process on the same two cores as the server (``--processes`` would
take more of the cores gunicorn needs); gunicorn's log is kept and its errors shown.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from big_workspace import seed_big_workspace  # beside this script
from redis import Redis
from sqlalchemy import create_engine, text
from throwaway import throwaway_app

from interviews.db import db

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_MS = 100
NOT_A_PAGE = ("/login", "/login (POST)")  # once per user at the start of a step


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer at {url} within {seconds:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (gunicorn's graceful stop), then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def app_environment(args, database_url: str, base: str) -> dict[str, str]:
    """The settings gunicorn (and, with --redis, the rq workers) run with."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_DEBUG")}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="load-benchmark",
        BASE_URL=base,
        RATELIMIT_ENABLED="false",
        SWEEP_SECONDS="0",
        INTERVIEWS_ENV="development",  # production insists on https cookies
        MAIL_BACKEND="mailbox",
    )
    if args.redis:
        # Production's shape: mail goes to the workers; the sweep runs in rq cron.
        env.update(REDIS_URL=args.redis, RQ_QUEUE_NAME=args.queue, SWEEP_SECONDS="5")
    return env


def start_rq(args, env: dict[str, str], workdir: Path) -> list[subprocess.Popen]:
    """The README's production workers: --rq-workers `rq worker`s and one `rq cron`."""
    commands = [
        [str(BIN / "rq"), "worker", "-c", "workers.settings", "-w", "rq.worker.SimpleWorker"]
    ] * args.rq_workers + [[str(BIN / "rq"), "cron", "workers.cron"]]
    processes = []
    for number, command in enumerate(commands):
        with open(workdir / f"rq-{number}.log", "w") as log:
            processes.append(
                subprocess.Popen(
                    command,
                    env=env,
                    cwd=HERE.parent,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    print(f"$ {args.rq_workers} x {' '.join(commands[0][1:])} + rq cron workers.cron")
    return processes


def mail_and_queue(args, database_url: str) -> str:
    """How many emails are sent and how many jobs still wait on the queue, now."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as c:
            sent = c.scalar(text("SELECT count(*) FROM mail_message WHERE status = 'sent'"))
    finally:
        engine.dispose()
    waiting = Redis.from_url(args.redis).llen(f"rq:queue:{args.queue}")
    return f"emails sent so far {sent:,}, jobs waiting on the queue {waiting}"


def start_gunicorn(args, worker_class: str, database_url: str, workdir: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = app_environment(args, database_url, base)
    command = [
        str(BIN / "gunicorn"),
        "interviews:create_app()",
        "--config",  # the README's production settings (the collector's thresholds)
        "python:interviews.gunicorn_settings",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        worker_class,
        "--timeout",
        str(args.worker_timeout),
        "--graceful-timeout",
        "5",
        # Not the shared ~/.gunicorn/gunicorn.ctl: another gunicorn may run on this machine.
        "--no-control-socket",
        "--error-logfile",
        str(workdir / f"gunicorn-{worker_class}.log"),
    ]
    if worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    with open(workdir / f"gunicorn-{worker_class}.out", "w") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    print(f"$ {' '.join(command[:2])} {' '.join(command[2:])}", flush=True)
    workers = start_rq(args, env, workdir) if args.redis else []
    return process, base, workers


def run_step(args, base: str, users: int, prefix: Path, fixture: Path) -> list[dict]:
    """One locust run of ``users`` users; returns its rows of stats (Aggregated last)."""
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "load_users.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{args.step_seconds}s",
        "--stop-timeout",
        "5",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "LOAD_FIXTURE": str(fixture),
        "LOAD_SEED": str(args.seed),
        "LOAD_SKIP": ",".join(args.skip),
    }
    with open(f"{prefix}.log", "w") as log:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )
    try:
        process.wait(timeout=args.step_seconds + 60)
    finally:
        stop(process)
    with open(f"{prefix}_stats.csv") as f:
        return list(csv.DictReader(f))


def number(row: dict, column: str) -> float:
    value = row.get(column) or "0"
    return float(value) if value != "N/A" else 0.0


def print_table(users: int, rows: list[dict], seconds: int) -> None:
    # The machine's load average: other work on the same cores shows in the numbers.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n{users} users, {seconds} s (load average after: {load}):")
    print(f"  {'page':<36} {'requests':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
    for row in rows:
        if row["Name"] == "Aggregated":
            label = f"all ({number(row, 'Requests/s'):.1f} req/s)"
        else:
            label = row["Name"] + (" *" if row["Name"] in NOT_A_PAGE else "")
        print(
            f"  {label:<36} {int(number(row, 'Request Count')):>8} "
            f"{number(row, '50%'):>6.0f} {number(row, '95%'):>6.0f} "
            f"{number(row, '99%'):>6.0f} {int(number(row, 'Failure Count')):>6}"
        )


def print_failures(prefix: Path) -> None:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return
    with open(path) as f:
        for row in csv.DictReader(f):
            print(f"  failed: {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")


def gunicorn_errors(workdir: Path, worker_class: str) -> None:
    log = workdir / f"gunicorn-{worker_class}.log"
    lines = log.read_text().splitlines() if log.exists() else []
    bad = [line for line in lines if " ERROR " in line or "Traceback" in line]
    bad += [line for line in lines if "[CRITICAL]" in line or "WORKER TIMEOUT" in line]
    print(f"gunicorn log {log}: {len(bad)} error lines")
    for line in bad[:10]:
        print(f"  {line}")


def probe_shared_report(args, base: str, fixture: Path) -> None:
    """One GET of a shared report link with nothing else running: how long it takes
    alone (it may pass the worker timeout, then gunicorn kills the worker)."""
    token = json.loads(fixture.read_text())["share_tokens"][0]
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(
            f"{base}/shared/{token}", timeout=args.worker_timeout + 30
        ) as r:
            outcome = f"{r.status}, {len(r.read()):,} bytes"
    except OSError as error:
        outcome = f"failed: {error}"
    print(f"GET /shared/[token] alone: {time.perf_counter() - started:.1f} s ({outcome})")


def measure(args, worker_class: str, database_url: str, workdir: Path, fixture: Path):
    """All steps against one gunicorn; returns [(users, rows)]."""
    print(f"\n=== gunicorn {worker_class}, {args.workers} workers", end="")
    print(f", {args.threads} threads each ===" if worker_class == "gthread" else " ===")
    process, base, workers = start_gunicorn(args, worker_class, database_url, workdir)
    results = []
    try:
        wait_until_up(base, process)
        if args.warmup_seconds:
            # Every worker's first requests compile templates and open connections.
            warm = argparse.Namespace(**{**vars(args), "step_seconds": args.warmup_seconds})
            run_step(warm, base, min(args.users), workdir / f"warmup-{worker_class}", fixture)
        if args.probe_shared:
            probe_shared_report(args, base, fixture)
            args.probe_shared = False  # once a run: it is the same page on every server
        for users in args.users:
            prefix = workdir / f"locust-{worker_class}-{users}"
            rows = run_step(args, base, users, prefix, fixture)
            print_table(users, rows, args.step_seconds)
            print_failures(prefix)
            if args.redis:
                print(f"  {mail_and_queue(args, database_url)}")
            results.append((users, rows))
    finally:
        stop(process)
        for worker in workers:
            stop(worker)
        if args.redis:
            redis = Redis.from_url(args.redis)  # this run's queue and registries go
            keys = list(redis.scan_iter(f"rq:*{args.queue}*"))
            if keys:
                redis.delete(*keys)
    gunicorn_errors(workdir, worker_class)
    return results


def saturation(worker_class: str, results) -> None:
    """The first step at which any page's p95 passes the target."""
    for users, rows in results:
        slow = [
            (number(r, "95%"), r["Name"])
            for r in rows
            if r["Name"] not in (*NOT_A_PAGE, "Aggregated") and number(r, "95%") > TARGET_MS
        ]
        if slow:
            worst = ", ".join(f"{name} p95 {p95:.0f} ms" for p95, name in sorted(slow)[::-1])
            print(f"{worker_class}: saturation at {users} users ({worst})")
            return
    top = results[-1][0] if results else 0
    print(f"{worker_class}: no page's p95 passed {TARGET_MS} ms up to {top} users")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER,
        help="a PostgreSQL server URL; a fresh database is made on it and dropped after",
    )
    parser.add_argument(
        "--worker-class", choices=("sync", "gthread"), help="default: sync, then gthread"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument(
        "--users",
        default="10,25,50,75,100",
        type=lambda s: [int(n) for n in s.split(",")],
        help="concurrent users, one locust run per step",
    )
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument(
        "--warmup-seconds", type=int, default=15, help="an unreported run before the steps"
    )
    parser.add_argument("--worker-timeout", type=int, default=120, help="gunicorn --timeout")
    parser.add_argument(
        "--skip",
        default=[],
        type=lambda s: [name for name in s.split(",") if name],
        help="locust tasks to leave out, by name (e.g. shared_report)",
    )
    parser.add_argument(
        "--probe-shared",
        action="store_true",
        help="time one GET of a shared report link alone, before the steps",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="production's shape: mail sent by rq workers on this Redis (e.g. "
        "redis://127.0.0.1:6379/0); without it, the embedded mode (mail sent in the request)",
    )
    parser.add_argument("--rq-workers", type=int, default=1, help="with --redis")
    args = parser.parse_args()
    args.queue = f"load-{uuid.uuid4().hex[:8]}"  # this run's own queue on a shared Redis
    # A plain `kill` stops the run as Ctrl-C does: gunicorn, locust and the database go.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.default_int_handler)
    classes = [args.worker_class] if args.worker_class else ["sync", "gthread"]
    with throwaway_app(args.database_url) as app:
        workdir = Path(app.instance_path)
        logging.getLogger("interviews").setLevel(logging.WARNING)  # no mail printed
        with app.app_context():
            started = time.perf_counter()
            seeded = seed_big_workspace(args.seed)
            seeding = time.perf_counter() - started
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
            total = time.perf_counter() - started
            database_url = db.engine.url.render_as_string(hide_password=False)
            db.session.remove()
            db.engine.dispose()
        print(f"seeded in {seeding:.1f} s (+ VACUUM ANALYZE: {total:.1f} s):")
        for name, count in seeded.counts.items():
            print(f"  {name:<24} {count:>8,}")
        fixture = workdir / "fixture.json"
        fixture.write_text(json.dumps(seeded.fixture()))
        print(f"scratch folder (logs, locust CSVs): {workdir}")
        if args.skip:
            print(f"left out of the traffic: {', '.join(args.skip)}")
        measured = {}
        for worker_class in classes:
            measured[worker_class] = measure(args, worker_class, database_url, workdir, fixture)
        print()
        for worker_class, results in measured.items():
            saturation(worker_class, results)


if __name__ == "__main__":
    main()
