"""Searching the takeaway library: full-text words, the same answers on SQLite (FTS5)
and PostgreSQL (tsvector + GIN). The suite runs once per database, so every expected
answer below is what both databases must give."""

from __future__ import annotations

import importlib.util
from datetime import timedelta

import pytest

from interviews.accounts import api_tokens
from interviews.clock import utc_now
from interviews.db import db
from interviews.notes.models import Takeaway
from interviews.notes.search import PG_DOCUMENT_SQL, fts5_query, search_words, tsquery
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import InterviewStatus
from interviews.studies import service as studies
from tests.conftest import ROOT, log_in

LIBRARY = [
    # (text, quote, context, tags)
    (
        "CSV exports time out for big accounts",
        "The export spins forever",
        "Acme renewal call",
        ["reporting"],
    ),
    (
        "Wants SSO before rolling out to 200 seats",
        "",
        "Globex procurement, e-mail from ann@globex.example",
        ["security"],
    ),
    ("Export to PDF is missing", "", "Support ticket, priority 3.5", ["reporting", "pdf"]),
    ("Dark mode would help night shifts", "Our café staff work late", "Survey free text", []),
    ("Pricing page confuses buyers", "", "See https://acme.example/pricing", ["pricing"]),
    ("Onboarding checklist is too long", "I don't read checklists", "Initech call", []),
]
CSV, SSO, PDF, DARK, PRICING, ONBOARDING = (row[0] for row in LIBRARY)
EVERYTHING = {row[0] for row in LIBRARY}

# What a person types -> the takeaways (by text) they must find, on either database.
QUERIES = {
    "export": {CSV, PDF},  # the last word is a prefix: export finds exports
    "exports": {CSV},
    "EXPORT": {CSV, PDF},
    "csv export": {CSV},  # words are ANDed
    "export pdf": {PDF},
    "pdf export": {PDF},
    "ann": {SSO},  # an e-mail address is words, the same on both databases
    "globex.example": {SSO},
    "e-mail": {SSO},
    "acme": {CSV, PRICING},  # the context is searched, a URL's host too
    "pricing": {PRICING},
    "3.5": {PDF},
    "don't": {ONBOARDING},
    "café": {DARK},
    "CAFÉ": {DARK},
    "cafe": set(),  # accents count on both databases
    "renewal": {CSV},  # context
    "spins": {CSV},  # quote
    "sso OR pricing": set(),  # OR is a word, not an operator
    "NEAR(export pdf)": set(),
    "export NOT pdf": set(),
    '"export': {CSV, PDF},
    'export"': {CSV, PDF},
    "export*": {CSV, PDF},
    "-export": {CSV, PDF},
    "(export": {CSV, PDF},
    "export)": {CSV, PDF},
    "'export'": {CSV, PDF},
    "exp^2": set(),
    "onboarding:*": {ONBOARDING},
    "seats & !sso": {SSO},
    "nothing-like-this": set(),
    "": EVERYTHING,
    "   ": EVERYTHING,
    "***": EVERYTHING,  # only punctuation: no text filter
    "\"'()*-:^!&|<>": EVERYTHING,
}
HOSTILE = ['"', "'", "*", "-", "NEAR", "OR", "(", ")", 'a"b', "x AND", "AND", "NOT", "\\", "%", "_"]


@pytest.fixture
def auth(app, study):
    with app.app_context():
        _, secret = api_tokens.create_api_token(
            study["dana"].user_id, study["dana"].workspace_id, "search"
        )
    return {"Authorization": f"Bearer {secret}"}


def log(client, auth, text, quote="", context="Logged by the test", tags=(), source="sales"):
    made = client.post(
        "/api/v1/takeaways",
        json={
            "text": text,
            "quote": quote,
            "context": context,
            "tags": list(tags),
            "source": source,
        },
        headers=auth,
    )
    assert made.status_code == 201, made.json
    return made.json["id"]


@pytest.fixture
def library(client, auth):
    return {
        text: log(client, auth, text, quote, context, tags)
        for text, quote, context, tags in LIBRARY
    }


def found(client, auth, q, **params):
    response = client.get("/api/v1/takeaways", query_string={"q": q, **params}, headers=auth)
    assert response.status_code == 200, (q, response.json)
    return response.json


def test_the_same_words_find_the_same_takeaways(client, auth, library):
    answers = {q: {item["text"] for item in found(client, auth, q)["items"]} for q in QUERIES}

    assert answers == QUERIES


def test_the_total_and_the_facets_count_only_what_the_words_find(client, auth, library):
    page = found(client, auth, "export")

    assert page["total"] == 2
    assert page["facets"] == {
        "tag": {"reporting": 2, "pdf": 1},
        "source": {"sales": 2},
        "study": {},  # logged from sales, not from an interview
        "segment": {},
        "month": {f"{utc_now():%Y-%m}": 2},
        "actor": {},  # linked to no impact map yet
        "outcome": {},
    }
    narrowed = found(client, auth, "export", tag="pdf", source="sales")
    assert [item["text"] for item in narrowed["items"]] == [PDF]
    assert narrowed["total"] == 1


def test_query_syntax_in_the_search_box_never_breaks_the_search(client, auth, library):
    for q in HOSTILE + [f"export {h}" for h in HOSTILE] + [f"{h} export" for h in HOSTILE]:
        response = client.get("/api/v1/takeaways", query_string={"q": q}, headers=auth)

        assert response.status_code == 200, (q, response.json)
    assert {i["text"] for i in found(client, auth, 'export "')["items"]} == {CSV, PDF}


def test_the_best_match_comes_first_and_date_order_is_a_choice(client, auth):
    once = log(client, auth, "Invoices arrive late", "the numbers are always late")
    twice = log(client, auth, "Invoices arrive late", "invoices are always late")
    newest = log(client, auth, "Dashboards load slowly", "invoices are fine")

    best = [i["id"] for i in found(client, auth, "invoices")["items"]]
    by_date = [i["id"] for i in found(client, auth, "invoices", sort="date")["items"]]

    assert best.index(twice) < best.index(once)
    assert by_date == [newest, twice, once]
    assert [i["id"] for i in found(client, auth, "")["items"]] == [newest, twice, once]


def test_an_unknown_sort_is_refused_on_the_api_and_the_page(client, auth, study):
    api = client.get("/api/v1/takeaways?sort=best", headers=auth)
    log_in(client, study["dana"].email)
    page = client.get("/takeaways?q=export&sort=best")

    assert api.status_code == 422 and api.json["error"]["message"] == (
        "sort must be relevance or date."
    )
    assert page.status_code == 422 and "sort must be relevance or date." in page.text


def test_an_edited_takeaway_is_found_by_its_new_words_only(client, auth, study):
    made = log(client, auth, "Legacy billing screen is confusing", "where is my invoice")
    log_in(client, study["dana"].email)

    client.post(
        f"/takeaways/{made}/edit",
        data={"text": "Modern reports screen is confusing", "quote": "where is my chart"},
    )

    assert [i["id"] for i in found(client, auth, "modern")["items"]] == [made]
    assert [i["id"] for i in found(client, auth, "chart")["items"]] == [made]
    assert found(client, auth, "legacy")["items"] == []
    assert found(client, auth, "invoice")["items"] == []


def test_a_removed_takeaway_is_no_longer_found(client, auth, study):
    kept = log(client, auth, "Mobile app crashes on login")
    gone = log(client, auth, "Mobile upload is slow")
    log_in(client, study["dana"].email)

    client.post(f"/takeaways/{gone}/delete")

    assert [i["id"] for i in found(client, auth, "mobile")["items"]] == [kept]


def test_another_workspaces_takeaways_never_turn_up(app, client, auth, make_workspace):
    ours = log(client, auth, "Exports need a schedule")
    other = make_workspace(name="Rival")
    with app.app_context():
        _, secret = api_tokens.create_api_token(other.user_id, other.workspace_id, "rival")
    theirs = log(client, {"Authorization": f"Bearer {secret}"}, "Exports need a schedule too")

    assert [i["id"] for i in found(client, auth, "exports schedule")["items"]] == [ours]
    rival = found(client, {"Authorization": f"Bearer {secret}"}, "exports")
    assert [i["id"] for i in rival["items"]] == [theirs] and rival["total"] == 1


def test_the_library_page_searches_the_same_way(client, auth, study, library):
    log_in(client, study["dana"].email)

    page = client.get("/takeaways", query_string={"q": "export"})
    odd = client.get("/takeaways", query_string={"q": 'NEAR("export" OR'})
    by_date = client.get("/takeaways", query_string={"q": "export", "sort": "date"})

    assert page.status_code == 200
    shown, dated = unmarked(page.text), unmarked(by_date.text)
    assert CSV in shown and PDF in shown and SSO not in shown
    assert "2 takeaways" in shown
    assert odd.status_code == 200 and "0 takeaways" in odd.text
    assert dated.index(PDF) < dated.index(CSV)
    assert '<option value="date" selected>' in by_date.text


def unmarked(html: str) -> str:
    return html.replace("<mark>", "").replace("</mark>", "")


def test_the_library_marks_the_searched_words_in_each_result(client, auth, study, library):
    log_in(client, study["dana"].email)

    page = client.get("/takeaways", query_string={"q": "csv export"}).text

    assert "<mark>CSV</mark> <mark>exports</mark> time out for big accounts" in page
    assert "“The <mark>export</mark> spins forever”" in page  # the quote too
    assert 'value="csv export"' in page  # the search box, not marked


def test_marking_a_hostile_takeaway_keeps_it_text(client, auth, study):
    log(client, auth, "<script>alert(1)</script> export & <b>bold</b> export", context="a&b")
    log_in(client, study["dana"].email)

    page = client.get("/takeaways", query_string={"q": "script export"}).text

    assert "<script>alert(1)" not in page and "<b>bold" not in page
    assert (
        "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; <mark>export</mark>"
        " &amp; &lt;b&gt;bold&lt;/b&gt; <mark>export</mark>"
    ) in page


def test_search_words_are_quoted_and_only_the_last_is_a_prefix():
    words = search_words('Export "PDF" OR near(x) -y*')

    assert words == ["export", "pdf", "or", "near", "x", "y"]
    assert fts5_query(["sso", "export"]) == '"sso" AND "export"*'
    assert tsquery(["sso", "export"]) == "'sso' & 'export':*"
    assert search_words("*** -- ()") == []


def test_the_migration_stores_the_words_the_search_module_describes():
    """Migrations never import app code, so 0012 repeats PostgreSQL's document
    expression (the punctuation it turns into spaces so both databases cut the same
    words): the two must not drift apart."""
    path = ROOT / "migrations" / "versions" / "0012_takeaway_search.py"
    spec = importlib.util.spec_from_file_location("takeaway_search_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    assert migration.PG_DOCUMENT_SQL == PG_DOCUMENT_SQL


def test_the_study_filter_keeps_the_takeaways_of_that_studys_interviews(app, client, auth, study):
    with app.app_context():
        dashboards = studies.list_studies(study["dana"].workspace_id)[0].id
        other = studies.create_study(
            study["dana"],
            studies.StudyDraft(
                title="Northwind product interview about billing",
                host_user_id=study["dana"].user_id,
                slug="billing",
            ),
        ).id
        held = {
            study_id: scheduling.record_held_interview(
                study_id,
                name=name,
                email=email,
                timezone="Europe/Berlin",
                start=utc_now() - timedelta(days=2, hours=hour),
                status=InterviewStatus.COMPLETED,
            )
            for study_id, name, email, hour in (
                (dashboards, "Pat Customer", "pat@customer.example", 0),
                (other, "Bo Buyer", "bo@buyer.example", 3),
            )
        }
    for study_id, text in ((dashboards, "Exports time out"), (other, "Exports lack VAT")):
        made = client.post(
            "/api/v1/takeaways",
            json={"text": text, "interview_id": held[study_id]},
            headers=auth,
        )
        assert made.status_code == 201, made.json

    assert [i["text"] for i in found(client, auth, "export", study_id=other)["items"]] == [
        "Exports lack VAT"
    ]
    assert found(client, auth, "", study_id=dashboards)["total"] == 1
    assert found(client, auth, "exports")["facets"]["study"] == {str(dashboards): 1, str(other): 1}


def test_segment_and_dates_narrow_the_library_and_are_counted(app, client, auth, study):
    log_in(client, study["dana"].email)
    for email, segment in (("ent@big.example", "enterprise"), ("smb@small.example", "smb")):
        added = client.post(
            "/participants/new",
            data={"name": segment.title(), "email": email, "segment": segment, "timezone": "UTC"},
        )
        assert added.status_code == 302, added.get_data(as_text=True)
        made = client.post(
            "/api/v1/takeaways",
            json={"text": f"Exports matter to {segment}", "participant_email": email},
            headers=auth,
        )
        assert made.status_code == 201, made.json
        if segment == "smb":  # logged 40 days ago
            with app.app_context():
                row = db.session.get(Takeaway, made.json["id"])
                row.created_at = utc_now() - timedelta(days=40)
                db.session.commit()

    everything = found(client, auth, "exports")
    assert everything["facets"]["segment"] == {"enterprise": 1, "smb": 1}
    assert sorted(everything["facets"]["month"].values()) == [1, 1]
    only = found(client, auth, "exports", segment="enterprise")
    assert [i["text"] for i in only["items"]] == ["Exports matter to enterprise"]
    today = utc_now().date()
    recent = found(client, auth, "", **{"from": (today - timedelta(days=7)).isoformat()})
    assert [i["text"] for i in recent["items"]] == ["Exports matter to enterprise"]
    older = found(client, auth, "", to=(today - timedelta(days=30)).isoformat())
    assert [i["text"] for i in older["items"]] == ["Exports matter to smb"]
    assert found(client, auth, "", **{"from": "2026-12-02", "to": "2026-12-01"})["total"] == 0
    assert found(client, auth, "", **{"from": "2000-01-01", "to": "2100-12-31"})["total"] == 2
    for day in ("yesterday", "0001-01-01", "9999-12-31"):
        refused = client.get("/api/v1/takeaways", query_string={"from": day}, headers=auth)
        assert refused.status_code == 422
        assert refused.json["error"]["message"] == (
            "`from` is a day between 2000 and 2100, written YYYY-MM-DD, like 2026-11-24."
        )

    page = client.get("/takeaways?segment=smb").get_data(as_text=True)
    assert "Exports matter to smb" in page and "Exports matter to enterprise" not in page
    assert "By segment" in page


def test_pages_of_the_library_follow_one_order_with_no_gaps_or_repeats(client, auth):
    for n in range(7):
        # More "invoice" in the later ones: relevance and date order differ.
        log(client, auth, f"Invoice problem {n}", " ".join(["invoice"] * (n % 3 + 1)))

    for sort in ("relevance", "date"):
        whole = [i["id"] for i in found(client, auth, "invoice", sort=sort)["items"]]
        paged = [
            i["id"]
            for offset in (0, 3, 6)
            for i in found(client, auth, "invoice", sort=sort, limit=3, offset=offset)["items"]
        ]

        assert len(whole) == 7 and paged == whole, sort
    assert found(client, auth, "invoice", offset=7)["items"] == []
    assert found(client, auth, "invoice", offset=7)["total"] == 7
    best = found(client, auth, "invoice")["items"]
    assert best[0]["quote"].count("invoice") == 3 and best[-1]["quote"].count("invoice") == 1
