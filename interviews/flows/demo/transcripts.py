"""The demo's transcripts: Tom's call as Zoom exports it (WebVTT, names in the cues) with
its recording, Sara's as pasted plain text, and highlights made from both, two of them
evidence on the map."""

from __future__ import annotations

from interviews.accounts import service as accounts
from interviews.maps import evidence
from interviews.notes import service as notes
from interviews.notes import transcripts

TOM_RECORDING = "https://rec.example.com/greenfield-tom.mp4"

TOM_CALL = """WEBVTT

1
00:00:02.000 --> 00:00:06.500
Dana Reyes: Thanks for making time, Tom. Walk me through your Friday.

2
00:00:07.000 --> 00:00:13.400
Tom Okafor: So every Friday I build the board pack. I open four dashboards,

3
00:00:13.400 --> 00:00:19.000
take screenshots, paste them into slides and export the whole thing as a PDF.

4
00:00:19.500 --> 00:00:22.000
Dana Reyes: How long does that take you?

5
00:00:22.500 --> 00:00:29.800
Tom Okafor: Half a day, easily. Friday afternoons are gone. And the board still asks
for the spreadsheet behind every chart.

6
00:12:31.000 --> 00:12:38.500
Tom Okafor: If I could just send them a link that shows the same numbers,
I would stop rebuilding it every week.

7
00:12:39.000 --> 00:12:44.000
Dana Reyes: What stops you from sending the dashboard link today?

8
00:12:44.500 --> 00:12:52.000
Tom Okafor: Trust. I double-check every total against the ERP before anything leaves.
"""

SARA_CALL = """Dana Reyes: When did you last open a dashboard?

Sara Kowalski: Honestly, last month. I live in the alerts. An alert tells me something
moved, and I act on it from my phone.

Dana Reyes: What happens when you do open one?

Sara Kowalski: On my laptop it takes so long to load that I go make a coffee while it loads.
By then I have usually answered the question some other way.
"""

# (interviewee, segment position, quote, takeaway, tags, map node key or None)
HIGHLIGHTS = [
    (
        "Tom Okafor",
        4,
        "Friday afternoons are gone.",
        "The board pack eats a half day every week",
        ("exports", "reporting"),
        None,
    ),
    (
        "Tom Okafor",
        5,
        "If I could just send them a link that shows the same numbers, I would stop "
        "rebuilding it every week.",
        "Would share a link instead of rebuilding the board pack",
        ("sharing", "exports"),
        "share",
    ),
    (
        "Sara Kowalski",
        3,
        "I go make a coffee while it loads",
        "Slow loads push analysts away from dashboards",
        ("performance",),
        "opens",
    ),
    (
        "Sara Kowalski",
        1,
        "I live in the alerts.",
        "Lives in alerts, not dashboards",
        ("alerts",),
        None,
    ),
]


def seed_transcripts(
    owner: accounts.Member, held: list[tuple[int, str, str]], nodes: dict[str, int]
) -> None:
    """Two transcripts on completed calls of ``held`` (interview id, name, status) and
    highlights made from them; ``nodes`` are the demo map's outcomes by key."""
    calls = {name: i for i, name, status in held if status == "completed"}
    notes.set_recording(owner, calls["Tom Okafor"], consent=True, url=TOM_RECORDING)
    notes.set_recording(owner, calls["Sara Kowalski"], consent=True, url="")
    said = {
        "Tom Okafor": transcripts.put_transcript(
            owner,
            calls["Tom Okafor"],
            TOM_CALL.encode(),
            content_type="text/vtt",
            filename="GMT20261130-Tom-Okafor.vtt",
        ),
        "Sara Kowalski": transcripts.put_transcript(
            owner,
            calls["Sara Kowalski"],
            SARA_CALL.encode(),
            content_type="text/plain",
            filename="sara-call.txt",
        ),
    }
    for name, position, quote, text, tags, node in HIGHLIGHTS:
        links = evidence.checked_links(owner.workspace_id, [], [nodes[node]]) if node else ()
        transcripts.add_highlight(
            owner,
            calls[name],
            transcripts.HighlightDraft(
                segment_id=said[name].segments[position].id, quote=quote, text=text, tags=tags
            ),
            links,
        )
