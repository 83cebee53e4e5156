"""Take the README's screenshots from a freshly seeded demo.

Run: .venv/bin/python -m tests.e2e.screenshots  (writes docs/screenshots/*.png)
Not a test: it builds a throwaway SQLite database, seeds `interviews demo`, serves
it on a loopback port and photographs what a newcomer sees.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import flask_migrate
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from interviews.app import create_app
from interviews.flows.demo import DEMO_EMAIL, DEMO_PASSWORD, seed
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="interviews-shots-"))
    url = f"sqlite:///{workdir / 'demo.sqlite3'}"
    server = make_server("127.0.0.1", 0, lambda e, s: app(e, s), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "shots",
            "INSTANCE_PATH": str(workdir),
            "BASE_URL": base,
            "SCHEMA_CHECK": False,
            "SWEEP_SECONDS": 0,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        seed()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    OUT.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        phone = browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=1)
        phone.goto(f"{base}/login")
        phone.screenshot(path=OUT / "login-phone.png")
        booking = browser.new_page(
            viewport={"width": 375, "height": 900}, timezone_id="America/New_York"
        )
        booking.goto(f"{base}/book/demo")
        booking.wait_for_url("**tz=*")
        booking.screenshot(path=OUT / "booking-phone.png")

        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill(DEMO_EMAIL)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        page.screenshot(path=OUT / "overview.png")
        page.goto(f"{base}/team")
        page.screenshot(path=OUT / "team.png", full_page=True)
        page.goto(f"{base}/dev/mailbox")
        page.screenshot(path=OUT / "mailbox.png")
        page.goto(f"{base}/agenda")
        page.screenshot(path=OUT / "agenda.png")
        page.locator("section[aria-labelledby^='day-'] ul.agenda a").first.click()
        page.screenshot(path=OUT / "interview.png")
        page.locator("#messages-heading").scroll_into_view_if_needed()
        page.screenshot(path=OUT / "messages.png")
        page.get_by_role("link", name="Northwind product interview about dashboards").first.click()
        page.locator("#attendance-heading").scroll_into_view_if_needed()
        page.screenshot(path=OUT / "study.png")
        page.goto(f"{base}/availability#days-heading")
        page.screenshot(path=OUT / "hours.png")
        page.goto(f"{base}/takeaways?tag=exports")
        page.screenshot(path=OUT / "takeaways.png")
        page.locator("li.takeaway", has_text="Mei Lin").first.get_by_role(
            "link", name="interview", exact=True
        ).click()
        page.get_by_role("link", name="Take notes").click()
        page.screenshot(path=OUT / "notes.png")
        page.goto(f"{base}/templates")
        page.get_by_role("link", name="Dashboards discovery (Northwind)").click()
        page.screenshot(path=OUT / "template.png")
        page.goto(f"{base}/participants")
        page.screenshot(path=OUT / "panel.png")
        page.get_by_role("link", name="Mei Lin").click()
        page.screenshot(path=OUT / "participant.png", full_page=True)
        page.goto(f"{base}/rewards")
        page.screenshot(path=OUT / "rewards.png")
        page.goto(f"{base}/budgets")
        page.screenshot(path=OUT / "budgets.png", full_page=True)
        page.goto(f"{base}/maps")
        page.get_by_role("link", name="Grow the finance teams who run their weekly review").click()
        page.locator("#map").scroll_into_view_if_needed()
        page.screenshot(path=OUT / "map.png")
        page.locator(".map-drawing svg").get_by_role(
            "link", name="Outcome: Share the numbers from the dashboard"
        ).click()
        page.locator("#evidence").scroll_into_view_if_needed()
        page.screenshot(path=OUT / "map-evidence.png")
        page.goto(f"{base}/roadmaps")
        page.get_by_role("link", name="Finance teams run their weekly review").click()
        page.screenshot(path=OUT / "roadmap.png")
        page.goto(f"{base}/maps")
        page.get_by_role("link", name="Grow the finance teams who run their weekly review").click()
        page.locator(".map-drawing svg").get_by_role(
            "link", name="Output: Scheduled exports per team"
        ).click()
        page.get_by_role("link", name="Close the loop").click()
        page.screenshot(path=OUT / "loop.png")
        page.goto(f"{base}/reports")
        page.screenshot(path=OUT / "reports.png")
        flake = page.locator("section[aria-labelledby='studies-heading'] figure")
        flake.scroll_into_view_if_needed()
        flake.screenshot(path=OUT / "reports-flake.png")
        page.goto(f"{base}/maps")
        page.get_by_role("link", name="Grow the finance teams who run their weekly review").click()
        page.get_by_role("link", name="Share a report").click()
        page.get_by_label("Who it is for").fill("Leadership offsite")
        page.get_by_role("button", name="Make the link").click()
        address = page.get_by_label("Link to copy").input_value()
        page.screenshot(path=OUT / "shares.png")
        stranger = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
        stranger.goto(address)
        stranger.screenshot(path=OUT / "shared-report.png")
        page.set_viewport_size({"width": 1280, "height": 960})
        page.goto(f"{base}/takeaways?q=board+pack")
        page.locator("li.takeaway .moment a", has_text="at ").first.click()
        page.wait_for_url("**/transcript#segment-*")
        page.screenshot(path=OUT / "transcript.png")
        page.goto(page.url.split("#")[0])
        # Select a sentence as a person would, then make it a takeaway.
        page.evaluate(
            """() => {
                const words = [...document.querySelectorAll("[data-segment-text]")]
                    .find((s) => s.textContent.includes("every Friday")).firstChild;
                const at = words.textContent.indexOf("every Friday");
                const range = document.createRange();
                range.setStart(words, at);
                range.setEnd(words, words.textContent.indexOf(".", at) + 1);
                getSelection().removeAllRanges();
                getSelection().addRange(range);
            }"""
        )
        page.get_by_role("button", name="Make a takeaway").click()
        page.locator("#h-text").fill("Builds the board pack by hand every Friday")
        page.locator("#h-tags").fill("reporting, exports")
        page.locator("#highlight-heading").scroll_into_view_if_needed()
        page.screenshot(path=OUT / "transcript-highlight.png")
        browser.close()
    server.shutdown()
    for shot in sorted(OUT.glob("*.png")):
        print(f"{shot.relative_to(OUT.parents[1])}: {shot.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
