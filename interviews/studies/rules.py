"""Pure study rules: titles, slugs and booking limits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

SLUG_MAX = 60
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
SLUG_RULE = (
    "use up to 60 lowercase letters a-z, digits and dashes, starting and ending with a "
    "letter or digit"
)
# Letters NFKD does not take apart into an ASCII letter and an accent.
_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "&": " and ",
    }
)
# Room left under SLUG_MAX for a "-2" .. "-999" tail when a slug is taken.
_BASE_MAX = SLUG_MAX - 4


def suggested_title(company: str, topic: str) -> str:
    """PRODUCT.md: a descriptive title, "<Company> product interview about <topic>"."""
    return f"{company.strip()} product interview about {topic.strip()}"


def slug_from(title: str) -> str:
    """A readable public slug from any title: "Month-End Clöse!" -> "month-end-close".

    Accents are folded to their ASCII letter (NFKD, plus the few letters it leaves
    alone, like ß and ø); anything else becomes a dash. A title with no Latin letters
    or digits at all gives "study"."""
    folded = unicodedata.normalize("NFKD", title.translate(_FOLDS))
    ascii_title = folded.encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(words) > _BASE_MAX:
        # Cut at a word boundary when there is one, so the link does not end mid-word.
        cut = words[:_BASE_MAX]
        words = (cut.rsplit("-", 1)[0] if "-" in cut else cut).strip("-")
    return words or "study"


def free_slug(base: str, taken: Collection[str]) -> str:
    """``base`` if no study has it, else ``base-2``, ``base-3``, ... the first free one."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def slug_problem(slug: str) -> str | None:
    """What is wrong with a slug a PM typed, with what is allowed and an example made
    from what they typed; None when it is fine."""
    if SLUG_PATTERN.match(slug):
        return None
    return f"“{slug}” cannot be a link: {SLUG_RULE}, for example “{slug_from(slug)}”."


def deletion_problem(status: str, interviews: int) -> str | None:
    """Why a study cannot be deleted, or None: only a draft (never published, so its
    link was never out in the world) with no interviews (they would go with it)."""
    if status != "draft":
        return (
            f"Only a draft can be deleted; this study is {status}. Close it to stop new bookings."
        )
    if interviews:
        return (
            f"This draft has {interviews} interview{'' if interviews == 1 else 's'}, "
            "so it is kept with their notes."
        )
    return None


@dataclass(frozen=True)
class Limits:
    """The booking rules of a study; defaults are PRODUCT.md's."""

    duration: timedelta = timedelta(minutes=45)
    notice: timedelta = timedelta(hours=12)
    horizon: timedelta = timedelta(days=30)
    max_per_day: int = 3
    buffer: timedelta = timedelta(minutes=30)
    step: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        for name in ("duration", "step"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be positive")
        if self.max_per_day < 1:
            raise ValueError("max_per_day must be at least 1")


# Past this many hosts the booking page stops naming them.
NAMED_HOSTS = 3


def hosts_phrase(names: Sequence[str]) -> str:
    """Who an interviewee talks to: "Dana Lee", "Dana Lee or Sam Ortiz", "Ann, Dana Lee or
    Sam Ortiz"; past three, "one of 4 researchers" (a long list of names says less)."""
    if len(names) > NAMED_HOSTS:
        return f"one of {len(names)} researchers"
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"
