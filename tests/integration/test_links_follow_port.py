"""Links that leave the app point where it runs: `interviews run --port P` (and `make run
PORT=P`) in development, BASE_URL when it is set; production must name BASE_URL."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

import pytest

BIN = Path(sys.executable).parent
INTERVIEWS = str(BIN / "interviews")
FLASK = str(BIN / "flask")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("port")
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "FLASK_", "BASE_URL", "PORT"))
    }
    clean.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        INTERVIEWS_ENV="development",
        SECRET_KEY="port-test",
        MAIL_BACKEND="mailbox",
        SWEEP_SECONDS="0",
    )
    return clean


def run(env, *args):
    return subprocess.run([INTERVIEWS, *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def seeded(env):
    """A migrated demo database (shared by this module's servers) and its owner's API token."""
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "demo").returncode == 0
    return run(env, "token", "create", "--email", "demo@example.com").stdout.strip()


def links_served_by(command: list[str], env: dict, port: int, token: str) -> dict:
    """Start the server, read the demo study's booking link and the API's server address."""
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                openapi = json.load(urlopen(base + "/api/v1/openapi.json", timeout=5))
                break
            except URLError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        studies = json.load(
            urlopen(
                Request(base + "/api/v1/studies", headers={"Authorization": f"Bearer {token}"}),
                timeout=5,
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    booking = next(s["booking_url"] for s in studies["items"] if s["slug"] == "demo")
    return {"booking_url": booking, "api": openapi["servers"][0]["url"]}


def test_interviews_run_on_another_port_links_to_that_port(env, seeded):
    port = free_port()

    links = links_served_by([INTERVIEWS, "run", "--port", str(port)], env, port, seeded)

    assert links["booking_url"] == f"http://127.0.0.1:{port}/book/demo"
    assert links["api"] == f"http://127.0.0.1:{port}"


def test_flask_run_on_another_port_links_to_that_port(env, seeded):
    port = free_port()

    links = links_served_by(
        [FLASK, "--app", "interviews", "run", "--port", str(port)], env, port, seeded
    )

    assert links["booking_url"] == f"http://127.0.0.1:{port}/book/demo"


def test_a_set_base_url_wins_over_the_port(env, seeded):
    port = free_port()
    env = {**env, "BASE_URL": "https://desk.example.com"}

    links = links_served_by([INTERVIEWS, "run", "--port", str(port)], env, port, seeded)

    assert links["booking_url"] == "https://desk.example.com/book/demo"


def test_production_without_base_url_will_not_start_and_says_what_to_set(env):
    env = {**env, "INTERVIEWS_ENV": "production"}

    result = run(env, "run", "--port", str(free_port()))

    assert result.returncode != 0
    assert "BASE_URL is required when INTERVIEWS_ENV=production" in result.stderr
    assert "BASE_URL=https://desk.example.com" in result.stderr
