"""Reading interview transcripts (WebVTT, SRT, plain text) into segments, and writing them
back as WebVTT. Pure logic: bytes in, plain dataclasses out, no Flask, no database.

webvtt-py splits WebVTT into blocks and cues; srt splits SRT into subtitles. Around them
we check every timing line ourselves (both libraries drop or misread some), read the cue
text ourselves (voices, tags, character references) and find the speakers.
"""

from __future__ import annotations

import html
import html.entities
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

import srt
import webvtt
from webvtt.models import Timestamp

from interviews.errors import InvalidInput

MAX_SEGMENTS = 20_000
MAX_SEGMENT_CHARS = 10_000


@dataclass(frozen=True)
class Segment:
    """One cue or turn of a transcript: who said which words, and when."""

    start: float | None  # seconds from the start of the recording; None for plain text
    end: float | None
    speaker: str  # "" when the file does not say
    text: str  # plain words, whitespace collapsed, no markup


class UnreadableTranscript(InvalidInput):
    """A transcript file that cannot be turned into segments; ``message`` tells the PM why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="transcript")


# --- the public surface ------------------------------------------------------------------


def read_transcript(data: bytes, *, content_type: str = "", filename: str = "") -> list[Segment]:
    """The segments of a transcript file (``read_file`` without the format)."""
    return read_file(data, content_type=content_type, filename=filename)[1]


def read_file(
    data: bytes, *, content_type: str = "", filename: str = ""
) -> tuple[str, list[Segment]]:
    """Read a transcript file into its format ("vtt", "srt" or "txt") and its segments,
    cues ordered by start time.

    The format comes from ``content_type``, else the ``filename`` extension, else the
    content; but a file that plainly is WebVTT (first line ``WEBVTT``) or SRT (starts
    with a numbered time range) is read as such whatever it was called, since browsers
    and tools label these files loosely. Bytes are read as UTF-8 (a BOM is dropped),
    as UTF-16/32 when a BOM says so, else as Windows-1252 / Latin-1 (old SRT files);
    a charset in ``content_type`` is ignored, as clients often send a wrong one.

    Speakers come from WebVTT voices (``<v Dana Reyes>``) or a name before a colon
    (see ``_name_at_start``); a cue or line that names nobody continues the turn of
    the speaker before it. Raises UnreadableTranscript with a message for the PM.
    """
    text = _decode(data)
    if not text.strip():
        raise UnreadableTranscript("The file is empty.")
    kind = _choose_format(text, content_type, filename)
    if kind == "vtt":
        segments = _read_vtt(text)
    elif kind == "srt":
        segments = _read_srt(text)
    else:
        segments = _read_plain(text)
    if not segments:
        raise UnreadableTranscript("No spoken words were found in this file.")
    if len(segments) > MAX_SEGMENTS:
        raise UnreadableTranscript(
            f"This transcript has {len(segments):,} parts (cues or turns); at most {MAX_SEGMENTS:,} can be read. Split it into shorter files."
        )
    return kind, segments


def write_vtt(segments: list[Segment]) -> str:
    """Write segments as WebVTT, each a cue with its speaker as a ``<v Speaker>`` voice.

    ``read_transcript`` gives back the same segments as the readers make them (words and
    names single-spaced), with one limit of the format: a segment without a speaker
    that follows one with a speaker is read back as continuing that speaker's turn
    (the readers never produce such a list). Raises ValueError for a segment without
    times (plain-text transcripts have none).
    """
    captions = []
    for segment in segments:
        if segment.start is None or segment.end is None:
            raise ValueError("Only segments with start and end times can be written as WebVTT.")
        payload = _escape(segment.text)
        if segment.speaker:
            payload = f"<v {_escape(segment.speaker)}>{payload}"
        elif found := _name_at_start(payload):
            # Written as a character reference, the colon no longer reads as a speaker's.
            colon = found.end() - 1
            payload = f"{payload[:colon]}&#{ord(payload[colon])};{payload[colon + 1 :]}"
        captions.append(
            webvtt.Caption(
                start=str(Timestamp.from_seconds(segment.start)),
                end=str(Timestamp.from_seconds(segment.end)),
                text=payload,
            )
        )
    return webvtt.WebVTT(captions=captions).content


def speakers(segments: Iterable[Segment]) -> list[str]:
    """The distinct speakers in the order they first speak; "" (nobody named) is left out."""
    return list(dict.fromkeys(s.speaker for s in segments if s.speaker))


def format_moment(seconds: float) -> str:
    """A moment of the recording as people say it: "0:05", "12:34", "1:02:03" (truncated)."""
    if seconds < 0:
        raise ValueError("A moment in a recording cannot be negative.")
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# --- bytes to text and choosing the format -----------------------------------------------

# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_CONTENT_TYPES = {
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "text/srt": "srt",
    "text/plain": "txt",
}
_EXTENSIONS = {".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt", ".txt": "txt"}


def _decode(data: bytes) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise UnreadableTranscript(
                    f"The file is marked as {codec[:6].upper()} text but cannot be read as such. Save it again as UTF-8 and upload it."
                ) from None
            break
    else:
        data = data.removeprefix(b"\xef\xbb\xbf")
        for codec in ("utf-8", "cp1252", "latin-1"):
            try:
                text = data.decode(codec)
                break
            except UnicodeDecodeError:
                continue
    if "\x00" in text:
        raise UnreadableTranscript(
            "This file is not a text transcript. Upload the transcript as a .vtt, .srt or .txt file."
        )
    # Line numbers in our messages count CRLF, CR and LF alike, as editors do.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _choose_format(text: str, content_type: str, filename: str) -> str:
    first_lines = [line.strip() for line in text.lstrip().split("\n", 2)[:2]]
    if first_lines[0].startswith("WEBVTT"):
        return "vtt"
    if "-->" in first_lines[0] or (
        first_lines[0].isdigit() and len(first_lines) > 1 and "-->" in first_lines[1]
    ):
        return "srt"
    media_type = content_type.split(";")[0].strip().lower()
    extension = PurePath(filename).suffix.lower()
    return _CONTENT_TYPES.get(media_type) or _EXTENSIONS.get(extension) or "txt"


# --- timing lines ------------------------------------------------------------------------

# At most 4 digits of hours: no call lasts 10,000 hours, and webvtt-py drops a cue with
# more than 10 while srt overflows past 11.
_TIME = r"(?:(\d{1,4}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIMING_LINE = re.compile(rf"\s*{_TIME}\s*-->\s*{_TIME}(?=\s|$)(.*)")


def _checked_timing_lines(text: str, fraction_mark: str, first_line: int = 1) -> str:
    """Every line with "-->" rewritten as a canonical timing line, or the first bad one refused.

    Both libraries skip (webvtt-py) or misread (srt: "01:02,500" as an hour and 500
    seconds, "02,5" as 5 ms) the timing lines they do not expect, so we read them first:
    hours are optional, the fraction has 1-3 digits ("02,5" is half a second) after "."
    or ",". The line count is kept, so later line numbers still match the file
    (``first_line`` is the number in the file of the first line of ``text``).
    """
    lines = text.split("\n")
    for index, line in enumerate(lines):
        number = first_line + index
        if "-->" not in line:
            continue
        match = _TIMING_LINE.fullmatch(line)
        times = match and (
            _milliseconds(*match.group(1, 2, 3, 4)),
            _milliseconds(*match.group(5, 6, 7, 8)),
        )
        if not times or None in times:
            raise UnreadableTranscript(
                f"Line {number}: '{_shown(line)}' is not a time range. Times are written like 00:01:02{fraction_mark}500 --> 00:01:05{fraction_mark}000."
            )
        start, end = times
        if end < start:
            raise UnreadableTranscript(
                f"Line {number}: '{_shown(line)}' ends before it starts. Correct the times of this cue and upload the file again."
            )
        rest = match.group(9).strip()
        canonical = f"{_clock(start, fraction_mark)} --> {_clock(end, fraction_mark)}"
        lines[index] = f"{canonical} {rest}" if rest else canonical
    return "\n".join(lines)


def _milliseconds(
    hours: str | None, minutes: str, seconds: str, fraction: str | None
) -> int | None:
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    total = (int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)
    return total * 1000 + int((fraction or "0").ljust(3, "0"))


def _clock(milliseconds: int, fraction_mark: str) -> str:
    seconds, millis = divmod(milliseconds, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{fraction_mark}{millis:03d}"


def _shown(line: str) -> str:
    line = line.strip()
    return line if len(line) <= 60 else f"{line[:57]}..."


# --- WebVTT and SRT ----------------------------------------------------------------------


def _read_vtt(text: str) -> list[Segment]:
    # webvtt-py wants "WEBVTT" on the first line; blank lines before it do no harm.
    body = text.lstrip()
    if not body.startswith("WEBVTT"):
        raise UnreadableTranscript(
            "This file is sent as WebVTT but does not start with the line 'WEBVTT'. Export the transcript again as .vtt, or upload it as .srt or .txt."
        )
    skipped_lines = text[: len(text) - len(body)].count("\n")
    checked = _checked_timing_lines(body, ".", first_line=skipped_lines + 1)
    try:
        captions = webvtt.WebVTT.from_string(checked).captions
    except Exception:  # the library's own errors; our checks above should leave none
        raise UnreadableTranscript(
            "This WebVTT file could not be read. Export the transcript again and upload the new file."
        ) from None
    cues = [
        (c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), c.raw_text) for c in captions
    ]
    return _segments_from_cues(cues, srt_text=False)


def _read_srt(text: str) -> list[Segment]:
    checked = _checked_timing_lines(text, ",")
    try:
        subtitles = list(srt.parse(checked))
    except srt.SRTParseError as error:
        unread = checked[error.expected_start : error.actual_start]
        skipped = len(unread) - len(unread.lstrip())
        number = checked.count("\n", 0, error.expected_start + skipped) + 1
        line = checked.split("\n")[number - 1]
        raise UnreadableTranscript(
            f"Line {number}: '{_shown(line)}' is not where a subtitle can start. Each SRT subtitle is a number, a time range like 00:01:02,500 --> 00:01:05,000, then its words."
        ) from None
    except Exception:  # the library's own errors, e.g. a subtitle number thousands of digits long
        raise UnreadableTranscript(
            "This SRT file could not be read. Export the transcript again and upload the new file."
        ) from None
    millisecond = timedelta(milliseconds=1)
    cues = [(s.start // millisecond, s.end // millisecond, s.content) for s in subtitles]
    return _segments_from_cues(cues, srt_text=True)


def _segments_from_cues(cues: list[tuple[int, int, str]], *, srt_text: bool) -> list[Segment]:
    # Turns follow the recording's time line, so cues are ordered before speakers are
    # carried from one cue to the next; sorted() is stable for cues starting together.
    segments = []
    speaker = ""
    for start, end, payload in sorted(cues, key=lambda cue: cue[0]):
        for index, (voice, raw) in enumerate(_cue_parts(payload, srt_text=srt_text)):
            words = " ".join(raw.split())
            if voice:
                speaker = voice
            elif index == 0 and (found := _name_at_start(words)):
                speaker, words = _name(found), words[found.end() :]
            text = " ".join(_unescape(words).split())
            if len(text) > MAX_SEGMENT_CHARS:
                _refuse_long(text, f"The cue at {format_moment(start / 1000)}")
            if text:
                segments.append(Segment(start / 1000, end / 1000, speaker, text))
    return segments


# A tag is "<" then a letter or "/" (a tag name) or a digit (a timestamp) up to ">"; any
# other "<" is text, as in "I <3 exports", which players show as written.
_TAG = re.compile(r"<(/?)([A-Za-z][^\s.>]*)[^\s>]*(?:\s+([^>]*))?>|<\d[\d:.]*>")
_SRT_OVERRIDE = re.compile(r"\{\\[^}]*\}")  # "{\an8}": placement codes some SRT tools write
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _cue_parts(payload: str, *, srt_text: bool) -> list[tuple[str, str]]:
    """The cue text split at each voice: (speaker or "", text with tags removed).

    Text before the first voice has no voice of its own. A voice runs to the next one
    (a closing ``</v>`` does not hand the words after it to nobody). Ruby text (``<rt>``)
    is a reading aid for the characters, not spoken words, so it is left out.
    """
    if srt_text:
        payload = _SRT_OVERRIDE.sub("", payload)
    parts = [["", []]]
    in_ruby_text = False
    position = 0
    for tag in _TAG.finditer(payload):
        if not in_ruby_text:
            parts[-1][1].append(payload[position : tag.start()])
        position = tag.end()
        closing, name, annotation = tag.groups()
        name = (name or "").lower()
        if name == "v" and not closing and annotation and (voice := _words(annotation)):
            parts.append([voice, []])
        elif name == "rt":
            in_ruby_text = not closing
        elif name == "ruby" and closing:
            in_ruby_text = False
    if not in_ruby_text:
        parts[-1][1].append(payload[position:])
    return [(voice, "".join(chunks)) for voice, chunks in parts]


def _unescape(text: str) -> str:
    """Character references ("&amp;", "&lt;", "&nbsp;", "&#58;") as the characters they name.

    Only complete references, ending in ";": html.unescape would also read "&copy"
    without one, and its prefix matching turns "&notit;" into "¬it;".
    """

    def character(reference: re.Match[str]) -> str:
        found = reference.group()
        if found[1] == "#":
            return html.unescape(found)
        return html.entities.html5.get(found[1:], found)

    return _REFERENCE.sub(character, text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _words(text: str) -> str:
    return " ".join(_unescape(text).split())


# --- speakers named in the text ----------------------------------------------------------

_LABEL = re.compile(r"\s*([^:：\n]{1,40}?)\s*[:：](?=\s|$)")
_NAME_PARTICLES = frozenset(
    {"al", "bin", "da", "de", "del", "der", "di", "du", "la", "le", "van", "von"}
)
# Words people use to annotate a transcript; never taken for a speaker.
_ANNOTATIONS = frozenset({"note", "notes", "nb", "n.b.", "ps", "p.s.", "todo", "fyi", "update"})


def _name_at_start(text: str) -> re.Match[str] | None:
    """The match of a speaker's name and colon at the start of ``text``, if it has one.

    A name is one to four words and at most 40 characters before ":" and a space (or
    the line's end): each word starts with a capital letter (or a letter of a script
    without case), name particles like "van" or "de" excepted, and holds only letters,
    ".", "'", "’" or "-"; the last word may be a number ("Speaker 2", "P3"). So "at
    10:30 we met" names nobody. Annotation words ("Note:", "NB:", "Update:") are never
    speakers. Where a name counts as a speaker (any cue's start; in plain text see
    ``_read_plain``) is for the caller.
    """
    found = _LABEL.match(text)
    if not found:
        return None
    words = found.group(1).split()
    if not 1 <= len(words) <= 4 or found.group(1).casefold() in _ANNOTATIONS:
        return None
    for index, word in enumerate(words):
        if index and index == len(words) - 1 and word.isdecimal():
            continue
        if index and word in _NAME_PARTICLES:
            continue
        if not (word[0].isalpha() and not word[0].islower()):
            return None
        last = index == len(words) - 1
        if not all(_name_character(char, digits_allowed=last) for char in word):
            return None
    return found


def _name(found: re.Match[str]) -> str:
    return " ".join(found.group(1).split())


def _name_character(char: str, *, digits_allowed: bool) -> bool:
    if char.isalpha() or char in ".'’-" or unicodedata.category(char).startswith("M"):
        return True
    return digits_allowed and char.isdecimal()


# --- plain text --------------------------------------------------------------------------


def _read_plain(text: str) -> list[Segment]:
    """Turns of "Name: words"; a line without a name continues the turn before it.

    A name (see ``_name_at_start``) starts a new turn where a turn can start (the first
    line, or a line after a blank line); inside a paragraph only when it is a full name
    of two or more words ("Pat Lee", "Speaker 2") or starts two or more lines of the
    file. So a one-off "Problem: it is slow" inside a paragraph stays part of the
    words. A blank line ends a segment; the next one, unnamed, is still the same
    speaker's. A file that names nobody gives one segment per paragraph.
    """
    lines = text.split("\n")
    labels = [_name_at_start(line) for line in lines]
    name_counts = Counter(_name(found) for found in labels if found)
    segments: list[Segment] = []
    speaker, words, first_line = "", [], 0

    def end_segment() -> None:
        joined = " ".join(" ".join(words).split())
        if len(joined) > MAX_SEGMENT_CHARS:
            _refuse_long(joined, f"The turn starting on line {first_line}")
        if joined:
            segments.append(Segment(None, None, speaker, joined))
        words.clear()

    turn_can_start = True
    for number, (line, found) in enumerate(zip(lines, labels, strict=True), start=1):
        if not line.strip():
            end_segment()
            turn_can_start = True
            continue
        name = _name(found) if found else ""
        if name and (turn_can_start or " " in name or name_counts[name] >= 2):
            end_segment()
            speaker, line = name, line[found.end() :]
        if not words:
            first_line = number
        words.append(line)
        turn_can_start = False
    end_segment()
    return segments


def _refuse_long(text: str, where: str) -> None:
    raise UnreadableTranscript(
        f"{where} is {len(text):,} characters long; one cue or turn can hold at most {MAX_SEGMENT_CHARS:,}. Break it into shorter turns and upload the file again."
    )
