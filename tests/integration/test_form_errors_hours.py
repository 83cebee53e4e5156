"""Refused hours forms: 422, every day's problem at once at the top, linked to the input
that is wrong, each naming its day, everything typed kept, nothing saved."""

from __future__ import annotations

from interviews.scheduling import hours
from tests.conftest import log_in
from tests.integration.html_forms import read_page


def test_weekly_hours_with_two_wrong_days_list_both_and_keep_every_day_typed(
    app, client, make_workspace
):
    owner = make_workspace()
    log_in(client, owner.email)
    response = client.post(
        "/availability",
        data={
            "timezone": "Asia/Tokyo",
            "day-0-on": "1",
            "day-0-start": "09:00",
            "day-0-end": "17:00",
            "day-1-on": "1",
            "day-1-start": "15:00",
            "day-1-end": "11:00",
            "day-2-on": "1",
            "day-2-start": "9 o'clock",
            "day-2-end": "12:00",
            "day-3-start": "08:15",
            "day-3-end": "10:45",
        },
    )
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert page.title.startswith("Error: Your hours")
    assert page.summary == [
        ("day-1-end", "Tuesday: the end comes after the start."),
        ("day-2-start", "Wednesday from: enter a time like 09:00."),
    ]
    assert all(target in page.ids for target, _ in page.summary)
    assert page.field_errors["day-1-end"] == "Tuesday: the end comes after the start."
    assert page.value("timezone") == "Asia/Tokyo"
    assert page.value("day-1-start") == "15:00" and page.value("day-2-start") == "9 o'clock"
    assert page.value("day-0-on") == "1" and page.value("day-3-on") == ""
    assert page.value("day-3-start") == "08:15"
    with app.app_context():
        assert hours.hours_of(owner.user_id) is None


def test_extra_hours_on_a_day_with_three_mistakes_are_all_shown_and_kept(
    app, client, make_workspace
):
    owner = make_workspace()
    log_in(client, owner.email)
    saved = client.post(
        "/availability",
        data={"timezone": "UTC", "day-0-on": "1", "day-0-start": "09:00", "day-0-end": "17:00"},
    )
    assert saved.status_code == 302
    response = client.post(
        "/availability/days", data={"day": "next friday", "start": "ten", "end": "25:00"}
    )
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert [target for target, _ in page.summary] == ["extra-day", "extra-start", "extra-end"]
    assert all(target in page.ids for target, _ in page.summary)
    messages = [message for _, message in page.summary]
    assert messages[0].startswith("The special day") and messages[1].startswith("Opens at")
    assert messages[2].startswith("Closes at")
    assert page.value("start", "/availability/days") == "ten"
    assert page.value("day", "/availability/days") == "next friday"
    with app.app_context():
        assert hours.hours_of(owner.user_id).special_days == {}
