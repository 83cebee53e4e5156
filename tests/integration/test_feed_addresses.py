"""Busy-calendar addresses cannot point the server at itself or its private network.

Without BUSY_FEED_ALLOW_PRIVATE (the default) an address that resolves to loopback,
private, link-local or other non-public addresses is refused when a host saves it and
when it is read, redirects included. Nothing here sends a packet anywhere but loopback:
addresses are checked before any connection is made.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from interviews.clock import utc_now
from interviews.db import db
from interviews.scheduling import busy_calendars, feed_reader
from interviews.scheduling.busy import BusyFeedError
from interviews.scheduling.models import BusyCalendar
from tests.conftest import CalendarServer, log_in, next_weekday_slot
from tests.integration.test_busy_calendars import busy_feed

PUBLIC_LOOKING = "calendar.example.test"


@pytest.fixture
def dana_client(app, study):
    client = app.test_client()
    log_in(client, study["dana"].email)
    return client


def calendars(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BusyCalendar))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:8080/private/basic.ics", "127.0.0.1 is this server itself"),
        ("https://10.20.30.40/cal.ics", "10.20.30.40 is an address on a private network"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:8080/cal.ics", "::1 is this server itself"),
        ("webcal://localhost/cal.ics", "is this server itself"),
        ("http://0.0.0.0:5000/cal.ics", "0.0.0.0 is an unspecified address"),
    ],
)
def test_a_private_calendar_address_is_refused_next_to_the_field_as_typed(
    app, dana_client, study, url, says
):
    response = dana_client.post("/availability/calendars", data={"url": url})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says in page and "not a public calendar server" in page
    # Next to the field, with what was typed kept in it.
    assert 'id="calendar-url-error"' in page and 'aria-invalid="true"' in page
    assert f'value="{url}"' in page
    assert calendars(app) == 0


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("javascript:alert(1)", "can run code"),
        ("file:///etc/passwd", "starts with https:// or webcal://"),
        ("//calendar.example.com/x.ics", "no scheme"),
    ],
)
def test_a_calendar_address_that_is_not_http_is_refused_next_to_the_field(
    app, dana_client, study, url, says
):
    response = dana_client.post("/availability/calendars", data={"url": url})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says in page and 'id="calendar-url-error"' in page
    assert calendars(app) == 0


def test_a_stored_loopback_feed_is_not_fetched_and_its_error_says_why(
    app, study, calendar_server: CalendarServer
):
    """A row saved before the rule (or while it was off) is refused when it is read."""
    calendar_server.body = busy_feed(next_weekday_slot(10))
    with app.app_context():
        calendar = BusyCalendar(
            user_id=study["dana"].user_id,
            url=calendar_server.url,
            created_at=utc_now(),
            failures=0,
            events=0,
        )
        db.session.add(calendar)
        db.session.commit()
        view = busy_calendars.refresh(calendar.id)

    assert view is not None and view.events == 0
    assert view.error is not None and "127.0.0.1 is this server itself" in view.error
    assert calendar_server.requests == []


def test_with_private_feeds_allowed_the_same_loopback_feed_is_read(
    make_app, study, calendar_server: CalendarServer
):
    """The control for the test above: the server is there and serves a calendar."""
    app = make_app(BUSY_FEED_ALLOW_PRIVATE=True)
    client = app.test_client()
    log_in(client, study["dana"].email)
    calendar_server.body = busy_feed(next_weekday_slot(10))

    page = client.post(
        "/availability/calendars", data={"url": calendar_server.url}, follow_redirects=True
    ).get_data(as_text=True)

    assert "Calendar added: 3 busy events" in page
    assert len(calendar_server.requests) == 1


# --- redirects, and the address the socket reached ---------------------------------------


@dataclass
class Redirector:
    """A loopback server: /feed.ics redirects to /secret.ics, which serves a calendar."""

    port: int = 0
    body: bytes = b""
    hits: list[str] = field(default_factory=list)

    def url(self, host: str, path: str = "/feed.ics") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def redirector() -> Iterator[Redirector]:
    state = Redirector()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            if self.path == "/feed.ics":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{state.port}/secret.ics")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    state.body = busy_feed(next_weekday_slot(10))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def resolve_public_looking_name_to_loopback(host: str, port: int) -> list[str]:
    """The test's DNS: PUBLIC_LOOKING stands for a public server (it is on loopback)."""
    if host == PUBLIC_LOOKING:
        return ["127.0.0.1"]
    return feed_reader.system_resolver(host, port)


def first_hop_is_public(host: str, ip: str) -> str | None:
    """Treat PUBLIC_LOOKING as the public server it stands for; check everything else."""
    return None if host == PUBLIC_LOOKING else feed_reader.public_only(host, ip)


def read(url: str, **seams) -> feed_reader.Fetched:
    return feed_reader.fetch(url, user_agent="test", timeout=5, allow_private=False, **seams)


def test_a_public_feed_that_redirects_to_loopback_is_refused_before_following_it(redirector):
    with pytest.raises(feed_reader.RefusedAddress) as refused:
        read(
            redirector.url(PUBLIC_LOOKING),
            resolve=resolve_public_looking_name_to_loopback,
            permit=first_hop_is_public,
        )

    assert f"{PUBLIC_LOOKING} sent us on to another address" in str(refused.value)
    assert "127.0.0.1 is this server itself" in str(refused.value)
    assert redirector.hits == ["/feed.ics"]  # the secret behind the redirect was never asked


def test_the_redirect_is_followed_when_every_hop_is_allowed(redirector):
    """The control for the test above: the redirect and the calendar behind it work."""
    fetched = feed_reader.fetch(
        redirector.url("127.0.0.1"), user_agent="test", timeout=5, allow_private=True
    )

    assert fetched.body == redirector.body
    assert redirector.hits == ["/feed.ics", "/secret.ics"]


def test_redirects_are_followed_a_bounded_number_of_times(redirector):
    """A redirect loop ends with a message, not a hang."""

    class Loop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(301)
            self.send_header("Location", "/again.ics")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Loop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(BusyFeedError, match="redirected more than 5 times"):
            feed_reader.fetch(
                f"http://127.0.0.1:{server.server_address[1]}/loop.ics",
                user_agent="test",
                timeout=5,
                allow_private=True,
            )
    finally:
        server.shutdown()
        server.server_close()


def test_a_name_with_one_private_address_among_its_answers_is_refused_before_connecting():
    """Nothing is connected to: the refusal comes from the addresses alone (10.x and
    the documentation address are never dialled)."""

    def two_answers(host: str, port: int) -> list[str]:
        return ["192.0.2.10", "10.0.0.7"]

    asked: list[str] = []

    def permit(host: str, ip: str) -> str | None:
        asked.append(ip)
        return feed_reader.public_only(host, ip) if ip.startswith("10.") else None

    with pytest.raises(feed_reader.RefusedAddress, match=r"\(10\.0\.0\.7\) is an address on a"):
        read("https://calendar.example.test/x.ics", resolve=two_answers, permit=permit)
    assert asked == ["192.0.2.10", "10.0.0.7"]


def test_the_address_the_socket_reached_is_checked_too(redirector):
    """A name checked as public whose connection lands elsewhere is refused: the permit
    here passes the address before connecting and refuses it once connected."""
    seen: list[str] = []

    def changes_its_mind(host: str, ip: str) -> str | None:
        seen.append(ip)
        return None if len(seen) == 1 else feed_reader.public_only(host, ip)

    with pytest.raises(feed_reader.RefusedAddress, match="this server itself"):
        read(
            redirector.url(PUBLIC_LOOKING),
            resolve=resolve_public_looking_name_to_loopback,
            permit=changes_its_mind,
        )
    assert seen == ["127.0.0.1", "127.0.0.1"]
    assert redirector.hits == []  # refused before a request was written
