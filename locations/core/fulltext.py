"""Full-text search over locations, the same on SQLite (FTS5) and PostgreSQL (tsvector).

Japanese has no spaces, and trigram indexes cannot match one- or two-character queries such as
滝 or 神社. So the indexed text puts every kana and kanji in a token of its own, and a query becomes
a phrase of adjacent tokens: exact substring matching for Japanese at any length, word (prefix)
matching for Latin text, one index, ranked by the engine (bm25 / ts_rank).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Optional

from sqlalchemy import (Column, ColumnElement, Float, Integer, MetaData, Select, Table, Text, and_, func, literal_column,
                        select, text)
from sqlalchemy.dialects.postgresql import TSVECTOR

from .extensions import db

# Hiragana, katakana (incl. ー), CJK ideographs and their extensions, iteration marks.
_CJK = re.compile(r"[\u3005\u3006\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
MAX_QUERY_WORDS = 8


# Letters that are not a base letter plus accents, written as their usual Latin spelling.
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "þ": "th", "ð": "d"}


def normalise(text: Optional[str]) -> str:
    """What the index and a query are compared in: NFKC (full width = half width), lower case, and Latin
    letters without their accents (Sacré-Cœur = sacre coeur). Kana keep their marks: が is not か."""
    out = []
    for char in unicodedata.normalize("NFKC", text or "").lower():
        if char < "\x80" or _CJK.match(char):
            out.append(char)
        elif char in _LIGATURES:
            out.append(_LIGATURES[char])
        else:
            out.append("".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)))
    return "".join(out)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    current = []
    for char in normalise(text):
        if _CJK.match(char):
            if current:
                out.append("".join(current))
                current = []
            out.append(char)
        elif char.isalnum():
            current.append(char)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def index_text(*parts: Optional[str]) -> str:
    """The text stored for indexing: tokens separated by single spaces."""
    return " ".join(t for part in parts if part for t in _tokens(part))


def query_words(query: str) -> list[list[str]]:
    """Tokens per whitespace-separated query word, empty words dropped, at most MAX_QUERY_WORDS."""
    words = [_tokens(w) for w in normalise(query).split()]
    return [w for w in words if w][:MAX_QUERY_WORDS]


def _is_latin(token: str) -> bool:
    return not _CJK.match(token[0])


def filter_token(kind: str, row_id: int) -> str:
    """The index token of a filter value: the database generates "xc<category id> xp<prefecture id>" for every
    location (migration 3c8d5e7f9a12), so words with these filters are answered by the text index alone."""
    return f"x{kind}{int(row_id)}"


def fts5_query(words: list[list[str]], required: Iterable[Iterable[str]] = ()) -> str:
    """FTS5 MATCH syntax: each word a quoted phrase, prefix-matched when it ends in Latin text; then each group
    of ``required`` filter tokens (one of a group, exactly) in the tokens' column, which the ranking weighs 0."""
    phrases = []
    for tokens in words:
        phrase = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
        phrases.append(phrase + ("*" if _is_latin(tokens[-1]) else ""))
    phrases += ["{filter_tokens} : (" + " OR ".join(f'"{token}"' for token in group) + ")" for group in required]
    return " AND ".join(phrases)


def tsquery(words: list[list[str]], required: Iterable[Iterable[str]] = ()) -> str:
    """PostgreSQL to_tsquery syntax with the same meaning as fts5_query."""
    parts = []
    for tokens in words:
        quoted = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens]
        if _is_latin(tokens[-1]):
            quoted[-1] += ":*"
        parts.append("(" + " <-> ".join(quoted) + ")")
    parts += ["(" + " | ".join(f"'{token}'" for token in group) + ")" for group in required]
    return " & ".join(parts)


# The FTS5 table lives outside the models' metadata: migrations create it on SQLite only.
location_fts = Table(
    "location_fts", MetaData(), Column("rowid", Integer, primary_key=True), Column("search_text", Text)
)


def apply_text_search(query: Select, location_id, search_text, words: list[list[str]], dialect: str) -> tuple[Select, ColumnElement]:
    """Restrict ``query`` to locations matching ``words``; return it with a relevance expression
    where smaller is better."""
    if dialect == "postgresql":
        # The stored, generated column (migration f76a92097292) with its GIN index: to_tsvector is not
        # recomputed per candidate row, and the planner has statistics for it.
        vector = literal_column("location.search_vector")
        ts_query = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(words))
        return query.where(vector.op("@@")(ts_query)), -func.ts_rank(vector, ts_query)
    query = query.join(location_fts, location_fts.c.rowid == location_id).where(
        location_fts.c.search_text.op("MATCH")(fts5_query(words))
    )
    return query, func.bm25(literal_column("location_fts"), 1.0, 0.0)  # the words' column alone ranks


# PostgreSQL's narrow copy of the visible locations (migration 9b2e4d7a1c30), kept by a trigger.
location_search = Table(
    "location_search", MetaData(), Column("id", Integer, primary_key=True), Column("vector", TSVECTOR),
    Column("lat", Float), Column("lon", Float),
)

# One page of matches from the text index alone, per engine: the capped count, the full ranking, and the
# ranking of the first ``:c`` matches in index order. Identifiers are fixed; only :q, :c, :n, :o are bound.
_INDEX_SQL = {
    "sqlite": (
        "SELECT count(*) FROM (SELECT 1 FROM location_fts WHERE location_fts MATCH :q LIMIT :c)",
        "SELECT rowid FROM location_fts WHERE location_fts MATCH :q ORDER BY rank, rowid LIMIT :n OFFSET :o",
        "SELECT rowid FROM (SELECT rowid, rank FROM location_fts WHERE location_fts MATCH :q LIMIT :c) "
        "ORDER BY rank, rowid LIMIT :n OFFSET :o",
    ),
    # :q selects (words and filter tokens), :w ranks (the words alone).
    "postgresql": (
        "SELECT count(*) FROM (SELECT 1 FROM location_search "
        "WHERE vector @@ to_tsquery('simple'::regconfig, :q) LIMIT :c) AS matches",
        "SELECT id FROM location_search WHERE vector @@ to_tsquery('simple'::regconfig, :q) "
        "ORDER BY ts_rank(vector, to_tsquery('simple'::regconfig, :w)) DESC, id LIMIT :n OFFSET :o",
        "SELECT id FROM (SELECT id, vector FROM location_search WHERE vector @@ to_tsquery('simple'::regconfig, :q) "
        "LIMIT :c) AS first_matches "
        "ORDER BY ts_rank(vector, to_tsquery('simple'::regconfig, :w)) DESC, id LIMIT :n OFFSET :o",
    ),
}


def index_page(words: list[list[str]], limit: int, offset: int, cap: int, rank_cap: int,
               dialect: str, required: Iterable[Iterable[str]] = ()) -> tuple[int, list[int]]:
    """(number of matches up to ``cap + 1``, ids of one page by rank) from the text index alone (SQLite's FTS5
    table, PostgreSQL's narrow search table): both hold exactly the locations producers see.

    Counting stops after ``cap`` matches and ranking after ``rank_cap``, so a query that matches a sixth of a
    million rows costs what one matching ``cap`` does; below the caps the answer is that of a full ranking.
    """
    count_sql, ranked_sql, bounded_sql = _INDEX_SQL[dialect]
    required = [list(group) for group in required]
    query = fts5_query(words, required) if dialect == "sqlite" else tsquery(words, required)
    total = db.session.execute(text(count_sql), {"q": query, "c": cap + 1}).scalar_one()
    # Past ``rank_cap`` matches, the first ``rank_cap`` in index order are ranked; the rest are not looked at.
    ranked = ranked_sql if total <= rank_cap else bounded_sql
    values = {"q": query, "c": rank_cap, "n": limit, "o": offset}
    if dialect != "sqlite":
        values["w"] = tsquery(words)
    ids = db.session.execute(text(ranked), values).scalars().all()
    return total, list(ids)


def word_matches_in_box(words: list[list[str]], bbox: tuple[float, float, float, float],
                        required: Iterable[Iterable[str]] = ()) -> Select:
    """PostgreSQL: (lat, lon) of the visible locations matching ``words`` inside ``bbox``, from the narrow
    search table alone (a map viewport filtered by words only)."""
    west, south, east, north = bbox
    table = location_search.c
    ts_query = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(words, required))
    return select(table.lat, table.lon).where(table.vector.op("@@")(ts_query), table.lat.between(south, north),
                                              table.lon.between(west, east))


def like_scan(query: Select, search_text, words: Iterable[list[str]]) -> Select:
    """The naive baseline the benchmark compares with: LIKE over the indexed text."""
    conditions = [search_text.like("%" + " ".join(tokens) + "%") for tokens in words]
    return query.where(and_(*conditions))
