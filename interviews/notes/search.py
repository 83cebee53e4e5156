"""Full-text search of the takeaway library, the same answers on SQLite and PostgreSQL.

SQLite (the embedded default) searches an external-content FTS5 table, ``takeaway_fts``,
kept in step with ``takeaway`` by triggers; PostgreSQL searches a ``to_tsvector``
expression over the same four columns, stored in a generated column with a GIN index. Both come from migration
0012, which repeats the SQL below: migrations never import app code, so a change here
needs a migration that changes the column or table too.

What a user types is never handed to either query language. It is cut into words
(letters and digits; everything else separates), every word is quoted, the words are
ANDed and the last one matches as a prefix, so "export" finds "exports". Input with no
word in it (only punctuation) means no text filter at all.

Both sides must cut text into the same words. FTS5's unicode61 tokenizer splits on
anything that is not a letter or a digit; PostgreSQL's parser keeps e-mail addresses,
URLs, paths and numbers like 3.5 whole, so the document has its ASCII punctuation
turned into spaces first. Both use the 'simple' configuration (no stemming, no stop
words, case folded) and FTS5 keeps diacritics (café is not cafe), as PostgreSQL does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, column, func, literal_column, select, table, text

MAX_WORDS = 8
MAX_WORD_LENGTH = 60
_WORD = re.compile(r"[^\W_]+")

FTS_TABLE = "takeaway_fts"
# ASCII punctuation, each turned into a space before PostgreSQL parses the document.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_PG_PUNCTUATION = PUNCTUATION.replace("'", "''")
# PostgreSQL keeps this in a generated column, takeaway.search_vector, with the GIN index
# on it: ranking then reads the stored words instead of parsing every match again.
PG_DOCUMENT_SQL = (
    "to_tsvector('simple'::regconfig, translate("
    "key || ' ' || text || ' ' || quote || ' ' || context, "
    f"'{_PG_PUNCTUATION}', '{' ' * len(PUNCTUATION)}'))"
)
PG_VECTOR_COLUMN = "takeaway.search_vector"


# --- pure: words in, query strings out ------------------------------------------------


def search_words(q: str) -> list[str]:
    """The words of a search box, lower-cased, at most MAX_WORDS, each at most
    MAX_WORD_LENGTH characters. Punctuation and query syntax (quotes, *, -, OR, NEAR,
    parentheses) only separate words: OR and NEAR are searched for as words."""
    return [w.lower()[:MAX_WORD_LENGTH] for w in _WORD.findall(q)][:MAX_WORDS]


def highlight(text: str, words: list[str]) -> Markup:
    """``text`` escaped, with each word that starts with one of ``words`` (as
    search_words cuts them) wrapped in <mark>. The text is cut into words by the same
    rule as the search, and each piece is escaped before any tag is added, so a mark can
    never land inside markup and nothing typed becomes a tag; the words are compared,
    never made into a pattern. Stemmed matches PostgreSQL finds are not marked."""
    starts = tuple(w.lower() for w in words if w)
    if not starts:
        return escape(text)
    out: list[Markup] = []
    at = 0
    for found in _WORD.finditer(text):
        if found.group().lower().startswith(starts):
            out += [escape(text[at : found.start()]), Markup("<mark>%s</mark>") % found.group()]
            at = found.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


def fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word a quoted string, ANDed, the last a prefix.

    ``fts5_query(["sso", "export"])`` is ``"sso" AND "export"*``. Words hold only letters
    and digits, so a quote inside one cannot happen; it is doubled anyway."""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    if quoted:
        quoted[-1] += "*"
    return " AND ".join(quoted)


def tsquery(words: list[str]) -> str:
    """A PostgreSQL to_tsquery('simple', ...) text: words ANDed, the last a prefix.

    ``tsquery(["sso", "export"])`` is ``'sso' & 'export':*``; each word is a quoted
    lexeme, so nothing in it is read as an operator."""
    quoted = ["'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words]
    if quoted:
        quoted[-1] += ":*"
    return " & ".join(quoted)


# --- the SQL for each database ------------------------------------------------------------


@dataclass(frozen=True)
class TextSearch:
    """How one database answers a text search over ``takeaway``.

    ``where`` keeps the matching takeaways: add it to any select from ``takeaway``.
    The page ranked best match first is a select from ``takeaway`` joined to
    ``ranked_join`` (a table and its ON clause), kept by ``match`` (in place of
    ``where``), ordered by ``rank`` ascending."""

    where: ColumnElement[bool]
    match: ColumnElement[bool]
    rank: ColumnElement
    ranked_join: tuple


def text_search(dialect: str, words: list[str], takeaway_id: ColumnElement) -> TextSearch:
    """The text filter and ranking for ``words`` (non-empty) on ``dialect``
    ("sqlite" or "postgresql"); ``takeaway_id`` is the Takeaway.id column."""
    if dialect == "sqlite":
        fts = table(FTS_TABLE, column("rowid"))
        match = text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=fts5_query(words))
        return TextSearch(
            # "id IN (the matches)": SQLite reads the matches once and looks each one up.
            # (A join to the FTS table can be planned the other way round, one FTS query
            # per takeaway of the workspace: a hundred times slower.)
            where=takeaway_id.in_(select(fts.c.rowid).where(match)),
            # bm25() needs its MATCH in the same query, so the ranked page joins. It is
            # lower for a better match.
            match=match,
            rank=literal_column(f"bm25({FTS_TABLE})"),
            ranked_join=(fts, fts.c.rowid == takeaway_id),
        )
    if dialect == "postgresql":
        # The generated column is not mapped on the model: nothing in Python writes it.
        document = literal_column(PG_VECTOR_COLUMN)
        query = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(words))
        where = document.op("@@")(query)
        return TextSearch(
            where=where,
            match=where,
            rank=-func.ts_rank(document, query),
            ranked_join=(),
        )
    raise ValueError(f"no full-text search for the {dialect} database")
