"""A link that opens an interview's recording at a moment, where its address allows one.

Media files follow the W3C Media Fragments rule (``#t=<seconds>``), which browsers honour
for a video or audio file opened directly. Some platforms have a parameter of their own
(YouTube ``t=``, Vimeo ``#t=``, Loom ``t=``). Anything else (a Zoom or Teams share page,
a file store's preview) has no documented way to start at a moment: then there is no
moment link, and pages show the time as text beside the recording's own link. Pure."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MEDIA_SUFFIXES = (
    ".mp4", ".m4v", ".mov", ".webm", ".ogv", ".mkv",
    ".mp3", ".m4a", ".aac", ".oga", ".ogg", ".opus", ".wav", ".flac",
)  # fmt: skip


def _with_query(parts, name: str, value: str) -> str:
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def moment_link(recording_url: str, seconds: float | None) -> str | None:
    """``recording_url`` opened ``seconds`` in, or None when the address has no known way
    to start at a moment (or there is no moment). Whole seconds, rounded down: a player
    starting a little early is better than one that skips the first word."""
    if seconds is None or seconds < 0 or not recording_url:
        return None
    parts = urlsplit(recording_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    at = int(seconds)
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    if host in ("youtube.com", "youtu.be", "youtube-nocookie.com"):
        return _with_query(parts, "t", f"{at}s")
    if host in ("vimeo.com", "player.vimeo.com"):
        return urlunsplit(parts._replace(fragment=f"t={at}s"))
    if host == "loom.com" or host.endswith(".loom.com"):
        return _with_query(parts, "t", str(at))
    if parts.path.lower().endswith(MEDIA_SUFFIXES):
        return urlunsplit(parts._replace(fragment=f"t={at}"))
    return None
