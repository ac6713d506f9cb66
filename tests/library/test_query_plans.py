"""The main queries are served by indexes on both databases: no sequential scan over ``location``.

Each query is captured as the app sends it and explained with its parameters. The test data is small, so on
PostgreSQL sequential scans are priced out (``enable_seqscan = off``): what is checked is that an index can
serve every query, which is what keeps it from reading every row at 100k and 1M.
"""
import re

import pytest
from sqlalchemy import event

from locations.core.extensions import db
from locations.library import queries
from locations.library.queries import LocationFilter, Near

TAKAMATSU = (34.3428, 134.0465)
KAGAWA_BOX = (133.4, 34.0, 134.5, 34.6)
CASES = {
    "words 1 char": lambda: queries.search_locations(LocationFilter(text="山")),
    "words 2 chars": lambda: queries.search_locations(LocationFilter(text="公園")),
    "words English": lambda: queries.search_locations(LocationFilter(text="park")),
    "words + category": lambda: queries.search_locations(LocationFilter(text="公園", category="park")),
    "words + prefecture": lambda: queries.search_locations(LocationFilter(text="公園", prefecture="37")),
    "words, capped": lambda: queries.search_locations(LocationFilter(text="高松"), cap=20, rank_cap=10),
    "category only": lambda: queries.search_locations(LocationFilter(category="park")),
    "prefecture only": lambda: queries.search_locations(LocationFilter(prefecture="37")),
    "near": lambda: queries.search_locations(LocationFilter(near=Near(*TAKAMATSU, radius_km=3))),
    "words + near": lambda: queries.search_locations(LocationFilter(text="公園", near=Near(*TAKAMATSU, radius_km=3))),
    "viewport, cells": lambda: queries.viewport(KAGAWA_BOX, 8, LocationFilter(), 500),
    "viewport, words": lambda: queries.viewport(KAGAWA_BOX, 8, LocationFilter(text="公園"), 10),
    "viewport, street": lambda: queries.viewport((134.04, 34.33, 134.06, 34.35), 16, LocationFilter(), 500),
}
# SQLite lists the rows of a table in id order for "ORDER BY id LIMIT n", a scan that stops at n rows; and
# where the test data makes a filter match every row (all seeded places are in Kagawa), its statistics
# rightly prefer a scan for a capped count, which stops at the cap. Any other scan fails.
SQLITE_SCAN = re.compile(r"\bSCAN location\b(?!_)(?! USING)")


def captured(action) -> list[tuple[str, object]]:
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        reads = re.search(r"\b(?:FROM|JOIN) location(?:_search)?\b", statement)
        if reads and statement.lstrip().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def plan_of(statement: str, parameters) -> str:
    connection = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return "\n".join(row[0] for row in rows)
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(row[-1] for row in rows)


@pytest.mark.parametrize("name", list(CASES))
def test_no_sequential_scan_over_location(app_context, name):
    statements = captured(CASES[name])
    assert statements, name
    for statement, parameters in statements:
        plan = plan_of(statement, parameters)
        if db.engine.dialect.name == "postgresql":
            for table in ("location", "location_search"):  # the wide table, and the narrow copy search reads
                assert f"Seq Scan on {table} " not in plan + " ", f"{name}:\n{statement}\n{plan}"
        else:
            scans = [line for line in plan.splitlines() if SQLITE_SCAN.search(line)]
            order = re.search(r"ORDER BY (.*?)\s+LIMIT", statement, re.DOTALL)
            bounded = "LIMIT" in statement and (order is None or order.group(1).strip() == "location.id")
            assert not scans or bounded, f"{name}:\n{statement}\n{plan}"
    db.session.rollback()


def test_text_search_uses_the_stored_vector_on_postgresql(app_context):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL plans")
    for case in ("words 2 chars", "words + category"):
        for statement, parameters in captured(CASES[case]):
            plan = plan_of(statement, parameters)
            assert "to_tsvector" not in plan, plan  # the stored column, never recomputed per row
    # Which index serves a word depends on the statistics: at 362 rows the status index wins even for a
    # rare word; bench/http_bench.py prints the plans at 100k, where ix_location_search_vector serves it.
    db.session.rollback()


def test_an_empty_box_reads_no_location_rows(app_context):
    """A viewport over the sea has no cell with a location: before, it still asked for up to 500 points, and with
    ORDER BY id LIMIT 500 PostgreSQL walked the primary key through every row to find none (450 ms at 1M)."""
    sea_of_japan = (129.5, 37.5, 136.5, 41.0)
    seen = captured(lambda: queries.viewport(sea_of_japan, 8, LocationFilter(), 500))
    assert seen == []
    view = queries.viewport(sea_of_japan, 8, LocationFilter(), 500)
    assert view.points == [] and view.clusters == [] and view.total == 0


def test_words_with_category_and_prefecture_are_answered_by_the_text_index(app_context):
    """They joined every match of the words with its row to test the filters (山 among parks at 1M: 0.4-2 s)."""
    seen = [s for s, _ in captured(lambda: queries.search_locations(
        LocationFilter(text="寺", category="temple_shrine", prefecture="37")))]
    assert seen
    assert not any("JOIN location_fts" in s or "location.search_vector" in s for s in seen), seen
