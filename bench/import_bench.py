#!/usr/bin/env python
"""Benchmark: importing locations from CSV (parse_locations + apply_plan + commit) against a naive ORM loop,
at 1k / 10k / 100k generated rows. Target: 100k rows in <= 60 s.

Run from the repository root:

    .venv/bin/python bench/import_bench.py                 # sizes 1000,10000,100000
    .venv/bin/python bench/import_bench.py --sizes 1000
    .venv/bin/python bench/import_bench.py --sf            # only: what the offline geocoder makes of the
                                                           # San Francisco film-locations file

Every size gets a fresh temporary SQLite database (migrations and the project's seeds, as bench/run.py
builds it); the naive baseline runs on an untouched copy of it. No network: sockets are blocked.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import logging
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timezone
from time import perf_counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [p for p in (ROOT, os.path.dirname(os.path.abspath(__file__))) if p not in sys.path]

from run import block_network, cpu_model, git_state, mark, out, progress, table, version  # noqa: E402

TARGET_N, TARGET_S = 100_000, 60.0
NAIVE_ROWS = 2_000  # the naive loop is timed on this many rows at most, then extrapolated linearly
NO_COORDS, NO_SLUG, NO_NAME_EN = 0.05, 0.10, 0.05  # shares of generated rows (placed by geocoding, etc.)
COMMISSION = "kagawa-film-commission"
SF_FILE = os.path.join(os.path.dirname(ROOT), "shared", "data", "sf-film-locations", "Film_Locations_in_San_Francisco.csv")


def fresh_app(path: str):
    from flask_migrate import upgrade

    from locations import create_app
    from locations.core.config import DEFAULT_SEEDS_DIR as DEFAULT_SEEDS
    from locations.core.extensions import db
    from locations.seeding import seed_all

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TILE_URL": "", "TESTING": True})
    if not os.path.exists(path):
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):
                upgrade()
            logging.getLogger("alembic").setLevel(logging.WARNING)
            seed_all(DEFAULT_SEEDS)
            db.session.commit()
            db.engine.dispose()
    return app


def generate_csv(n: int, seed: int = 1) -> bytes:
    """``n`` synthetic rows around real municipality offices; some without slug, name_en or coordinates."""
    from sqlalchemy import select

    from locations.core.extensions import db
    from locations.directory.models import Municipality
    from locations.library.importing import COLUMNS
    from locations.library.models import LocationCategory

    rng = random.Random(seed)
    towns = db.session.scalars(select(Municipality)).all()
    categories = db.session.scalars(select(LocationCategory)).all()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS)
    writer.writeheader()
    for i in range(1, n + 1):
        town, category = rng.choice(towns), rng.choice(categories)
        address = f"{town.prefecture.name_ja}{town.name_ja}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        placed = rng.random() >= NO_COORDS
        row = {
            "slug": "" if rng.random() < NO_SLUG else f"bench-{i}",
            "name_ja": f"ベンチ撮影地{i}（{category.name_ja}）",
            "name_en": "" if rng.random() < NO_NAME_EN else f"Bench location {i} ({category.name_en})",
            "description_ja": f"{town.name_ja}の{category.name_ja}。撮影は事前相談のうえ、近隣への配慮をお願いします。" * 2,
            "category": category.code, "tags": "bench, synthetic", "address": address,
            "lat": f"{town.office_lat + rng.uniform(-0.03, 0.03):.6f}" if placed else "",
            "lon": f"{town.office_lon + rng.uniform(-0.03, 0.03):.6f}" if placed else "",
            "typical_permits": category.typical_permits or "",
            "status": "published" if rng.random() < 0.8 else "draft",
            "last_verified": date(2025, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            "source": "synthetic benchmark row (bench/import_bench.py); not a real place",
        }
        for name in ("has_parking", "has_power", "has_toilets", "has_green_room", "has_wifi", "has_large_vehicles"):
            row[name] = rng.choice(("", "true", "false"))
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def ours(app, data: bytes) -> dict:
    from sqlalchemy import select

    from locations.core.extensions import db
    from locations.directory.models import FilmCommission
    from locations.library.importing import apply_plan, parse_locations

    with app.app_context():
        db.session.connection(execution_options={"sqlite_immediate": True})
        commission = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == COMMISSION))
        t0 = perf_counter()
        plan = parse_locations(data, "csv", commission)
        t1 = perf_counter()
        assert not plan.errors, plan.errors[:5]
        result = apply_plan(plan, commission)
        db.session.commit()
        t2 = perf_counter()
        db.session.remove()
    return dict(parse=t1 - t0, apply=t2 - t1, total=t2 - t0, created=result.created, updated=result.updated,
                unchanged=result.unchanged, geocoded=len(plan.geocoded))


def naive(app, data: bytes, limit: int) -> dict:
    """One ORM object per row: look up category and slug, place it, session.add, update the map cells, commit."""
    from sqlalchemy import select

    from locations.core.extensions import db
    from locations.directory.geo import geocode
    from locations.directory.models import FilmCommission
    from locations.library.models import Location, LocationCategory
    from locations.library.placing import Places
    from locations.library.cells import count_in_cells
    from locations.library.queries import build_index_text

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))[:limit]
    with app.app_context():
        commission = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == COMMISSION))
        places = Places()  # the same polygon placement as ours, so only the writing differs
        t0 = perf_counter()
        for row in rows:
            category = db.session.scalar(select(LocationCategory).where(LocationCategory.code == row["category"]))
            slug = row["slug"] or f"naive-{abs(hash(row['name_ja']))}"
            location = db.session.scalar(select(Location).where(Location.slug == slug)) or Location(slug=slug)
            if row["lat"]:
                lat, lon = float(row["lat"]), float(row["lon"])
            else:
                place = geocode(row["address"]) or geocode(row["name_ja"])
                lat, lon = place.lat, place.lon
            town = places.municipalities[places.spot(lat, lon, row["address"]).municipality_id]
            flags = {k: (row[k] == "true" if row[k] else None) for k in row if k.startswith("has_")}
            for key, value in dict(
                commission_id=commission.id, name_ja=row["name_ja"], name_en=row["name_en"] or None,
                description_ja=row["description_ja"] or None, category_id=category.id, tags=row["tags"] or None,
                address=row["address"] or None, lat=lat, lon=lon, municipality_id=town.id,
                prefecture_id=town.prefecture_id, typical_permits=row["typical_permits"] or None,
                status=row["status"], last_verified=date.fromisoformat(row["last_verified"]), source=row["source"],
                search_text=build_index_text(row["name_ja"], row["name_en"], row["description_ja"], None, row["tags"],
                                             row["address"], category, town, town.prefecture), **flags,
            ).items():
                setattr(location, key, value)
            db.session.add(location)
            if location.status == "published":
                db.session.flush()
                count_in_cells(lat, lon, 1)
            db.session.commit()
        elapsed = perf_counter() - t0
        db.session.remove()
    return dict(rows=len(rows), seconds=elapsed)


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def run_size(n: int) -> dict:
    tmp = tempfile.mkdtemp(prefix=f"locations-import-{n}-")
    try:
        progress(f"N={n:,}: fresh database (migrations + seeds)")
        base = fresh_app(os.path.join(tmp, "base.db"))
        with base.app_context():
            data = generate_csv(n)
        shutil.copy(os.path.join(tmp, "base.db"), os.path.join(tmp, "naive.db"))
        progress(f"N={n:,}: ours, first import ({len(data) / 1e6:.1f} MB of CSV)")
        first = ours(base, data)
        progress(f"N={n:,}: ours, the same file again (nothing changes)")
        again = ours(base, data)
        progress(f"N={n:,}: naive baseline on min(N, {NAIVE_ROWS:,}) rows")
        slow = naive(fresh_app(os.path.join(tmp, "naive.db")), data, min(n, NAIVE_ROWS))
        return dict(n=n, bytes=len(data), first=first, again=again, naive=slow,
                    naive_total=slow["seconds"] / slow["rows"] * n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(results: list[dict]) -> None:
    out()
    out("OURS  = parse_locations (every row checked; placed by polygon and checked against its address; missing")
    out("        coordinates geocoded offline to the 町丁目, cached per address) +")
    out("        apply_plan (Core executemany INSERT/UPDATE in batches of 2,000, map cells rebuilt, ANALYZE) + commit")
    out("NAIVE = per row: SELECT category, SELECT by slug, ORM object, session.add, map cells, commit (no checks);")
    out(f"        timed on the first min(N, {NAIVE_ROWS:,}) rows and extrapolated linearly to N (marked ~)")
    out(f"rows: {1 - NO_COORDS:.0%} with lat/lon, {NO_COORDS:.0%} placed from the address; {NO_SLUG:.0%} without slug; "
        f"{NO_NAME_EN:.0%} without name_en (slug from romanised name_ja)")
    out()
    rows = []
    for r in results:
        f, a, s = r["first"], r["again"], r["naive"]
        target = mark(f["total"] <= TARGET_S) if r["n"] == TARGET_N else "–"
        naive_cell = (f"{fmt_s(r['naive_total'])}" if s["rows"] == r["n"]
                      else f"~{fmt_s(r['naive_total'])} ({s['rows']:,} rows in {fmt_s(s['seconds'])})")
        rows.append([f"{r['n']:,}", f"{r['bytes'] / 1e6:.1f} MB", fmt_s(f["parse"]), fmt_s(f["apply"]), fmt_s(f["total"]),
                     f"{r['n'] / f['total']:,.0f}", f"{f['created']:,} / {f['geocoded']:,}",
                     f"{fmt_s(a['total'])} ({a['unchanged']:,} unchanged)", naive_cell,
                     f"{r['naive_total'] / f['total']:.0f}x", target])
    table(["N", "CSV", "ours parse", "ours write+commit", "ours total", "rows/s", "created / geocoded",
           "same file again", "naive", "speed-up", f"{TARGET_N:,} <= {TARGET_S:g} s"], rows)


def sf_fraction() -> None:
    """How much of San Francisco's film-locations file the offline (Japanese) gazetteer places."""
    from locations.directory.geo import geocode

    tmp = tempfile.mkdtemp(prefix="locations-import-sf-")
    try:
        app = fresh_app(os.path.join(tmp, "base.db"))
        with open(SF_FILE, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        with app.app_context():
            cache: dict = {}
            found: Counter = Counter()
            placed = 0
            for row in rows:
                text = row["Locations"].strip()
                if text and text not in cache:
                    cache[text] = geocode(text)
                place = cache.get(text) if text else None
                if place is not None:
                    placed += 1
                    found[(text, place.name, place.name_en)] += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    filled = sum(1 for r in rows if r["Locations"].strip())
    out(f"SF film locations: the offline geocoder placed {placed} of {len(rows):,} rows ({placed / len(rows):.2%}); "
        f"{filled:,} rows have a Locations value ({placed / filled:.2%} of those); {len(cache):,} distinct values")
    for (text, name, name_en), count in found.most_common():
        out(f"  {count} x {text!r} -> {name} ({name_en})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated row counts")
    parser.add_argument("--sf", action="store_true", help="only report the SF geocoding fraction")
    args = parser.parse_args()
    block_network()
    if args.sf:
        sf_fraction()
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    out("locations import benchmark: bench/import_bench.py")
    out(f"  started   {datetime.now(timezone.utc).isoformat(timespec='seconds')} (UTC)")
    out(f"  machine   {platform.platform()}; {cpu_model()}; usable CPUs={len(os.sched_getaffinity(0))}")
    out(f"  python    {sys.version.split()[0]}; SQLite {sqlite3.sqlite_version}; SQLAlchemy {version('sqlalchemy')}")
    out(f"  code      git {git_state()}")
    out(f"  load avg  {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start (other processes add noise)")
    t0 = perf_counter()
    results = [run_size(n) for n in sizes]
    report(results)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out()
    out(f"finished; total {perf_counter() - t0:.0f} s; peak RSS {rss:.0f} MB; "
        f"load avg at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
