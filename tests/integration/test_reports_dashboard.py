"""The research-operations dashboard at /reports: what a member sees in its tables,
the CSV and SVG it serves, its filters, its refusals, and that it agrees with
GET /api/v1/reports/attendance."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from interviews.accounts import api_tokens
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.compensation import service as compensation
from interviews.compensation.rules import RewardStatus
from interviews.flows import invites as inviting
from interviews.flows import rewards as settling
from interviews.messaging import service as messaging
from interviews.notes import service as notes
from interviews.scheduling import service as scheduling
from interviews.scheduling import team
from interviews.scheduling.models import InterviewStatus
from interviews.studies import service as studies
from tests.conftest import book_interview, give_offer, log_in, next_weekday_slot

DONE, MISSED = InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW
MONDAY = datetime(2025, 11, 3, 10, tzinfo=UTC)
RANGE = {"from": "2025-11-03", "to": "2025-11-23"}


class Tables(HTMLParser):
    """The page's report tables as {table id: [[cell text, ...], ...]} (body rows)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").startswith("table-"):
            self._table = attrs["id"].removeprefix("table-")
            self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables_of(client, **params) -> dict[str, list[list[str]]]:
    response = client.get("/reports", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    parser = Tables()
    parser.feed(response.get_data(as_text=True))
    return parser.tables


@pytest.fixture
def desk(app, client, study):
    """The dashboards study's past calls, by UTC day (10:00), $20 offered each:
    Mon 3 Nov 2025: Ana completed, Ben no-show; Tue 4 Nov: Cy completed; week of 10 Nov:
    nothing; Mon 17 Nov: Ben completed (rebooked from his no-show), Dee no-show.
    Ana's reward was sent, Cy's and Ben's are owed; Sam took notes on Ana's call.
    An empty study, "Pricing interviews". Dana is logged in."""
    dana, sam = study["dana"], study["sam"]
    give_offer(app, dana)
    with app.app_context():
        study_id = studies.list_studies(dana.workspace_id)[0].id

        def held(name, days, status, rebooked_from=None):
            return scheduling.record_held_interview(
                study_id, name=name, email=f"{name.lower()}@customer.example", timezone="UTC",
                start=MONDAY + timedelta(days=days), status=status, rebooked_from_id=rebooked_from,
            )  # fmt: skip

        ana = held("Ana", 0, DONE)
        missed = held("Ben", 0, MISSED)
        cy = held("Cy", 1, DONE)
        ben = held("Ben", 14, DONE, rebooked_from=missed)
        held("Dee", 14, MISSED)
        rewards = {
            i: compensation.owe_for_interview(dana.workspace_id, i, MONDAY + timedelta(days=15))
            for i in (ana, cy, ben)
        }
        settling.settle(dana, [rewards[ana]], RewardStatus.SENT, now=MONDAY + timedelta(16))
        notes.assign_note_taker(dana, ana, sam.user_id)
        empty = studies.create_study(
            dana, studies.StudyDraft(title="Pricing interviews", host_user_id=dana.user_id)
        ).id
        _, secret = api_tokens.create_api_token(dana.user_id, dana.workspace_id, "reports")
    log_in(client, dana.email)
    return {"study": study_id, "empty": empty, "ana": ana, "auth": f"Bearer {secret}", **study}


def test_the_weeks_show_the_hand_worked_numbers_including_a_quiet_week(client, desk):
    weekly = tables_of(client, **RANGE)["weekly"]
    assert weekly == [
        # week, booked, completed, no-show, cancelled, no-show rate
        ["3 Nov 2025", "3", "2", "1", "0", "33.3%"],
        ["10 Nov 2025", "0", "0", "0", "0", "no data"],
        ["17 Nov 2025", "2", "1", "1", "0", "50.0%"],
    ]


def test_each_study_shows_its_no_show_and_recovery_rates_or_no_data(client, desk):
    rows = {row[0]: row[1:] for row in tables_of(client, **RANGE)["studies"]}
    # 3 completed, 2 no-shows: 40%; Ben came back: 1 of 2 recovered.
    assert rows["Northwind product interview about dashboards"] == [
        "5", "0", "3", "2", "0", "40.0%", "1", "50.0%",
    ]  # fmt: skip
    assert rows["Pricing interviews"] == ["0", "0", "0", "0", "0", "no data", "0", "no data"]


def glance_of(client, **params) -> dict[str, str]:
    html = client.get("/reports", query_string=params).get_data(as_text=True)
    box = html[html.index('class="report-glance"') : html.index("</dl>")]
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", box))


def test_the_headline_numbers_add_up_the_tables_below_them(client, desk):
    glance = glance_of(client, **RANGE)
    # 3 completed and 2 no-shows: 60% showed; Ben came back from his no-show.
    assert glance["Interviews completed"] == "3" and glance["No-shows"] == "2"
    assert (glance["Show rate"], glance["No-show rate"]) == ("60.0%", "40.0%")
    assert glance["No-shows recovered"] == "1 of 2 (50.0%)"
    # Ana's $20 sent; Cy's and Ben's owed: ($20 + $40) / 3 completed.
    assert (glance["Rewards paid"], glance["Cost per completed interview"]) == ("$20.00", "$20.00")
    reminders = sum(int(row[1]) for row in tables_of(client, **RANGE)["reminders"])
    assert glance["Reminders sent"] == str(reminders)


def test_an_empty_study_says_no_data_at_a_glance_rather_than_zero_percent(client, desk):
    glance = glance_of(client, **RANGE, study=str(desk["empty"]))
    assert glance["Interviews completed"] == "0"
    assert glance["Show rate"] == glance["No-show rate"] == "no data"
    assert glance["No-shows recovered"] == "0"
    assert glance["Cost per completed interview"] == "no data"


def test_the_page_and_the_attendance_api_give_the_same_numbers(client, desk):
    for params in (RANGE, {"from": "2025-11-17", "to": "2025-11-17"}, {}):
        page = tables_of(client, **params)["studies"]
        # With no filters the page chose its days; the API is asked for the same ones.
        api = client.get(
            "/api/v1/reports/attendance",
            query_string=params or _default_range(client),
            headers={"Authorization": desk["auth"]},
        ).json["studies"]
        assert len(api) == len(page) == 2
        by_title = {row[0]: row for row in page}
        for line in api:
            row = by_title[line["title"]]
            assert [int(c) for c in (row[1], row[3], row[4], row[5], row[7])] == [
                line["booked"], line["completed"], line["no_show"], line["cancelled"],
                line["recovered"],
            ]  # fmt: skip
            for cell, rate in ((row[6], line["flake_rate"]), (row[8], line["recovery_rate"])):
                assert cell == ("no data" if rate is None else f"{rate * 100:.1f}%")


def _default_range(client) -> dict[str, str]:
    """The days the page chose by default, read back from its filter form."""
    html = client.get("/reports").get_data(as_text=True)
    found = {}
    for name in ("from", "to"):
        marker = f'id="{name}" name="{name}" type="date" value="'
        start = html.index(marker) + len(marker)
        found[name] = html[start : start + 10]
    return found


def test_the_default_range_is_the_last_twelve_weeks_to_today(client, desk):
    chosen = _default_range(client)
    today = utc_now().date()
    assert chosen["to"] == today.isoformat()
    first = datetime.fromisoformat(chosen["from"]).date()
    assert first.weekday() == 0 and (today - first).days // 7 == 11
    assert len(tables_of(client)["weekly"]) == 12


def test_rewards_show_paid_owed_and_cost_per_completed(client, desk):
    # Ana's $20 sent, Cy's and Ben's owed: $60 over 3 completed calls.
    assert tables_of(client, **RANGE)["rewards"] == [["USD", "$20.00", "$40.00", "3", "$20.00"]]
    # Only Ben's call falls in the last week: his $20 is owed.
    assert tables_of(client, **{"from": "2025-11-17", "to": "2025-11-23"})["rewards"] == [
        ["USD", "$0.00", "$20.00", "1", "$20.00"]
    ]


def test_the_rotation_counts_who_took_notes(client, desk):
    rows = {row[0]: row[1:] for row in tables_of(client, **RANGE)["rotation"]}
    assert rows["Sam Rivera"] == ["1", "0"]
    assert rows["Dana Reyes"] == ["0", "5"]


def test_the_funnel_and_reminders_follow_invites_bookings_and_sent_reminders(app, client, desk):
    dana = desk["dana"]
    with app.app_context():
        ana = team.interview_summary(dana.workspace_id, desk["ana"]).participant_id
        sent = inviting.send_invite(dana, ana, desk["study"])
    token = parse_qs(urlsplit(sent.url).query)["invite"][0]
    start = next_weekday_slot()
    booked = book_interview(app.test_client(), start, email=sent.email, name="Ana", invite=token)
    book_interview(app.test_client(), start + timedelta(hours=2), email="zoe@customer.example")
    with app.app_context():
        # The dispatcher's sweep when the 24-hour reminders fall due: both go out.
        messaging.dispatch_due(now=start.astimezone(UTC) - timedelta(hours=21))
    day = (start.astimezone(UTC) - timedelta(hours=24)).date().isoformat()
    funnel = tables_of(client, **{"to": start.date().isoformat()})["funnel"]
    assert funnel[:5] == [
        ["Invited (personal invites sent)", "1", "", ""],
        ["Booked through the invite", "1", "100.0%", "invited"],
        ["Completed, of those booked", "0", "0.0%", "booked"],
        ["Booked without a personal invite (open link)", "1", "", ""],
        ["Completed, of the open-link bookings", "0", "0.0%", "open-link bookings"],
    ]
    assert booked["interview_id"]
    # Counted on the day each went out, whichever day the sweep ran.
    everything = {"from": utc_now().date().isoformat(), "to": start.date().isoformat()}
    reminders = tables_of(client, **everything)["reminders"]
    assert sum(int(row[1]) for row in reminders) == 2
    assert tables_of(client, **{"from": day, "to": day, "study": desk["empty"]})["reminders"] == [
        [tables_of(client, **{"from": day, "to": day})["reminders"][0][0], "0"]
    ]


def test_the_study_filter_keeps_to_one_study(client, desk):
    response = client.get("/reports", query_string={**RANGE, "study": desk["empty"]})
    page = response.get_data(as_text=True)
    assert "Research operations: Pricing interviews" in page
    parser = Tables()
    parser.feed(page)
    assert [row[0] for row in parser.tables["studies"]] == ["Pricing interviews"]
    assert all(row[1] == "0" for row in parser.tables["weekly"])
    assert parser.tables["rewards"] == [
        ["No rewards for the 0 completed interviews in this range."]
    ]


def test_each_table_downloads_as_csv_with_the_same_filters(client, desk):
    response = client.get("/reports/studies.csv", query_string=RANGE)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="studies-2025-11-03-to-2025-11-23.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    dashboards = next(r for r in rows if r["study"].startswith("Northwind"))
    assert (dashboards["completed"], dashboards["no_show"], dashboards["flake_rate"]) == (
        "3",
        "2",
        "0.4000",
    )
    assert next(r for r in rows if r["study"] == "Pricing interviews")["flake_rate"] == ""
    weekly = client.get("/reports/weekly.csv", query_string={**RANGE, "study": desk["study"]})
    assert weekly.get_data(as_text=True).splitlines()[1:] == [
        "2025-11-03,3,2,1,0,0.3333",
        "2025-11-10,0,0,0,0,",
        "2025-11-17,2,1,1,0,0.5000",
    ]


def test_a_title_that_looks_like_a_formula_is_defused_in_the_csv(app, client, desk):
    with app.app_context():
        studies.create_study(
            desk["dana"],
            studies.StudyDraft(title="=HYPERLINK(evil)", host_user_id=desk["dana"].user_id),
        )
    text = client.get("/reports/studies.csv", query_string=RANGE).get_data(as_text=True)
    assert "'=HYPERLINK(evil)" in text and "\n=HYPERLINK" not in text


def test_charts_are_svg_images_with_their_own_narrow_policy(client, desk):
    page = client.get("/reports", query_string=RANGE)
    assert "style-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert 'src="/reports/charts/flake.svg?from=2025-11-03&amp;to=2025-11-23"' in html
    assert 'alt="Bar chart of the no-show rate per study' in html
    svg = client.get("/reports/charts/flake.svg", query_string=RANGE)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src")
    body = svg.get_data(as_text=True)
    assert "<script" not in body
    assert "Northwind product interview about dashboards: 40%" in body
    assert "Pricing interviews: no data" in body
    assert "10% good, engaged B2B" in body and "40% usual, consumers" in body
    for name in ("funnel", "weekly", "reminders", "rotation"):
        assert client.get(f"/reports/charts/{name}.svg", query_string=RANGE).status_code == 200
    # Rewards: $20 paid and $40 owed, drawn as the stacked bars the table lists.
    rewards = client.get("/reports/charts/rewards.svg", query_string=RANGE).get_data(as_text=True)
    assert "20.00" in rewards and "40.00" in rewards and ">USD<" in rewards
    assert 'alt="Stacked bar chart of rewards paid and owed per currency for 3 completed' in html
    assert client.get("/reports/charts/pie.svg").status_code == 404


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"from": "yesterday"}, 422, "YYYY-MM-DD"),
        ({"to": "2026-13-01"}, 422, "YYYY-MM-DD"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, 422, "at most"),
        ({"study": "abc"}, 422, "Choose a study"),
        ({"study": "999999"}, 404, "no such study"),
    ],
)
def test_bad_filters_get_a_clear_message_not_a_500(client, desk, params, status, words):
    response = client.get("/reports", query_string=params)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert client.get("/reports/weekly.csv", query_string=params).status_code == status
    assert client.get("/reports/charts/weekly.svg", query_string=params).status_code == status


def test_a_range_that_ends_before_it_starts_is_refused_with_the_form_kept(client, desk):
    params = {"from": "2026-12-31", "to": "2026-01-01", "study": str(desk["study"])}

    response = client.get("/reports", query_string=params)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "From must be on or before To" in html
    assert 'class="error-summary"' in html and 'href="#from"' in html
    assert 'value="2026-12-31"' in html and 'value="2026-01-01"' in html  # as typed
    assert f'<option value="{desk["study"]}" selected>' in html
    assert 'aria-invalid="true" aria-describedby="from-error"' in html
    assert "At a glance" not in html  # no zeros that look like numbers
    assert client.get("/reports/weekly.csv", query_string=params).status_code == 422
    assert client.get("/reports/charts/weekly.svg", query_string=params).status_code == 422


def test_days_before_the_workspace_existed_are_shown_with_a_note_that_there_is_no_data(
    client, desk
):
    # The desk's first interview is on Mon 3 Nov 2025; 2020 is long before.
    response = client.get("/reports", query_string={"from": "2020-03-02", "to": "2020-03-29"})

    assert response.status_code == 200
    text = " ".join(response.get_data(as_text=True).split())
    assert "There is no data before <strong>3 Nov 2025</strong>" in text
    assert "this workspace's first activity" in text


def test_a_range_within_the_workspaces_history_has_no_such_note(client, desk):
    response = client.get("/reports", query_string=RANGE)

    assert "There is no data before" not in response.get_data(as_text=True)


def test_another_workspaces_study_is_not_found(client, desk, make_workspace, app):
    other = make_workspace(name="Globex")
    with app.app_context():
        theirs = studies.create_study(
            other, studies.StudyDraft(title="Globex secrets", host_user_id=other.user_id)
        ).id
    response = client.get("/reports", query_string={"study": theirs})
    assert response.status_code == 404 and "Globex secrets" not in response.get_data(as_text=True)


def test_a_viewer_may_read_reports_and_a_stranger_may_not(app, desk, add_member):
    viewer = add_member(desk["dana"], role=Role.VIEWER, name="Vic Viewer")
    reader = app.test_client()
    assert reader.get("/reports").status_code == 302  # to the log-in page
    log_in(reader, viewer.email)
    page = reader.get("/reports", query_string=RANGE).get_data(as_text=True)
    assert 'aria-current="page">Reports</a>' in page
    assert tables_of(reader, **RANGE)["weekly"][0][1] == "3"


def test_the_study_page_links_to_its_report(client, desk):
    page = client.get(f"/studies/{desk['study']}").get_data(as_text=True)
    assert f'href="/reports?study={desk["study"]}"' in page
