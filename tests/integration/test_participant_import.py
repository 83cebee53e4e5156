"""Importing participants from CSV: upload, map, run in the background, and the result."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select

from interviews import dispatcher
from interviews.accounts.rules import Role
from interviews.clock import utc_now
from interviews.db import db
from interviews.flows import privacy
from interviews.participants import import_runs
from interviews.participants import service as participants
from interviews.participants.models import ImportStatus, Participant, ParticipantImport
from tests.conftest import PASSWORD, log_in
from tests.integration.conftest import free_port
from workers.app import use_app
from workers.participants import run_import

HEADER = ["E-mail", "Full name", "Mobile", "Company", "Plan", "Support tickets"]
# What the mapping page guesses for HEADER, posted back as the researcher's choice.
GUESSED = {0: "email", 1: "name", 2: "phone", 3: "company", 4: "attribute", 5: "attribute"}


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def people(count: int) -> list[list[str]]:
    return [
        [f"person{i}@customer.example", f"Person {i}", "", f"Company {i % 7}", "Pro", str(i % 5)]
        for i in range(count)
    ]


def upload(client, data: bytes, filename: str = "panel.csv"):
    return client.post(
        "/participants/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def uploaded(client, data: bytes) -> int:
    response = upload(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def start(client, import_id: int, choices: dict[int, str] = GUESSED):
    return client.post(
        f"/participants/import/{import_id}", data={f"column-{i}": v for i, v in choices.items()}
    )


def wait_until_finished(client, import_id: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/participants/import/{import_id}/progress").json
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"import {import_id} still {state} after {timeout} s")


def text_of(response) -> str:
    """The page's words, tags removed and spaces collapsed, as a reader sees them."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def participants_of(app, workspace_id: int) -> list[Participant]:
    with app.app_context():
        rows = db.session.scalars(
            select(Participant)
            .where(Participant.workspace_id == workspace_id)
            .order_by(Participant.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def import_row(app, import_id: int) -> ParticipantImport:
    with app.app_context():
        row = db.session.get(ParticipantImport, import_id)
        db.session.expunge(row)
        return row


def import_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ParticipantImport))


@pytest.fixture
def owner(app, make_workspace):
    return make_workspace(name="Northwind", owner_name="Dana Reyes")


@pytest.fixture
def signed_in(client, owner):
    log_in(client, owner.email)
    return client


def test_a_3000_row_file_is_imported_in_the_background_and_lands_in_the_panel(
    app, signed_in, owner
):
    import_id = uploaded(signed_in, csv_bytes(people(3000)))

    mapping = signed_in.get(f"/participants/import/{import_id}")
    page = mapping.get_data(as_text=True)
    assert "3,000 rows in the file" in text_of(mapping)
    assert '<option value="email" selected>' in page  # E-mail guessed as the email
    assert "person4@customer.example" in page  # the first rows as a preview
    assert "person5@customer.example" not in page

    response = start(signed_in, import_id)
    assert response.status_code == 302
    state = wait_until_finished(signed_in, import_id)

    assert state == {
        "status": "done",
        "processed_rows": 3000,
        "total_rows": 3000,
        "created": 3000,
        "merged": 0,
        "errors": 0,
    }
    result = text_of(signed_in.get(f"/participants/import/{import_id}"))
    assert "3,000 of 3,000 rows read" in result
    assert "Added 3,000 new to the panel" in result
    assert "Skipped 0 rows with a problem" in result
    panel = participants_of(app, owner.workspace_id)
    assert len(panel) == 3000
    assert panel[42].email == "person42@customer.example"
    assert panel[42].attributes == {"Plan": "Pro", "Support tickets": "2"}
    assert panel[42].company == "Company 0" and panel[42].timezone == "UTC"
    found = text_of(signed_in.get("/participants?q=person2999"))
    assert "Person 2999" in found and "1 participant found" in found
    # The import keeps no copy of the people in it.
    assert import_row(app, import_id).content == ""
    listed = text_of(signed_in.get("/participants/import"))
    assert "panel.csv" in listed and "done" in listed


def test_bad_rows_are_listed_with_their_row_numbers_while_good_ones_land(app, signed_in, owner):
    rows = [
        ["ann@customer.example", "Ann Lee", "+44 20 7946 0958", "Acme", "Pro", "1"],  # row 2
        ["", "No Email", "", "", "", ""],  # row 3
        ["not-an-address", "Bad Email", "", "", "", ""],  # row 4
        ["bo@customer.example", "Bo", "12", "", "", ""],  # row 5
        ["cy@customer.example", "C" * 121, "", "", "", ""],  # row 6
        ["dee@customer.example", "", "", "", "", ""],  # row 7: new, and no name
        ["eve@customer.example", "Eve", "+1 415 555 2671", "", "Team", ""],  # row 8
    ]
    import_id = uploaded(signed_in, csv_bytes(rows))
    assert start(signed_in, import_id).status_code == 302
    state = wait_until_finished(signed_in, import_id)

    assert (state["created"], state["merged"], state["errors"]) == (2, 0, 5)
    page = signed_in.get(f"/participants/import/{import_id}")
    shown = text_of(page)
    assert "Added 2 new to the panel" in shown and "Skipped 5 rows with a problem" in shown
    for number, problem in [
        (3, "No email address."),
        (4, "The email address is not valid."),
        (5, "The phone number is not valid."),
        (6, "The name is longer than 120 characters."),
        (7, "No name: someone new to the panel needs one."),
    ]:
        assert f"{number} {problem}" in shown
    report = signed_in.get(f"/participants/import/{import_id}/errors.csv")
    assert report.mimetype == "text/csv"
    assert "attachment" in report.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(report.get_data(as_text=True)))) == [
        ["Row", "Problem"],
        ["3", "No email address."],
        ["4", "The email address is not valid."],
        ["5", "The phone number is not valid. " + _PHONE_HELP],
        ["6", "The name is longer than 120 characters."],
        ["7", "No name: someone new to the panel needs one."],
    ]
    landed = {p.email: p for p in participants_of(app, owner.workspace_id)}
    assert set(landed) == {"ann@customer.example", "eve@customer.example"}
    assert landed["ann@customer.example"].phone == "+442079460958"
    assert landed["eve@customer.example"].attributes == {"Plan": "Team"}


_PHONE_HELP = "Enter a phone number with its country code, like +49 30 1234567."


def test_duplicates_merge_with_the_panel_and_within_the_file_without_clearing_do_not_contact(
    app, signed_in, owner
):
    now = utc_now()
    with app.app_context():
        db.session.add_all(
            [
                Participant(
                    workspace_id=owner.workspace_id,
                    email="pat@customer.example",
                    name="Pat",
                    phone="+14155552671",
                    timezone="America/New_York",
                    company="Old Co",
                    attributes={"plan": "Free", "seats": "3"},
                    do_not_contact=True,
                    do_not_contact_at=now,
                    created_at=now,
                    updated_at=now,
                ),
                Participant(
                    workspace_id=owner.workspace_id,
                    email="gone@customer.example",
                    name="Erased participant",
                    erased_at=now,
                    do_not_contact=True,
                    created_at=now,
                    updated_at=now,
                ),
            ]
        )
        db.session.commit()
    header = ["Email", "Name", "Company", "Job title", "Plan", "Tenure"]
    rows = [
        ["PAT@Customer.Example", "Pat Customer", "", "Head of Ops", "Pro", "3 years"],  # row 2
        ["new@customer.example", "Nia New", "Acme", "", "Free", ""],  # row 3
        ["gone@customer.example", "Back Again", "", "", "", ""],  # row 4
        ["New@Customer.example", "", "", "CTO", "Team", "1 year"],  # row 5: row 3 again
    ]
    import_id = uploaded(signed_in, csv_bytes(rows, header=header))
    choices = {0: "email", 1: "name", 2: "company", 3: "role", 4: "attribute", 5: "attribute"}
    assert start(signed_in, import_id, choices).status_code == 302
    state = wait_until_finished(signed_in, import_id)

    assert (state["created"], state["merged"], state["errors"]) == (1, 2, 1)
    shown = text_of(signed_in.get(f"/participants/import/{import_id}"))
    assert "Added 1 new to the panel" in shown and "Merged 2 updated, already known" in shown
    assert "4 This person asked to be erased, so they are not added again." in shown
    panel = {p.email: p for p in participants_of(app, owner.workspace_id)}
    assert set(panel) == {"pat@customer.example", "gone@customer.example", "new@customer.example"}
    pat = panel["pat@customer.example"]
    assert pat.name == "Pat Customer" and pat.role == "Head of Ops"
    assert pat.company == "Old Co"  # an empty cell replaces nothing
    assert pat.phone == "+14155552671" and pat.timezone == "America/New_York"
    assert pat.attributes == {"plan": "Pro", "seats": "3", "Tenure": "3 years"}
    assert pat.do_not_contact is True
    new = panel["new@customer.example"]
    assert (new.name, new.company, new.role) == ("Nia New", "Acme", "CTO")
    assert new.attributes == {"Plan": "Team", "Tenure": "1 year"}
    gone = panel["gone@customer.example"]
    assert gone.name == "Erased participant" and gone.erased_at is not None


def test_someone_erased_on_request_is_not_brought_back_by_an_import_of_their_address(
    app, signed_in, owner
):
    with app.app_context():
        added = participants.create_participant(
            owner, participants.ParticipantDraft(name="Gil Gone", email="gil@customer.example")
        )
        privacy.erase(owner, added.id, confirm_email="gil@customer.example", now=utc_now())
    rows = [["Gil@Customer.example", "Gil Gone", "", "", "", ""]]

    import_id = uploaded(signed_in, csv_bytes(rows))
    assert start(signed_in, import_id).status_code == 302
    state = wait_until_finished(signed_in, import_id)

    assert (state["created"], state["merged"], state["errors"]) == (0, 0, 1)
    shown = text_of(signed_in.get(f"/participants/import/{import_id}"))
    assert "2 This person asked to be erased, so they are not added again." in shown
    emails = {p.email for p in participants_of(app, owner.workspace_id)}
    assert emails == {f"erased-{added.id}@erased.invalid"}


def test_a_real_rq_worker_runs_the_import_and_progress_shows_between_chunks(
    redis_app, redis, namespace, make_workspace, run_worker
):
    app = redis_app(IMPORT_CHUNKS_PER_JOB=1)
    owner = make_workspace()
    client = app.test_client()
    log_in(client, owner.email)
    import_id = uploaded(client, csv_bytes(people(3000)))

    assert start(client, import_id).status_code == 302
    [job] = Queue(namespace, connection=redis).get_jobs()
    assert (job.func_name, job.args) == ("workers.participants.run_import", (import_id,))
    waiting = client.get(f"/participants/import/{import_id}")
    assert "Waiting for a worker to start" in text_of(waiting)
    assert client.get(f"/participants/import/{import_id}/progress").json["processed_rows"] == 0

    # One job's worth (one chunk here), run in this process: the rest goes to a new job.
    use_app(app)
    try:
        assert run_import(import_id) == "continues in a new job"
    finally:
        use_app(None)
    state = client.get(f"/participants/import/{import_id}/progress").json
    assert (state["status"], state["processed_rows"], state["created"]) == ("queued", 500, 500)
    page = client.get(f"/participants/import/{import_id}")
    html = page.get_data(as_text=True)
    assert '<progress id="import-bar" class="import-bar" max="3000" value="500">' in html
    assert '<label for="import-bar">Rows imported</label>' in html
    assert "500 of 3,000 rows read" in text_of(page)
    # Without scripts the page refreshes itself; the script is a file, as the CSP wants.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert '<script src="/static/participant_import.js" defer>' in scripts
    assert all(re.fullmatch(r'<script src="/static/[\w.-]+\.js" defer>', tag) for tag in scripts)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert len(participants_of(app, owner.workspace_id)) == 500
    assert Queue(namespace, connection=redis).count == 2  # the first job and the follow-up

    run_worker()  # a real `rq worker --burst`, with the worker's own default chunking

    state = client.get(f"/participants/import/{import_id}/progress").json
    assert state == {
        "status": "done",
        "processed_rows": 3000,
        "total_rows": 3000,
        "created": 3000,
        "merged": 0,
        "errors": 0,
    }
    panel = participants_of(app, owner.workspace_id)
    assert len(panel) == len({p.email for p in panel}) == 3000
    assert "Added 3,000 new to the panel" in text_of(
        client.get(f"/participants/import/{import_id}")
    )


def test_with_redis_down_the_import_runs_in_the_web_process_instead(make_app, make_workspace):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    owner = make_workspace()
    client = app.test_client()
    log_in(client, owner.email)
    import_id = uploaded(client, csv_bytes(people(40)))

    assert start(client, import_id).status_code == 302

    assert wait_until_finished(client, import_id)["created"] == 40
    assert len(participants_of(app, owner.workspace_id)) == 40


def _queue_without_a_worker(app, import_id: int) -> None:
    """Map and queue the import as starting it does, minus the hand-off: the job that
    was lost (Redis flushed, the web process restarted)."""
    with app.app_context():
        row = db.session.get(ParticipantImport, import_id)
        row.mapping = {column: GUESSED[i] for i, column in enumerate(row.columns)}
        row.status = ImportStatus.QUEUED
        row.lease_expires_at = utc_now() + timedelta(minutes=5)
        db.session.commit()


def test_an_import_whose_worker_died_mid_way_is_resumed_by_the_sweep_without_duplicates(
    app, signed_in, owner
):
    rows = people(1200) + [["person7@customer.example", "Person Seven", "", "", "Team", ""]]
    import_id = uploaded(signed_in, csv_bytes(rows))
    _queue_without_a_worker(app, import_id)
    with app.app_context():
        assert import_runs.run_import(import_id, chunks=1) == "continues in a new job"
        # The worker took the import on again, then was killed during its second chunk:
        # that chunk was never committed, and its lease ran out.
        row = db.session.get(ParticipantImport, import_id)
        row.status = ImportStatus.RUNNING
        row.lease_expires_at = utc_now() - timedelta(seconds=1)
        db.session.commit()
    assert signed_in.get(f"/participants/import/{import_id}/progress").json["processed_rows"] == 500

    with app.app_context():
        report = dispatcher.sweep()
    assert report.imports == 1

    state = signed_in.get(f"/participants/import/{import_id}/progress").json
    assert state == {
        "status": "done",
        "processed_rows": 1201,
        "total_rows": 1201,
        "created": 1200,
        "merged": 1,
        "errors": 0,
    }
    panel = participants_of(app, owner.workspace_id)
    assert len(panel) == len({p.email for p in panel}) == 1200
    assert next(p for p in panel if p.email == "person7@customer.example").name == "Person Seven"
    with app.app_context():
        assert dispatcher.sweep().imports == 0  # done: nothing to resume


def test_an_unexpected_error_stops_the_import_with_a_message_and_keeps_what_was_imported(
    app, signed_in, owner, monkeypatch
):
    import_id = uploaded(signed_in, csv_bytes(people(1200)))
    _queue_without_a_worker(app, import_id)
    read_row = import_runs.csv_rows.read_row

    def breaks_in_the_second_chunk(row, *args):
        if row.number > 600:
            raise RuntimeError("a bug")
        return read_row(row, *args)

    monkeypatch.setattr(import_runs.csv_rows, "read_row", breaks_in_the_second_chunk)
    with app.app_context(), pytest.raises(RuntimeError):
        import_runs.run_import(import_id)

    state = signed_in.get(f"/participants/import/{import_id}/progress").json
    assert (state["status"], state["processed_rows"], state["created"]) == ("failed", 500, 500)
    shown = text_of(signed_in.get(f"/participants/import/{import_id}"))
    assert "The import stopped because of an error on our side." in shown
    assert "500 of 1,200 rows read" in shown
    assert import_row(app, import_id).content == ""
    assert len(participants_of(app, owner.workspace_id)) == 500
    with app.app_context():
        assert dispatcher.sweep(utc_now() + timedelta(hours=1)).imports == 0  # not retried


def test_an_import_left_queued_when_its_job_was_lost_is_picked_up_by_the_sweep(
    app, signed_in, owner
):
    import_id = uploaded(signed_in, csv_bytes(people(20)))
    _queue_without_a_worker(app, import_id)
    with app.app_context():
        assert dispatcher.sweep().imports == 0  # its hand-off lease has not run out yet
        assert dispatcher.sweep(utc_now() + timedelta(minutes=6)).imports == 1
    assert "Added 20 new to the panel" in text_of(
        signed_in.get(f"/participants/import/{import_id}")
    )
    assert len(participants_of(app, owner.workspace_id)) == 20


def test_an_upload_never_started_is_deleted_after_a_day(app, signed_in):
    import_id = uploaded(signed_in, csv_bytes(people(3)))
    with app.app_context():
        dispatcher.sweep(utc_now() + timedelta(hours=25))
    row = import_row(app, import_id)
    assert row.status is ImportStatus.FAILED and row.content == ""
    assert "Not started within a day" in text_of(signed_in.get(f"/participants/import/{import_id}"))


def test_an_upload_can_be_discarded_before_it_starts(app, signed_in):
    import_id = uploaded(signed_in, csv_bytes(people(3)))
    response = signed_in.post(f"/participants/import/{import_id}/discard")
    assert response.status_code == 302
    assert import_count(app) == 0
    assert "No imports yet." in text_of(signed_in.get("/participants/import"))


def test_a_viewer_cannot_import(app, client, owner, add_member):
    owners = app.test_client()
    log_in(owners, owner.email)
    import_id = uploaded(owners, csv_bytes(people(3)))
    viewer = add_member(owner, role=Role.VIEWER)
    log_in(client, viewer.email)

    assert client.get("/participants/import").status_code == 403
    refused = upload(client, csv_bytes(people(3)))
    assert refused.status_code == 403
    assert "Viewers can read but not change anything" in text_of(refused)
    assert client.get(f"/participants/import/{import_id}").status_code == 403
    assert start(client, import_id).status_code == 403
    assert import_count(app) == 1
    assert import_row(app, import_id).status is ImportStatus.MAPPING
    assert participants_of(app, owner.workspace_id) == []


def test_another_workspaces_import_answers_404(app, client, owner, make_workspace):
    theirs = app.test_client()
    log_in(theirs, owner.email)
    import_id = uploaded(theirs, csv_bytes(people(3)))
    mine = make_workspace(name="Mine")
    log_in(client, mine.email)

    for method, path in [
        ("get", f"/participants/import/{import_id}"),
        ("get", f"/participants/import/{import_id}/progress"),
        ("get", f"/participants/import/{import_id}/errors.csv"),
        ("post", f"/participants/import/{import_id}"),
        ("post", f"/participants/import/{import_id}/discard"),
    ]:
        response = getattr(client, method)(path, data={"column-0": "email"})
        assert response.status_code == 404, path
        assert "panel.csv" not in response.get_data(as_text=True)
    assert "panel.csv" not in client.get("/participants/import").get_data(as_text=True)
    assert import_row(app, import_id).status is ImportStatus.MAPPING


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "Choose a CSV file to upload."),  # no file chosen: the browser sends nothing
        (b"\n\n", "The file is empty."),
        (b"ann@customer.example,Ann\nbo@customer.example,Bo\n", "must name the columns"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This file is not text."),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "This is a spreadsheet workbook"),
        (b'Email,Name\nann@customer.example,"Ann\n', "cannot be read as CSV near line"),
    ],
)
def test_a_malformed_upload_is_refused_with_422_and_nothing_is_stored(app, signed_in, data, says):
    response = upload(signed_in, data, filename="broken.csv" if data else "")

    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)  # the form again
    assert import_count(app) == 0


def test_a_file_over_5_mb_is_refused_before_it_is_read(app, signed_in):
    response = upload(signed_in, b"Email\n" + b"a" * (5 * 1024 * 1024 + 100 * 1024))
    assert response.status_code == 413
    assert "The file is larger than 5 MB." in response.get_data(as_text=True)
    assert import_count(app) == 0


@pytest.mark.parametrize(
    ("choices", "says"),
    [
        ({1: "name"}, "Choose the column that holds the email addresses"),
        (
            {0: "email", 1: "email"},
            "Only one column can be the email; you chose “E-mail” and “Full name”.",
        ),
    ],
)
def test_a_mapping_without_exactly_one_email_column_is_refused_with_422(
    app, signed_in, choices, says
):
    import_id = uploaded(signed_in, csv_bytes(people(3)))
    response = start(signed_in, import_id, choices)

    assert response.status_code == 422
    assert says in response.get_data(as_text=True)
    second = response.get_data(as_text=True).split('name="column-1"')[1].split("</select>")[0]
    assert f'<option value="{choices[1]}" selected>' in second  # the choice is kept
    assert import_row(app, import_id).status is ImportStatus.MAPPING


def test_an_upload_without_the_forms_token_is_refused(make_app, make_workspace):
    app = make_app(WTF_CSRF_ENABLED=True)
    owner = make_workspace()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": owner.email, "password": PASSWORD, "csrf_token": token})

    response = upload(client, csv_bytes(people(3)))

    assert response.status_code == 400
    assert import_count(app) == 0


def test_the_sample_file_offered_on_the_upload_page_imports_with_a_merge_and_three_reports(
    app, signed_in, owner
):
    with app.app_context():
        participants.create_participant(
            owner, participants.ParticipantDraft(name="Mei Lin", email="mei@northbank.example")
        )
    page = signed_in.get("/participants/import").get_data(as_text=True)
    sample = re.search(r'href="(/static/panel-sample\.csv)"', page).group(1)
    data = signed_in.get(sample).data

    import_id = uploaded(signed_in, data)
    assert start(signed_in, import_id, SAMPLE_MAPPING).status_code == 302
    state = wait_until_finished(signed_in, import_id)

    assert (state["created"], state["merged"], state["errors"]) == (27, 1, 3)
    shown = text_of(signed_in.get(f"/participants/import/{import_id}"))
    assert "Anna Müller" not in shown  # the report names rows, never people
    with app.app_context():
        mei = participants.find_by_email(owner.workspace_id, "mei@northbank.example")
        view = participants.get_participant(owner.workspace_id, mei.id)
    assert view.role == "Head of finance" and view.attributes["Plan"] == "Enterprise"


# The sample's columns: e-mail, full name, mobile, company, job title, segment, time
# zone, then plan and support tickets kept as attributes.
SAMPLE_MAPPING = {
    0: "email",
    1: "name",
    2: "phone",
    3: "company",
    4: "role",
    5: "segment",
    6: "timezone",
    7: "attribute",
    8: "attribute",
}
