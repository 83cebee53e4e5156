"""Measure the foundation's costs a user feels: log-in hashing, API auth, page renders.

Run: .venv/bin/python benchmarks/foundation.py [--database-url URL] [--requests N]
Prints numbers; it asserts nothing. Record them in benchmarks/RESULTS.md.

It builds its own throwaway database (a temporary SQLite file by default, or a
fresh database on the PostgreSQL server given), migrates it, seeds the demo,
and serves the app on a loopback port with werkzeug's threaded server, so the
HTTP numbers include the network stack, routing, auth and rendering.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.request import Request, urlopen

from sqlalchemy.engine import make_url
from stats import percentile  # beside this script (run as benchmarks/<name>.py)
from throwaway import throwaway_app
from werkzeug.serving import make_server

from interviews.accounts import api_tokens, passwords
from interviews.flows.demo import DEMO_EMAIL, seed


def report(name: str, seconds: list[float], wall: float | None = None) -> None:
    ms = [s * 1000 for s in seconds]
    line = (
        f"{name:<44} n={len(ms):<5} p50={statistics.median(ms):7.2f} ms  "
        f"p95={percentile(ms, 95):7.2f} ms  max={max(ms):7.2f} ms"
    )
    if wall:
        line += f"  {len(ms) / wall:7.1f} req/s"
    print(line)


def bench_passwords(rounds: int) -> None:
    hashed = passwords.hash_password("correct horse battery")
    report(
        "argon2id hash (sign-up, reset)",
        [timed(passwords.hash_password, "correct horse battery") for _ in range(rounds)],
    )
    report(
        "argon2id verify (each log-in)",
        [timed(passwords.verify_password, hashed, "correct horse battery") for _ in range(rounds)],
    )


def timed(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def http_get(url: str, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    with urlopen(Request(url, headers=headers), timeout=30) as response:
        response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - start


def bench_http(
    base: str, path: str, headers: dict[str, str], requests: int, concurrency: int, name: str
) -> None:
    http_get(base + path, headers)  # warm up
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        samples = list(pool.map(lambda _: http_get(base + path, headers), range(requests)))
    report(f"{name} (concurrency {concurrency})", samples, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--hash-rounds", type=int, default=20)
    args = parser.parse_args()

    with throwaway_app(args.database_url) as app:
        with app.app_context():
            seed()
            _, secret = api_tokens.create_api_token_for_email(DEMO_EMAIL, "bench")
        print(
            f"database: {make_url(app.config['SQLALCHEMY_DATABASE_URI']).get_backend_name()}; requests per case: {args.requests}"
        )

        bench_passwords(args.hash_rounds)

        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        bearer = {"Authorization": f"Bearer {secret}"}
        for concurrency in (1, 8):
            bench_http(base, "/api/v1/me", bearer, args.requests, concurrency, "GET /api/v1/me")
            bench_http(
                base, "/api/v1/members", bearer, args.requests, concurrency, "GET /api/v1/members"
            )
            bench_http(base, "/login", {}, args.requests, concurrency, "GET /login (HTML)")
        server.shutdown()


if __name__ == "__main__":
    main()
