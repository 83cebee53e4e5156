"""A PM creates, publishes and deletes studies: budget warnings said at the moment they
matter, paused never shown as open, link names made from any title, drafts deleted."""

from __future__ import annotations

import html
import re

from interviews.accounts.rules import Role
from interviews.db import db
from interviews.studies.models import Study, StudyStatus
from tests.conftest import book_interview, log_in, next_weekday_slot
from tests.integration.test_studies_and_hours import STUDY_FORM


def study_form(owner, **fields) -> dict[str, str]:
    """The study form as a PM fills it in, with ``fields`` changed; no typed link name."""
    form = {**STUDY_FORM, "host_user_id": str(owner.user_id), "slug": ""}
    form.update(fields)
    return form


def create(client, owner, **fields) -> str:
    """Create a study through the form; returns its page's path."""
    response = client.post("/studies/new", data=study_form(owner, **fields))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


EUR_REWARD = {"reward_kind": "gift_card", "reward_amount": "25", "reward_currency": "EUR"}


def usd_budget_only(client) -> None:
    """The workspace sets money aside in US dollars, and only in dollars."""
    saved = client.post("/budgets", data={"study_id": "", "currency": "USD", "amount": "500"})
    assert saved.status_code == 302


def text_of(page: str) -> str:
    """The page's words as a person reads them: tags dropped, entities and spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_creating_a_study_whose_currency_has_no_budget_line_warns_and_offers_to_add_one(
    client, make_workspace
):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    usd_budget_only(client)

    path = create(client, owner, **EUR_REWARD)

    page = client.get(path).get_data(as_text=True)
    words = text_of(page)
    assert "Study saved as a draft" in words
    assert (
        "Once published it would take no bookings. The workspace's budget has no EUR "
        "for a €25.00 reward" in words
    )
    assert "Add a EUR budget line" in words and "Publish anyway" in words
    study_id = path.rsplit("/", 1)[1]
    offer = re.search(r'href="(/budgets\?[^"]+)"', page).group(1)
    offer = html.unescape(offer)
    assert "currency=EUR" in offer and f"next=/studies/{study_id}" in offer

    # The offer opens the budgets form filled in for EUR; saving it comes back here.
    budgets_page = client.get(offer).get_data(as_text=True)
    assert re.search(r'id="budget-currency" name="currency" value="EUR"', budgets_page)
    assert f'name="next" value="/studies/{study_id}"' in budgets_page
    saved = client.post(
        "/budgets",
        data={"study_id": "", "currency": "EUR", "amount": "300", "next": f"/studies/{study_id}"},
    )
    assert saved.headers["Location"] == f"/studies/{study_id}"
    after = text_of(client.get(path).get_data(as_text=True))
    assert "would take no bookings" not in after and "Add a EUR budget line" not in after

    published = client.post(f"{path}/status", data={"status": "published"})
    assert published.status_code == 302
    now_open = text_of(client.get(path).get_data(as_text=True))
    assert "Published: the booking link is open." in now_open
    assert "open published and taking bookings" in now_open


def test_publishing_a_study_the_budget_would_pause_asks_first_and_never_claims_open(
    client, make_workspace
):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    usd_budget_only(client)
    path = create(client, owner, **EUR_REWARD)
    invoices = create(client, owner, title="Acme interview about invoices", slug="invoices")
    client.post(f"{invoices}/status", data={"status": "published"})

    asked = client.post(f"{path}/status", data={"status": "published"})

    assert asked.status_code == 409
    words = text_of(asked.get_data(as_text=True))
    assert "Not published yet: it would take no bookings. The workspace's budget has no EUR" in (
        words
    )
    assert "Add a EUR budget line" in words and "Publish anyway" in words
    assert client.get("/book/acme-product-interview-about-exports").status_code == 404

    anyway = client.post(f"{path}/status", data={"status": "published", "despite_budget": "1"})

    assert anyway.status_code == 302
    page = text_of(client.get(path).get_data(as_text=True))
    assert "Published, but new bookings are paused: the workspace's budget has no EUR" in page
    assert "Published: the booking link is open" not in page
    assert "paused published, but new bookings are paused" in page
    assert "taking bookings" not in page.replace("not taking bookings", "")
    # The studies list says which is open and which is paused, and why.
    listing = client.get("/studies").get_data(as_text=True)
    rows = {
        text_of(row).split(" Olive Owner ")[0]: text_of(row)
        for row in re.findall(r"<tr>.*?</tr>", listing, re.S)[1:]
    }
    exports = rows["Acme product interview about exports"]
    assert "paused The workspace's budget has no EUR for a €25.00 reward" in exports
    assert "Add a EUR budget line" in exports and "taking bookings" not in exports
    assert "open taking bookings" in rows["Acme interview about invoices"]
    # Interviewees meet a study that takes no bookings, not an error.
    assert "not taking new bookings" in client.get(
        "/book/acme-product-interview-about-exports"
    ).get_data(as_text=True)


def test_a_study_whose_own_budget_is_used_up_offers_to_add_to_that_budget(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    path = create(client, owner, **EUR_REWARD)
    study_id = path.rsplit("/", 1)[1]
    client.post("/budgets", data={"study_id": study_id, "currency": "EUR", "amount": "10"})

    page = client.get(path).get_data(as_text=True)

    words = text_of(page)
    assert "Once published, this study would take no bookings." in words
    assert "This study's budget of €10.00 has €10.00 left" in words
    assert "Add to the EUR budget" in words
    offer = html.unescape(re.search(r'href="(/budgets\?[^"]+)"', page).group(1))
    assert f"study_id={study_id}" in offer
    budgets_page = client.get(offer).get_data(as_text=True)
    assert f'<option value="{study_id}" selected>' in budgets_page


def test_a_study_link_is_made_from_any_title_and_a_taken_one_gets_a_number(
    app, client, make_workspace
):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)

    paths = [create(client, owner, title="Month-End Clöse!") for _ in range(3)]
    create(client, owner, title="Straße & Smørrebrød: Ærø")
    create(client, owner, title="顧客インタビュー")

    for path, slug in zip(
        paths, ["month-end-close", "month-end-close-2", "month-end-close-3"], strict=True
    ):
        assert f"http://desk.test/book/{slug}</code>" in client.get(path).get_data(as_text=True)
    with app.app_context():
        slugs = set(db.session.scalars(db.select(Study.slug)))
    assert slugs == {
        "month-end-close",
        "month-end-close-2",
        "month-end-close-3",
        "strasse-and-smorrebrod-aero",
        "study",
    }


def test_a_typed_link_name_is_still_checked_and_the_message_says_what_is_allowed(
    client, make_workspace
):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    create(client, owner, slug="exports")

    refused = client.post("/studies/new", data=study_form(owner, slug="Month End!"))
    taken = client.post("/studies/new", data=study_form(owner, slug="exports"))

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert (
        "“Month End!” cannot be a link: use up to 60 lowercase letters a-z, digits and "
        "dashes, starting and ending with a letter or digit, for example “month-end”"
    ) in html.unescape(page)
    assert 'href="#slug"' in page and 'value="Month End!"' in page
    assert taken.status_code == 422
    assert "The link /book/exports is taken; choose another, for example exports-2" in (
        taken.get_data(as_text=True)
    )


def test_a_draft_is_deleted_after_a_confirmation_step(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    path = create(client, owner, title="Month-End Close")
    assert "Delete this draft" in client.get(path).get_data(as_text=True)

    confirm = client.get(f"{path}/delete")

    assert confirm.status_code == 200
    words = text_of(confirm.get_data(as_text=True))
    assert "Delete the draft “Month-End Close”?" in words and "cannot be undone" in words
    assert client.get(path).status_code == 200  # looking at the question deletes nothing

    deleted = client.post(f"{path}/delete", follow_redirects=True)

    assert "Draft “Month-End Close” deleted." in text_of(deleted.get_data(as_text=True))
    assert client.get(path).status_code == 404
    assert "Month-End Close" not in client.get("/studies").get_data(as_text=True)


def test_only_drafts_without_interviews_are_deleted_and_only_by_editors(
    app, client, study, add_member
):
    dana = study["dana"]
    log_in(client, dana.email)
    with app.app_context():
        study_id = db.session.scalar(db.select(Study.id).filter_by(slug="dashboards"))
    path = f"/studies/{study_id}"

    published = client.post(f"{path}/delete")
    assert published.status_code == 409
    assert "Only a draft can be deleted; this study is published." in published.get_data(
        as_text=True
    )
    assert "Delete this draft" not in client.get(path).get_data(as_text=True)
    back_to_draft = client.post(f"{path}/status", data={"status": "draft"})
    assert back_to_draft.status_code == 422

    # A study made a draft again before drafts were kept for good keeps its interviews.
    book_interview(client, next_weekday_slot(10))
    with app.app_context():
        db.session.get(Study, study_id).status = StudyStatus.DRAFT
        db.session.commit()
    with_interview = client.post(f"{path}/delete")
    assert with_interview.status_code == 409
    assert "This draft has 1 interview, so it is kept with their notes." in (
        with_interview.get_data(as_text=True)
    )
    assert client.get(f"{path}/delete").status_code == 409

    viewer = add_member(dana, role=Role.VIEWER, name="Vic Viewer")
    other = app.test_client()
    log_in(other, viewer.email)
    assert other.post(f"{path}/delete").status_code == 403
    assert "Delete this draft" not in other.get(path).get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_a_refused_study_form_shows_every_error_at_the_top_and_keeps_what_was_typed(
    client, make_workspace
):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)
    typed = study_form(
        owner,
        title="Month-End-Close-" + "x" * 190,
        reminders="24h, tomorrow-ish",
        slug="Month End!",
        description="We want to hear how your team closes the month.",
        questions="Which tools?\nWho signs off?",
    )

    response = client.post("/studies/new", data=typed)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    assert "There are 3 problems" in summary
    assert 'href="#title">Title can be at most 200 characters' in summary
    assert "“tomorrow-ish” is not a time before the call" in summary
    assert "'tomorrow-is'" not in page and "tomorrow-is”" not in page
    assert 'href="#slug"' in summary
    assert summary in page.split('<form method="post" action="/studies/new"')[0]  # above it
    assert re.search(r'<input[^>]*id="title"[^>]*maxlength="200"', page)
    assert f'value="{typed["title"]}"' in page and 'value="24h, tomorrow-ish"' in page
    assert "We want to hear how your team closes the month." in page
    assert "Which tools?\nWho signs off?" in page
    # Checkboxes sit right before their own label.
    assert re.search(
        r'<div class="check"><input[^>]*id="followups_enabled"[^>]*type="checkbox"[^>]*> '
        r'<label for="followups_enabled">',
        page,
    )
    assert client.get("/studies").get_data(as_text=True).count("Month-End-Close") == 0


def test_a_long_title_without_spaces_is_refused_past_200_characters(client, make_workspace):
    owner = make_workspace(name="Acme")
    log_in(client, owner.email)

    refused = client.post("/studies/new", data=study_form(owner, title="y" * 600))
    kept = create(client, owner, title="z" * 200)

    assert refused.status_code == 422
    assert "Title can be at most 200 characters" in refused.get_data(as_text=True)
    listing = client.get("/studies").get_data(as_text=True)
    # The whole title is listed, in a cell that lets it wrap (app.css: overflow-wrap).
    assert re.search(r'<td class="study-title"[^>]*><a href="' + kept + '">' + "z" * 200, listing)
