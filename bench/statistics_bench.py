#!/usr/bin/env python
"""After a bulk import, do connections opened before it plan text searches as well as a fresh server?

    .venv/bin/python bench/statistics_bench.py [--rows 14000]

A "server" app warms its pool with text searches; a second app (another worker or the CLI, with its own pool)
imports N rows and commits; then the server's old pooled connections and a fresh app run the same searches.
The review measured 8–40 ms before and 0.6–2.8 s after a 14k import, until a restart. SQLite; no network.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from time import perf_counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [p for p in (ROOT, os.path.dirname(os.path.abspath(__file__))) if p not in sys.path]

from import_bench import COMMISSION, fresh_app, generate_csv  # noqa: E402
from run import block_network, out  # noqa: E402

QUERIES = ("公園", "神社", "bench", "港", "Takamatsu")


def timed_searches(app, rounds: int = 5) -> float:
    """Median milliseconds of a page of text-search results (the list and map's query)."""
    from locations.core.extensions import db
    from locations.library.queries import LocationFilter, search_locations

    times = []
    with app.app_context():
        for _ in range(rounds):
            for query in QUERIES:
                t0 = perf_counter()
                search_locations(LocationFilter(text=query), per_page=20)
                times.append((perf_counter() - t0) * 1000)
                db.session.remove()  # back to the pool, as at the end of a request
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=14_000)
    args = parser.parse_args()
    block_network()
    from sqlalchemy import select

    from locations import create_app
    from locations.core.extensions import db
    from locations.directory.models import FilmCommission
    from locations.library.importing import apply_plan, parse_locations

    tmp = tempfile.mkdtemp(prefix="locations-stats-")
    path = os.path.join(tmp, "base.db")
    try:
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TILE_URL": "", "TESTING": True}
        fresh_app(path)
        server = create_app(config)
        before = timed_searches(server)
        importer = create_app(config)
        with importer.app_context():
            data = generate_csv(args.rows)
            commission = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == COMMISSION))
            plan = parse_locations(data, "csv", commission)
            t0 = perf_counter()
            apply_plan(plan, commission)
            db.session.commit()
            imported = perf_counter() - t0
        old_pool = timed_searches(server)
        fresh = timed_searches(create_app(config))
        out(f"text search, median of {5 * len(QUERIES)}: before the import {before:.1f} ms; after importing "
            f"{args.rows:,} rows ({imported:.1f} s) on connections opened before it {old_pool:.1f} ms, on a fresh "
            f"server {fresh:.1f} ms; ratio old/fresh {old_pool / fresh:.2f} (target ≤ 2)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
