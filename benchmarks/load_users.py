"""The locustfile of the load benchmark (issue 24): who uses the app, and how.

Run by benchmarks/load.py, which seeds the workspace (benchmarks/big_workspace.py) and
hands what the users need (logins, study slugs, interview and map ids, share tokens) in
a JSON file named by the LOAD_FIXTURE environment variable; LOAD_SEED fixes the choices.

Three kinds of user, weighted 3 : 2 : 1, each waiting 0.5 to 2 s between tasks:

- Interviewees (no account): open a study's booking page, ask for a week's and a
  month's free slots, book one from the week's answer (a 409, someone else was
  quicker, is a correct answer and counts as a success), open the manage page from
  the booking's manage_url, then cancel through the public API so that the slot is
  free again and the run does not eat the calendar.
- PMs (the five hosts, logged in once through the real /login form): home, agenda,
  one of their interviews, its notes page and the autosave the page's script sends
  (JSON with the revision, X-CSRFToken), library search with a tag and a source,
  one of the two maps, reports for the default 12 weeks and for a year, the payout
  queue.
- Teammates (viewers, logged in): the library, a map, a shared report link.

Every URL is grouped under a fixed name, so the stats are per page, not per id.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, task

_FIXTURE_FILE = os.environ.get("LOAD_FIXTURE")
FIXTURE = json.loads(Path(_FIXTURE_FILE).read_text()) if _FIXTURE_FILE else {}
SEED = int(os.environ.get("LOAD_SEED", "24"))
# Tasks left out of this run, by name (load.py --skip): e.g. a page too slow to share the
# workers with the rest.
SKIP = {name for name in os.environ.get("LOAD_SKIP", "").split(",") if name}
ZONE = "Europe/Berlin"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
REVISION = re.compile(r'data-revision="(\d+)"')
HEADING = re.compile(r'data-heading="([^"]+)"')
_numbers = itertools.count()  # each user, of every class, gets its own index (and RNG)


class Seeded(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.index = next(_numbers)
        self.rng = random.Random(SEED * 1000 + self.index)

    def log_in(self, email: str, password: str) -> None:
        """Through the real form: its CSRF token first, then the POST."""
        page = self.client.get("/login", name="/login")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token, "next": ""},
            name="/login (POST)",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or urlsplit(response.url).path == "/login":
                response.failure(f"log-in refused for {email}: {response.status_code}")


class Interviewee(Seeded):
    weight = 3

    @task
    def book_and_manage(self) -> None:
        slug = self.rng.choice(FIXTURE["slugs"])
        self.client.get(f"/book/{slug}", name="/book/[slug]")
        today = datetime.now(UTC).date()
        slots = f"/api/v1/public/studies/{slug}/slots"
        week = self.client.get(
            slots,
            params={
                "from": (today + timedelta(days=1)).isoformat(),
                "to": (today + timedelta(days=7)).isoformat(),
                "timezone": ZONE,
            },
            name="slots (a week)",
        )
        self.client.get(
            slots,
            params={
                "from": today.isoformat(),
                "to": (today + timedelta(days=30)).isoformat(),
                "timezone": ZONE,
            },
            name="slots (a month)",
        )
        free = week.json().get("slots", []) if week.ok else []
        if not free:
            return
        n = next(_numbers)
        with self.client.post(
            f"/api/v1/public/studies/{slug}/bookings",
            json={
                "name": f"Load {self.index}",
                "email": f"load-{self.index}-{n}@bench.example",
                "timezone": ZONE,
                "start": self.rng.choice(free)["start"],
            },
            name="book (POST)",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()  # someone else took it first: the right answer
                return
            if response.status_code != 201:
                response.failure(f"booking answered {response.status_code}")
                return
            booked = response.json()
        manage = urlsplit(booked["manage_url"]).path
        self.client.get(manage, name="/manage/[token]")
        token = manage.rstrip("/").rsplit("/", 1)[1]
        self.client.post(
            f"/api/v1/public/manage/{token}/cancel",
            json={"reason": "load test"},
            name="cancel (POST, frees the slot)",
        )


class ProductManager(Seeded):
    weight = 2

    def on_start(self) -> None:
        super().on_start()
        hosts = FIXTURE["hosts"]
        self.host = hosts[self.index % len(hosts)]
        self.log_in(self.host["email"], self.host["password"])
        # Each PM writes the notes of an interview of their own, so autosaves rarely clash.
        mine = self.host["interviews"]
        self.notes_of = mine[(self.index // len(hosts)) % len(mine)]
        self.revision: int | None = None
        self.csrf = ""
        self.saved: dict[str, str] = {}
        self.heading = ""

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="/ (home)")

    @task(2)
    def agenda(self) -> None:
        self.client.get("/agenda", name="/agenda")

    @task(2)
    def interview(self) -> None:
        interview_id = self.rng.choice(self.host["interviews"])
        self.client.get(f"/interviews/{interview_id}", name="/interviews/[id]")

    @task(3)
    def notes(self) -> None:
        """The notes page, then the autosave its script sends after typing."""
        if self.revision is None:
            page = self.client.get(
                f"/interviews/{self.notes_of}/notes", name="/interviews/[id]/notes"
            )
            if not page.ok:
                return
            self.csrf = CSRF.search(page.text).group(1)
            self.revision = int(REVISION.search(page.text).group(1))
            self.heading = html.unescape(HEADING.search(page.text).group(1))
        body = f"- said something about exports ({self.rng.randrange(10**6)})"
        with self.client.post(
            f"/interviews/{self.notes_of}/notes",
            json={
                "revision": self.revision,
                "base": [{"heading": h, "body": b} for h, b in self.saved.items()],
                "sections": [{"heading": self.heading, "body": body}],
            },
            headers={"X-CSRFToken": self.csrf, "Accept": "application/json"},
            name="notes autosave (POST)",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                answer = response.json()
            elif response.status_code == 409:  # a teammate saved the same section: shown
                response.success()
                answer = response.json()["current"]
            else:
                response.failure(f"autosave answered {response.status_code}")
                self.revision = None
                return
        self.revision = answer["revision"]
        self.saved = {s["heading"]: s["body"] for s in answer["sections"]}

    @task(3)
    def library_search(self) -> None:
        self.client.get(
            "/takeaways",
            params={
                "q": self.rng.choice(FIXTURE["searches"]),
                "tag": self.rng.choice(FIXTURE["tags"]),
                "source": self.rng.choice(FIXTURE["sources"]),
            },
            name="/takeaways?q&tag&source",
        )

    @task(2)
    def impact_map(self) -> None:
        self.client.get(f"/maps/{self.rng.choice(FIXTURE['maps'])}", name="/maps/[id]")

    @task(1)
    def reports_12_weeks(self) -> None:
        self.client.get("/reports", name="/reports (12 weeks)")

    @task(1)
    def reports_year(self) -> None:
        today = datetime.now(UTC).date()
        self.client.get(
            "/reports",
            params={"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()},
            name="/reports (a year)",
        )

    @task(2)
    def payout_queue(self) -> None:
        self.client.get("/rewards", name="/rewards (payout queue)")


class Teammate(Seeded):
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        viewer = FIXTURE["viewers"][self.index % len(FIXTURE["viewers"])]
        self.log_in(viewer["email"], viewer["password"])

    @task(3)
    def library(self) -> None:
        self.client.get("/takeaways", name="/takeaways (viewer)")

    @task(2)
    def impact_map(self) -> None:
        self.client.get(f"/maps/{self.rng.choice(FIXTURE['maps'])}", name="/maps/[id] (viewer)")

    @task(2)
    def shared_report(self) -> None:
        token = self.rng.choice(FIXTURE["share_tokens"])
        self.client.get(f"/shared/{token}", name="/shared/[token]")


for _user in (Interviewee, ProductManager, Teammate):
    _user.tasks = [t for t in _user.tasks if t.__name__ not in SKIP]
del _user  # locust takes every User class it finds in this module for a kind of user
