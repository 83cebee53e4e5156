"""GET /api/v1/reports/attendance: per-study attendance over a range of days, against
numbers worked out by hand (no division by zero for a study nobody has met yet)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interviews.accounts import api_tokens
from interviews.clock import utc_now
from interviews.scheduling import service as scheduling
from interviews.scheduling.models import InterviewStatus
from interviews.studies import service as studies
from tests.conftest import log_in

DONE, MISSED = InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW


def token_of(app, member) -> dict[str, str]:
    with app.app_context():
        _, secret = api_tokens.create_api_token(member.user_id, member.workspace_id, "reports")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def history(app, study):
    """Past interviews of the study, by day (UTC, 10:00):
    Nov 2: Ana completed, Ben no-show; Nov 3: Ben completed (rebooked from his no-show),
    Cy no-show; Nov 20: Dee completed. And an empty second study."""
    dana = study["dana"]
    with app.app_context():
        study_id = studies.list_studies(dana.workspace_id)[0].id
        day = datetime(utc_now().year - 1, 11, 2, 10, tzinfo=UTC)

        def held(name, days, status, rebooked_from=None):
            return scheduling.record_held_interview(
                study_id, name=name, email=f"{name.lower()}@customer.example", timezone="UTC",
                start=day + timedelta(days=days), status=status, rebooked_from_id=rebooked_from,
            )  # fmt: skip

        held("Ana", 0, DONE)
        missed = held("Ben", 0, MISSED)
        held("Ben", 1, DONE, rebooked_from=missed)
        held("Cy", 1, MISSED)
        held("Dee", 18, DONE)
        empty = studies.create_study(
            dana,
            studies.StudyDraft(title="Pricing interviews", host_user_id=dana.user_id),
        ).id
    return {"study": study_id, "empty": empty, "year": day.year, "auth": token_of(app, dana)}


def report(client, history, **params) -> dict[int, dict]:
    response = client.get(
        "/api/v1/reports/attendance", query_string=params, headers=history["auth"]
    )
    assert response.status_code == 200, response.json
    return {row["study_id"]: row for row in response.json["studies"]}


def test_the_flake_rate_and_recovery_are_the_hand_worked_numbers(client, history):
    rows = report(client, history)
    row = rows[history["study"]]
    # 3 completed, 2 no-shows: 2 / 5 = 0.4; Ben came back: 1 of 2 no-shows recovered.
    assert (row["completed"], row["no_show"], row["cancelled"]) == (3, 2, 0)
    assert row["booked"] == 5
    assert row["flake_rate"] == 0.4
    assert (row["recovered"], row["recovery_rate"]) == (1, 0.5)


def test_a_study_nobody_has_met_reports_zeros_and_no_rate(client, history):
    row = report(client, history)[history["empty"]]
    assert (row["booked"], row["completed"], row["no_show"]) == (0, 0, 0)
    assert row["flake_rate"] is None and row["recovery_rate"] is None
    assert row["title"] == "Pricing interviews"


def test_the_range_counts_interviews_by_the_day_they_start(client, history):
    year = history["year"]
    first_two_days = report(client, history, **{"from": f"{year}-11-02", "to": f"{year}-11-03"})
    row = first_two_days[history["study"]]
    # Ana, Ben (missed), Ben (came), Cy (missed): 2 / 4 = 0.5
    assert (row["completed"], row["no_show"], row["flake_rate"], row["recovered"]) == (
        2,
        2,
        0.5,
        1,
    )
    one_day = report(client, history, **{"from": f"{year}-11-02", "to": f"{year}-11-02"})
    # Ben's no-show is still recovered: his rebooking completed the next day.
    assert one_day[history["study"]]["recovered"] == 1
    backwards = report(client, history, **{"from": f"{year}-11-05", "to": f"{year}-11-01"})
    assert backwards[history["study"]]["booked"] == 0  # ends before it starts: nothing
    late = report(client, history, **{"from": f"{year}-11-04"})[history["study"]]
    assert (late["completed"], late["no_show"], late["flake_rate"]) == (1, 0, 0.0)


def test_the_study_page_and_the_report_agree(client, history, study):
    row = report(client, history)[history["study"]]
    log_in(client, study["dana"].email)
    page = client.get(f"/studies/{history['study']}").get_data(as_text=True)
    assert f"No-show rate: <strong>{row['flake_rate'] * 100:.0f}%</strong>" in page
    assert f"{row['recovered']} of {row['no_show']} no-shows came back" in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
    ],
)
def test_days_that_cannot_be_read_are_refused(client, history, params, field):
    response = client.get(
        "/api/v1/reports/attendance", query_string=params, headers=history["auth"]
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_input"
    assert f"`{field}`" in response.json["error"]["message"]


def test_the_report_needs_a_token_and_shows_only_the_tokens_workspace(
    app, client, history, make_workspace
):
    assert client.get("/api/v1/reports/attendance").status_code == 401
    other = make_workspace(name="Globex")
    rows = client.get("/api/v1/reports/attendance", headers=token_of(app, other)).json["studies"]
    assert rows == []
