"""The start-up sequence of shared/API.md, run as a person would, in real processes."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

import pytest

INTERVIEWS = str(Path(sys.executable).with_name("interviews"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def env(tmp_path):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "FLASK_"))
    }
    clean.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        INTERVIEWS_ENV="development",
        SECRET_KEY="startup-test",
        MAIL_BACKEND="mailbox",
    )
    return clean


def run(env, *args):
    return subprocess.run([INTERVIEWS, *args], env=env, capture_output=True, text=True, timeout=60)


def test_serving_an_unmigrated_database_is_refused_with_the_command_to_run(env):
    result = run(env, "run", "--port", str(free_port()))

    assert result.returncode != 0
    assert "Run `interviews db upgrade`" in result.stderr


def test_upgrade_demo_and_run_serve_a_login_page_and_the_api(env):
    assert run(env, "db", "upgrade").returncode == 0
    seeded = run(env, "demo")
    assert seeded.returncode == 0 and "Seeded" in seeded.stdout
    token = run(env, "token", "create", "--email", "demo@example.com").stdout.strip()

    port = free_port()
    server = subprocess.Popen(
        [INTERVIEWS, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                login = urlopen(base + "/login", timeout=5).read().decode()
                break
            except URLError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "<h1>Log in</h1>" in login
        me = urlopen(
            Request(base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}), timeout=5
        )
        assert b'"email":"demo@example.com"' in me.read()
    finally:
        server.terminate()
        server.wait(timeout=10)
