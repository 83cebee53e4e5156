"""Browser journeys: the app on a real loopback port, driven by headless Debian Chromium.

Every page a journey visits goes through ``assert_accessible``: axe-core (from the npm
registry, installed by `make test` into tests/e2e/node_modules) must find no serious
or critical violation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import missing_service

# An assertion waits as long as an action may (the context's 10 s), not Playwright's 5 s:
# on a loaded 2-core CI machine a page can take longer than 5 s to settle.
expect.set_options(timeout=10_000)

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.e2e


class _LateApp:
    """A WSGI callable whose app is set after the server knows its port (for BASE_URL)."""

    app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)


@pytest.fixture
def live_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app with real CSRF, served on a free loopback port (its BASE_URL)."""
    late = _LateApp()
    server = make_server("127.0.0.1", 0, late, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    late.app = make_app(BASE_URL=base_url, WTF_CSRF_ENABLED=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield late.app
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_server(live_app: Flask) -> str:
    """The served app's base URL."""
    return live_app.config["BASE_URL"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing_service(
            "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    if not AXE.exists():
        missing_service("axe-core is not installed: run `make test` (npm ci --prefix tests/e2e)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles (no shared cookies): one per person in a journey."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        # bypass_csp lets the test inject axe-core; the app's CSP forbids inline scripts,
        # and the pages themselves load nothing but their own stylesheet.
        context = browser.new_context(bypass_csp=True, **options)
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def assert_accessible(page: Page) -> None:
    """Fail, listing each one, if axe-core finds a serious or critical violation here."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in bad
    )
    assert not bad, f"axe-core on {page.url}:\n{report}"
