"""A real CalDAV server for tests: Radicale (installed in the venv) on a loopback port.

Fixture ``caldav_server`` (function scope, over one Radicale process per test session)
gives a ``CalDavServer`` with:

- ``.url``: the server root, e.g. ``http://127.0.0.1:40123/``;
- ``.add_user(name, password) -> None``: a login (htpasswd, plain; read on every login);
- ``.make_calendar(user, password, slug, name) -> str``: MKCALENDAR ``/<user>/<slug>/``
  with display name ``name`` for VEVENTs; returns the collection URL (ends with ``/``);
- ``.put_event(calendar_url, user, password, ics_text, href=None) -> str``: PUT a
  VCALENDAR (href defaults to ``<first UID>.ics``); returns the resource URL;
- ``.events(calendar_url, user, password) -> list[(href, ics_text)]``: what the
  calendar holds now, sorted by href (hrefs are paths, as the server names them);
- ``.stop()`` / ``.start()``: take the server down and bring it back on the same port
  with the same data (outage tests);
- ``.requests(method=None) -> int``: how many HTTP requests the server has logged since
  the test began (optionally of one method, e.g. ``"REPORT"``): "the server was not asked".

Every test starts with a running server, no users and no calendars. Everything here
talks raw HTTP (urllib), not through the ``caldav`` package the app uses, so a test
checks the app's client against an independent view of the server.
"""

from __future__ import annotations

import base64
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest

_DAV = "{DAV:}"
_MKCALENDAR = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>{name}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="{component}"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>"""
_PROPFIND_ETAGS = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:resourcetype/></D:prop></D:propfind>"""
# Radicale logs one line per request: "[INFO] REPORT request for '/a/b/' received from ..."
_REQUEST_LINE = re.compile(r"\] (\w+) request for '")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CalDavServer:
    """One Radicale process and its files (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.users_file = folder / "users"
        self.storage = folder / "storage"
        self.log_file = folder / "radicale.log"
        self.config_file = folder / "config"
        self._process: subprocess.Popen[bytes] | None = None
        self._log_offset = 0
        self.users_file.write_text("")
        self.storage.mkdir()
        self.config_file.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {self.users_file}\n"
            "htpasswd_encryption = plain\n"
            # A refused login answers at once (the default waits about a second).
            "delay = 0\n"
            "[rights]\n"
            "type = owner_only\n"
            "[storage]\n"
            f"filesystem_folder = {self.storage}\n"
            "[web]\n"
            "type = none\n"
            "[logging]\n"
            "level = info\n"
        )

    # -- process ---------------------------------------------------------------------

    def start(self) -> None:
        """Run Radicale on this object's port; returns once it answers."""
        if self._process is not None and self._process.poll() is None:
            return
        log = self.log_file.open("ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(self.config_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"Radicale exited at start:\n{self.log_file.read_text()[-3000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("Radicale did not start listening within 20 s")

    def stop(self) -> None:
        """Stop Radicale; its port then refuses connections. Data stays for ``start``."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def reset(self) -> None:
        """No users, no calendars, request count from zero; running."""
        self.start()
        self.users_file.write_text("")
        root = self.storage / "collection-root"
        if root.exists():
            for child in root.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        self._log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0

    # -- data --------------------------------------------------------------------------

    def add_user(self, name: str, password: str) -> None:
        """A login ``name``/``password`` (replaces the user's old password, if any)."""
        lines = [
            line
            for line in self.users_file.read_text().splitlines()
            if line and line.split(":", 1)[0] != name
        ]
        lines.append(f"{name}:{password}")
        self.users_file.write_text("\n".join(lines) + "\n")

    def make_calendar(
        self, user: str, password: str, slug: str, name: str, *, component: str = "VEVENT"
    ) -> str:
        """A calendar ``/<user>/<slug>/`` named ``name``; its collection URL."""
        # The first authenticated request makes Radicale create the user's principal.
        self._request("PROPFIND", urljoin(self.url, f"/{user}/"), user, password, depth="0")
        url = urljoin(self.url, f"/{user}/{slug}/")
        body = _MKCALENDAR.format(name=_escape(name), component=component)
        self._request("MKCALENDAR", url, user, password, body=body.encode())
        return url

    def put_event(
        self, calendar_url: str, user: str, password: str, ics_text: str, href: str | None = None
    ) -> str:
        """Store a VCALENDAR text in the calendar; the resource's URL."""
        if href is None:
            uid = re.search(r"^UID:(.+?)\r?$", ics_text, re.MULTILINE)
            href = f"{(uid.group(1).strip() if uid else str(time.time_ns()))}.ics"
        url = urljoin(calendar_url, href)
        body = ics_text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
        self._request(
            "PUT", url, user, password, body=body, content_type="text/calendar; charset=utf-8"
        )
        return url

    def events(self, calendar_url: str, user: str, password: str) -> list[tuple[str, str]]:
        """Every calendar object in the calendar now: (href path, its text), by href."""
        answer = self._request(
            "PROPFIND", calendar_url, user, password, body=_PROPFIND_ETAGS.encode(), depth="1"
        )
        collection = urlsplit(calendar_url).path
        hrefs = []
        for response in ElementTree.fromstring(answer).iter(f"{_DAV}response"):
            href = response.findtext(f"{_DAV}href") or ""
            if href.rstrip("/") != collection.rstrip("/"):
                hrefs.append(href)
        return [
            (href, self._request("GET", urljoin(self.url, href), user, password).decode())
            for href in sorted(hrefs)
        ]

    def delete_event(self, resource_url: str, user: str, password: str) -> None:
        self._request("DELETE", urljoin(self.url, resource_url), user, password)

    def requests(self, method: str | None = None) -> int:
        """HTTP requests Radicale logged since this test began (of ``method`` only)."""
        if not self.log_file.exists():
            return 0
        with self.log_file.open("rb") as log:
            log.seek(self._log_offset)
            text = log.read().decode(errors="replace")
        methods = _REQUEST_LINE.findall(text)
        return len([m for m in methods if method is None or m == method.upper()])

    def _request(
        self,
        method: str,
        url: str,
        user: str,
        password: str,
        *,
        body: bytes | None = None,
        depth: str | None = None,
        content_type: str = "application/xml; charset=utf-8",
    ) -> bytes:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
        if body is not None:
            headers["Content-Type"] = content_type
        if depth is not None:
            headers["Depth"] = depth
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.read()
        except urllib.error.HTTPError as error:
            raise AssertionError(
                f"Radicale answered {error.code} to {method} {url}: {error.read()[:500]!r}"
            ) from None


@pytest.fixture(scope="session")
def _radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CalDavServer]:
    server = CalDavServer(tmp_path_factory.mktemp("radicale"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def caldav_server(_radicale: CalDavServer) -> CalDavServer:
    """A running Radicale with no users and no calendars (see the module's docstring)."""
    _radicale.reset()
    return _radicale
