"""Pure study rules: titles, slugs and booking limits."""

from __future__ import annotations

import re
import secrets
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])?$")


def suggested_title(company: str, topic: str) -> str:
    """PRODUCT.md: a descriptive title, "<Company> product interview about <topic>"."""
    return f"{company.strip()} product interview about {topic.strip()}"


def slug_from(title: str) -> str:
    """A readable public slug from a title, with a short random tail so it is unique."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-")
    return f"{words or 'study'}-{secrets.token_hex(3)}"


def slug_problem(slug: str) -> str | None:
    if not SLUG_PATTERN.match(slug):
        return "Use 3 to 60 lowercase letters, digits and dashes, starting and ending with a letter or digit."
    return None
