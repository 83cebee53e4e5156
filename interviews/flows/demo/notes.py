"""The demo's notes: templates, what was said in the past interviews, and takeaways.

Written through the notes services as Dana and Sam would, so the takeaway list, the
tags, the checklist on the agenda and the exports all show real data.
"""

from __future__ import annotations

from interviews.accounts import service as accounts
from interviews.notes import service as notes
from interviews.notes import takeaways
from interviews.notes import template_library as library
from interviews.notes.sections import CHECKLIST_KEYS

# What each completed interview's notes say, by interviewee: sections, then takeaways
# as (key, text, quote, tags, importance).
NOTES = {
    "Mei Lin": (
        {
            "Who they are": "Finance lead at Northbank, on the Team plan for 2 years; "
            "3 support tickets about CSV exports this quarter.",
            "Problem": "- Opens the **revenue dashboard** every Monday\n"
            "- Exports to CSV, fixes currency columns by hand in Excel\n"
            "- > “The dashboard is right, the export is wrong.”",
            "Solution": "Reacted to the scheduled-export mock-up: wants it per team, not per user.",
        },
        [
            (
                "Exports",
                "Re-formats every CSV export by hand before sharing it",
                "The dashboard is right, the export is wrong.",
                ("exports", "finance"),
                3,
            ),
            (
                "Mondays",
                "Checks revenue weekly, on Monday mornings, before the leadership call",
                "",
                ("weekly-review",),
                2,
            ),
            (
                "Scheduled exports",
                "Wants exports scheduled per team, not per user",
                "",
                ("exports",),
                2,
            ),
            (
                "Currency",
                "Multi-currency totals are the most distrusted number",
                "I never trust the EUR total.",
                ("trust", "finance"),
                3,
            ),
            (
                "Sharing",
                "Shares screenshots in chat rather than dashboard links",
                "",
                ("sharing",),
                1,
            ),
        ],
    ),
    "Tom Okafor": (
        {
            "Who they are": "Ops manager at Greenfield, Business plan, 8 months in.",
            "Problem": "Builds a weekly PDF for the board from four dashboards; takes half a day.",
        },
        [
            (
                "Board pack",
                "Spends half a day a week assembling a PDF from four dashboards",
                "Friday afternoons are gone.",
                ("exports", "reporting"),
                3,
            ),
            (
                "Trust",
                "Double-checks numbers against the ERP before sending anything",
                "",
                ("trust",),
                2,
            ),
        ],
    ),
    "Sara Kowalski": (
        {
            "Problem": "Uses only the alerts; dashboards are too slow on her laptop.",
            "Solution": "Liked the compact mobile view.",
        },
        [
            ("Alerts first", "Relies on alerts and rarely opens dashboards", "", ("alerts",), 2),
            (
                "Speed",
                "Dashboards take too long to load on her laptop",
                "I go make a coffee while it loads.",
                ("performance",),
                3,
            ),
            ("Mobile", "Would check a compact view on her phone", "", ("mobile",), 1),
        ],
    ),
    "Carlos Mendes": (
        {"Problem": "Came back after missing the first call. Exports for the bank every month."},
        [
            (
                "Bank reporting",
                "Exports monthly figures for the bank in a fixed format",
                "",
                ("exports", "finance"),
                2,
            ),
        ],
    ),
}

# Feedback that arrived outside interviews: (text, source, context, tags).
OUTSIDE = [
    (
        "Two prospects asked for scheduled exports to SharePoint during demos",
        "sales",
        "Acme Retail and Vistula trials, November; both evaluating against Looker",
        ("exports",),
    ),
    (
        "Support sees about 12 tickets a month about CSV encoding",
        "support",
        "Ticket tag csv-encoding, last 3 months; mostly finance users",
        ("exports", "trust"),
    ),
]


def seed_notes(owner: accounts.Member, study_id: int, held: list[tuple[int, str, str]]) -> None:
    """Notes, takeaways and checklists for the past interviews ``held`` as
    (interview id, interviewee name, status), plus a team template (the study's from now
    on: the past notes keep the built-in one they were taken on) and outside feedback."""
    members = {m.name: m for m in accounts.members(owner.workspace_id)}
    discovery = next(t for t in library.list_templates(owner.workspace_id) if t.kind == "discovery")
    custom = library.copy_template(owner, discovery.id)
    sections = [
        {"heading": s.heading, "guidance": s.guidance, "prompts": [p.text for p in s.prompts]}
        for s in custom.sections
    ]
    # One prompt left as a yes/no question: the template page shows the hint.
    sections[4]["prompts"].append("Do you export the dashboard every week?")
    library.update_template(
        owner,
        custom.id,
        name="Dashboards discovery (Northwind)",
        description="Our Discovery template with the export questions we keep asking.",
        sections=sections,
    )
    seen: set[str] = set()
    completed = [(i, name) for i, name, status in held if status == "completed"]
    for position, (interview_id, name) in enumerate(completed):
        if name in seen:  # Carlos came twice; his notes are on the interview he came to
            continue
        seen.add(name)
        bodies, items = NOTES.get(name, ({}, []))
        if bodies:
            notes.save_notes(owner, interview_id, bodies, revision=None)
        taker = members.get("Sam Rivera") if position % 2 == 0 else None
        notes.assign_note_taker(owner, interview_id, taker.user_id if taker else None)
        for key, text, quote, tags, importance in items:
            takeaways.add_takeaway(
                owner,
                takeaways.TakeawayDraft(
                    text=text,
                    key=key,
                    quote=quote,
                    tags=tags,
                    importance=importance,
                    interview_id=interview_id,
                ),
            )
        if name == "Mei Lin":
            notes.set_recording(
                owner, interview_id, consent=True, url="https://rec.example.com/northbank-mei"
            )
        # The older calls are fully wrapped up; the two most recent still have work left,
        # so the agenda shows the after-call checklist.
        done = CHECKLIST_KEYS if position < len(completed) - 2 else CHECKLIST_KEYS[:2]
        for item in done:
            notes.check_item(owner, interview_id, item, True)
    library.choose_for_study(owner, study_id, custom.id)
    for text, source, context, tags in OUTSIDE:
        takeaways.add_takeaway(
            owner,
            takeaways.TakeawayDraft(text=text, source=source, context=context, tags=tags),
        )
