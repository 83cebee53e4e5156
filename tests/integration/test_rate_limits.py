"""Rate limits on logging in: a readable refusal, counted in Redis across app instances."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.integration.conftest import free_port

VISITOR = {"REMOTE_ADDR": "203.0.113.7"}


def fail_to_log_in(client, email: str, environ=VISITOR) -> int:
    response = client.post(
        "/login", data={"email": email, "password": "not my password"}, environ_base=environ
    )
    return response.status_code


def test_the_eleventh_failed_login_in_a_minute_is_refused_with_a_readable_page(
    make_app, make_workspace
):
    app = make_app(RATELIMIT_ENABLED=True)
    owner = make_workspace()
    client = app.test_client()

    assert [fail_to_log_in(client, owner.email) for _ in range(10)] == [422] * 10
    response = client.post(
        "/login", data={"email": owner.email, "password": PASSWORD}, environ_base=VISITOR
    )

    # Even the right password waits: the limit is on the address, not on a guess.
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Slow down a little" in page
    assert "Too many attempts. Wait a minute and try again." in page
    assert int(response.headers["Retry-After"]) > 0
    # The form itself still loads, and someone at another address can still log in.
    assert client.get("/login", environ_base=VISITOR).status_code == 200
    other = client.post(
        "/login",
        data={"email": owner.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    assert other.status_code == 302


def test_login_limits_are_counted_in_redis_and_shared_by_every_app_instance(
    make_app, make_workspace, redis_url, namespace, redis
):
    settings = {
        "RATELIMIT_ENABLED": True,
        "REDIS_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": namespace,
    }
    first = make_app(**settings)
    owner = make_workspace()

    assert [fail_to_log_in(first.test_client(), owner.email) for _ in range(10)] == [422] * 10

    assert list(redis.scan_iter(match=f"*{namespace}*")), "no rate-limit counters in Redis"
    # Another instance (another gunicorn worker, another machine) starts from Redis, not zero.
    second = make_app(**settings)
    assert fail_to_log_in(second.test_client(), owner.email) == 429
    assert fail_to_log_in(first.test_client(), owner.email) == 429


def test_with_redis_down_people_can_still_log_in_and_guessing_is_still_limited(
    make_app, make_workspace
):
    nothing_here = f"redis://127.0.0.1:{free_port()}/0"
    app = make_app(RATELIMIT_ENABLED=True, REDIS_URL=nothing_here)
    owner = make_workspace()
    client = app.test_client()

    assert [fail_to_log_in(client, owner.email) for _ in range(11)] == [422] * 10 + [429]
    someone_else = client.post(
        "/login",
        data={"email": owner.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    assert someone_else.status_code == 302
