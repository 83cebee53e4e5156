"""The demo's impact maps: a map whose nodes are backed by what the demo interviewees
said (a pattern, an anecdote and an assumption side by side), experiments with an
honest invalidated result, a shipped output, a child map grown from it and an outcome
roadmap whose first theme the map came from. Made through the maps services."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from interviews.accounts import service as accounts
from interviews.clock import utc_now
from interviews.flows.close_loop import close_loop
from interviews.maps import evidence, nodes, roadmaps, shares
from interviews.maps import loop as closing
from interviews.maps import service as maps
from interviews.notes import browse

# Takeaways of the demo (by their text, see notes.py) behind each node, by title.
EVIDENCE = {
    "Finance leads who report every week": [
        "Re-formats every CSV export by hand before sharing it",
        "Spends half a day a week assembling a PDF from four dashboards",
        "Exports monthly figures for the bank in a fixed format",
        "Checks revenue weekly, on Monday mornings, before the leadership call",
    ],
    "Share the numbers from the dashboard instead of rebuilt spreadsheets": [
        "Re-formats every CSV export by hand before sharing it",
        "Spends half a day a week assembling a PDF from four dashboards",
        "Exports monthly figures for the bank in a fixed format",
        "Shares screenshots in chat rather than dashboard links",
    ],
    "Scheduled exports per team": [
        "Wants exports scheduled per team, not per user",
        "Exports monthly figures for the bank in a fixed format",
        "Two prospects asked for scheduled exports to SharePoint during demos",
    ],
    "Trust the multi-currency totals without checking the ERP": [
        "Multi-currency totals are the most distrusted number",
        "Double-checks numbers against the ERP before sending anything",
        "Support sees about 12 tickets a month about CSV encoding",
    ],
    "Analysts who live in alerts": [
        "Relies on alerts and rarely opens dashboards",
        "Dashboards take too long to load on her laptop",
    ],
}


def _deadline() -> date:
    """The end of next June: always ahead of the day the demo is seeded."""
    today = utc_now().date()
    return date(today.year + 1, 6, 30)


def seed_maps(owner: accounts.Member) -> dict[str, int]:
    """The roadmap, the demo map grown from its first theme, a child map grown from the
    map's shipped output, and Mei told personally that it shipped (Carlos not yet)."""
    deadline = _deadline().isoformat()
    roadmap = roadmaps.create_roadmap(
        owner,
        roadmaps.RoadmapDraft(
            challenge="Finance teams run their weekly review in Northwind, not in Excel",
            target_condition="By the end of June, 300 finance teams share a dashboard every week",
            current_state="180 teams share weekly; most finance leads still export and rebuild",
        ),
    )
    exports_draft = roadmaps.ThemeDraft(
        title="Numbers finance can send as they are",
        hypothesis="If exports arrive in the shape finance sends on, leads stop rebuilding "
        "them and share the dashboard instead",
        status="delivery",
        priority="1",
    )
    exports_theme = roadmaps.add_theme(owner, roadmap, exports_draft)
    roadmaps.add_theme(
        owner,
        roadmap,
        roadmaps.ThemeDraft(
            title="Checking the numbers on a phone",
            hypothesis="If analysts can check a number from an alert on their phone, they "
            "open Northwind daily",
            status="discovery",
            priority="2",
        ),
    )
    map_id = maps.create_map(
        owner,
        maps.GoalDraft(
            statement="Grow the finance teams who run their weekly review in Northwind",
            metric="Finance teams sharing a dashboard every week",
            current="180",
            target="300",
            deadline=deadline,
        ),
        from_theme_id=exports_theme,
    )

    def add(parent: int | None, title: str, **fields) -> int:
        return nodes.add_node(owner, map_id, parent, nodes.NodeDraft(title=title, **fields))

    leads = add(
        None,
        "Finance leads who report every week",
        description="Send numbers to leadership, a board or a bank on a fixed rhythm",
        stage="on_stage",
        segment_rule="segment: enterprise",
    )
    share = add(
        leads,
        "Share the numbers from the dashboard instead of rebuilt spreadsheets",
        direction="increase",
        metric="Dashboard links shared per finance team per week",
        how_might_we="How might we help finance leads share the numbers without rebuilding them?",
    )
    scheduled = add(share, "Scheduled exports per team", status="idea")
    for status in ("planned", "building", "shipped"):
        nodes.update_node(
            owner, scheduled, nodes.NodeDraft(title="Scheduled exports per team", status=status)
        )
    add(
        scheduled,
        "Scheduled exports beta with five finance teams",
        experiment_kind="wizard_of_oz",
        impact=8,
        confidence=7,
        ease=6,
        status="done",
        result="validated",
        result_note="Four of five teams stopped re-formatting by hand within two weeks.",
    )
    board_pack = add(share, "Board pack PDF builder", status="idea")
    add(
        board_pack,
        "Fake door: a “Build board pack” button on the dashboard",
        experiment_kind="fake_door",
        impact=7,
        confidence=4,
        ease=9,
        status="done",
        result="invalidated",
        result_note="3 clicks from 400 visitors in two weeks: people want their own format.",
    )
    trust = add(
        leads,
        "Trust the multi-currency totals without checking the ERP",
        direction="increase",
        metric="Share of exports sent without a manual check",
        # Left naming a feature on purpose: the map page shows the warning.
        how_might_we="How might we build a currency audit page?",
    )
    breakdown = add(trust, "Show how each total was converted", status="planned")
    nodes.update_node(
        owner,
        breakdown,
        nodes.NodeDraft(title="Show how each total was converted", status="building"),
    )
    add(
        breakdown,
        "Prototype interviews on the conversion breakdown",
        experiment_kind="prototype_interview",
        impact=7,
        confidence=5,
        ease=8,
        status="running",
    )
    admins = add(
        None,
        "IT admins who approve new tools",
        description="Off stage: never open a dashboard, but decide whether a team may use one",
        stage="off_stage",
        segment_rule="role in buying: approves every new tool",
    )
    add(admins, "Approve a finance team's rollout within a week", direction="increase")
    analysts = add(
        None,
        "Analysts who live in alerts",
        description="Act on alerts, rarely open a dashboard",
        stage="on_stage",
        segment_rule="segment: smb",
    )
    opens = add(analysts, "Open the dashboard from an alert", direction="increase")
    add(opens, "Dashboards that load in under two seconds on a laptop", status="planned")

    by_text = {
        t.text: t.id
        for t in browse.list_takeaways(
            owner.workspace_id, browse.TakeawayQuery(sort="date", limit=200)
        ).items
    }
    titles = {"Finance leads who report every week": leads, "Analysts who live in alerts": analysts}
    titles |= {
        "Share the numbers from the dashboard instead of rebuilt spreadsheets": share,
        "Scheduled exports per team": scheduled,
        "Trust the multi-currency totals without checking the ERP": trust,
    }
    for title, texts in EVIDENCE.items():
        evidence.link_evidence(owner, [by_text[t] for t in texts if t in by_text], titles[title])

    child = maps.create_map(
        owner,
        maps.GoalDraft(
            statement="Make scheduled exports the way finance teams share numbers",
            metric="Teams with a weekly scheduled export",
            current="12",
            target="120",
            deadline=deadline,
        ),
        from_output_id=scheduled,
    )
    recipients = nodes.add_node(
        owner,
        child,
        None,
        nodes.NodeDraft(
            title="People who receive the export",
            description="Leadership, board members and bank contacts who never log in",
            stage="off_stage",
        ),
    )
    nodes.add_node(
        owner,
        child,
        recipients,
        nodes.NodeDraft(
            title="Read the export without asking for a spreadsheet", direction="increase"
        ),
    )
    # The theme's outcomes exist only now that its map does.
    roadmaps.update_theme(owner, exports_theme, replace(exports_draft, outcome_ids=(share, trust)))

    # Closing the loop on the shipped output: Mei hears from Dana; Carlos is still to tell.
    page = closing.loop_page(owner.workspace_id, scheduled, owner.name)
    mei = next(p for p in page.people if p.name == "Mei Lin")
    close_loop(owner, scheduled, [closing.LoopDraft(mei.participant_id, mei.subject, mei.body)])
    # A report link for leadership, with the quotes a PM starts from (names hidden). Its
    # token is not kept, as for every link: the list shows it, nobody can open it.
    now = utc_now()
    picks = shares.shares_page(owner.workspace_id, map_id, now).quotes
    shares.create_share(
        owner,
        map_id,
        shares.ShareDraft(
            label="Leadership review",
            quote_ids=tuple(c.takeaway.id for g in picks for c in g.choices if c.ticked),
        ),
        now,
    )
    return {
        "map": map_id,
        "child": child,
        "roadmap": roadmap,
        "share": share,
        "opens": opens,
    }
