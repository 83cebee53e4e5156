"""The development mailbox in Chromium: an HTML email shows rendered, in a frame where
nothing it carries can run, with its text and source a click away."""

import pytest
from playwright.sync_api import expect

from interviews.db import db
from interviews.mail import service as mail
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

HOSTILE_HTML = (
    "<h1 style='color:#1b5e20'>Welcome aboard</h1>"
    "<p>Your <strong>call</strong> is booked. <a href='https://example.com/manage'>Manage it</a></p>"
    "<script>document.body.innerHTML = 'PWNED'; parent.document.title = 'PWNED';</script>"
    "<img src='x' onerror=\"document.body.innerHTML = 'PWNED'\" alt='a tracking pixel'>"
)


def test_a_pm_reads_an_html_email_rendered_and_its_scripts_do_not_run(
    live_app, live_server, new_context, study
):
    dana = study["dana"]
    with live_app.app_context():
        kept = mail.queue_email(
            kind="test",
            recipient=dana.email,
            subject="Welcome aboard",
            template="",
            context={},
            sender_name="Interview Desk",
            reply_to=None,
            workspace_id=dana.workspace_id,
            bodies=("Your call is booked. Manage it: https://example.com/manage", HOSTILE_HTML),
        )
        db.session.commit()
        mail.dispatch(kept.id)
    for width in (1280, 375):
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(f"{live_server}/login")
        page.get_by_label("Email").fill(dana.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{live_server}/dev/mailbox")
        page.get_by_role("link", name="Welcome aboard").first.click()

        frame = page.frame_locator("iframe[title='The message as the recipient sees it']")
        expect(frame.get_by_role("heading", name="Welcome aboard")).to_be_visible()
        expect(frame.get_by_role("link", name="Manage it")).to_have_attribute(
            "href", "https://example.com/manage"
        )
        expect(frame.locator("body")).not_to_contain_text("PWNED")
        assert "PWNED" not in page.title()
        page.get_by_text("Text part").click()
        expect(page.locator("pre.mail-text").first).to_contain_text("Your call is booked.")
        page.get_by_text("HTML source").click()
        expect(page.locator("pre.mail-text").last).to_contain_text("<script>")
        assert_accessible(page)
        page.screenshot(path=f"/tmp/t/mail-{width}.png", full_page=True)
