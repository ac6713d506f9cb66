#!/usr/bin/env python
"""Benchmark: our map page, viewport API, text search and SQL statements per page, against naive
baselines, at 1k / 10k / 100k locations.

Run from the repository root:

    .venv/bin/python bench/run.py                      # sizes 1000,10000,100000, repeat 1
    .venv/bin/python bench/run.py --sizes 1000 --repeat 2

Every size gets a fresh temporary SQLite database: migrations, the project's seeds (which include
362 real Takamatsu locations) and ``create_synthetic(N - <seeded locations>, seed=1)``, so the
database holds exactly N published locations. No network: sockets are blocked for the whole run.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import logging
import math
import os
import platform
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
from datetime import datetime, timezone
from importlib import metadata
from time import perf_counter
from urllib.parse import quote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# --- targets (from the issue) ---------------------------------------------------------------------
MAP_MAX_BYTES = 100 * 1024
VIEWPORT_P50_MS = 5.0
VIEWPORT_P95_MS = 20.0
SEARCH_P95_MS = 10.0

# --- workload ------------------------------------------------------------------------------------
ZOOMS = ((5, "country"), (8, "region"), (12, "city"), (15, "street"))
SCREEN = (1280, 800)  # pixels: the box a desktop map shows at a given zoom
VIEWPORTS_PER_ZOOM = 60  # ours: 4 zooms x 60 = 240 requests per N (x --repeat)
WARMUP_VIEWPORTS_PER_ZOOM = 5
TEXT_QUERIES = ("滝", "寺", "神社", "公園", "高松", "海岸", "栗林公園", "park", "temple", "synthetic 12")
TEXT_REPS = 20  # ours and baseline: up to 10 queries x 20 = 200 calls per N (x --repeat)
# Bounds that keep a slow implementation from stalling the run: each query gets at most this much
# measuring time (at least MIN_REPS calls), and one call is aborted (sqlite3 progress handler) after
# CALL_DEADLINE_S and then counted as ">= CALL_DEADLINE_S".
QUERY_BUDGET_S = 3.0
MIN_REPS = 3
CALL_DEADLINE_S = 5.0
PAGE_DEADLINE_S = 60.0
SLOW_PAGE_S = 3.0  # pages slower than this are requested once only (statements counted on that request)
SEED_VIEWPORTS, SEED_WARMUP, SEED_SYNTHETIC = 20240601, 7, 1


def baseline_viewports_per_zoom(n: int) -> int:
    """The naive viewport baseline loads every row and runs geodesic per row (~80 us each), so its
    sample shrinks with N to keep the whole run under ~10 minutes."""
    if n <= 2_000:
        return 30
    if n <= 20_000:
        return 4
    return 1


# --- small helpers -------------------------------------------------------------------------------

def block_network() -> None:
    """Fail loudly on any attempt to open an internet socket (the bench must run offline)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            raise RuntimeError(f"bench: network access attempted ({address!r})")

    def connect(self, address):
        guard(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(self, address)
        return real_connect_ex(self, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex


def pct(values: list[float], p: float) -> float:
    """Percentile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    data = sorted(values)
    k = (len(data) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def fmt_ms(seconds: float) -> str:
    ms = seconds * 1000.0
    if ms != ms:
        return "n/a"
    if ms < 10:
        return f"{ms:.2f} ms"
    if ms < 1000:
        return f"{ms:.1f} ms"
    return f"{ms / 1000:.2f} s"


def fmt_bytes(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def out(line: str = "") -> None:
    print(line, flush=True)


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> None:
    widths = [max(display_width(str(h)), *(display_width(str(r[i])) for r in rows)) for i, h in enumerate(headers)]

    def line(cells) -> str:
        return " | ".join(str(c) + " " * (w - display_width(str(c))) for c, w in zip(cells, widths)).rstrip()

    out(indent + line(headers))
    out(indent + "-+-".join("-" * w for w in widths))
    for row in rows:
        out(indent + line(row))


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return f"{head}{' + uncommitted changes in tracked files' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return "?"


# --- geometry of a screen-sized viewport ---------------------------------------------------------

def screen_bbox(lat: float, lon: float, zoom: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) that a SCREEN-sized Web Mercator map centred on lat/lon shows."""
    scale = 256.0 * 2 ** zoom
    x = (lon + 180.0) / 360.0 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale

    def unproject(px: float, py: float) -> tuple[float, float]:
        n = math.pi - 2.0 * math.pi * py / scale
        return math.degrees(math.atan(math.sinh(n))), px / scale * 360.0 - 180.0

    width, height = SCREEN
    north, west = unproject(x - width / 2, y - height / 2)
    south, east = unproject(x + width / 2, y + height / 2)
    return max(west, -180.0), max(south, -85.0), min(east, 180.0), min(north, 85.0)


def bbox_arg(box: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.6f}" for v in box)


# --- the benchmark for one N ----------------------------------------------------------------------

class Bench:
    def __init__(self, n: int, repeat: int, tmp: str):
        from locations import create_app

        self.n, self.repeat, self.tmp = n, repeat, tmp
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "TILE_URL": "", "TESTING": True})
        # Unhandled exceptions become 500 pages (TESTING is off, as in production); keep their
        # tracebacks out of the report and remember them instead.
        self.app.logger.disabled = True
        self.last_exception: BaseException | None = None
        from flask import got_request_exception

        got_request_exception.connect(self._on_exception, self.app, weak=False)
        self.client = self.app.test_client()
        self.statements = 0
        self.deadline: float | None = None
        self.results: dict = {"n": n}
        from sqlalchemy import event

        from locations.core.extensions import db

        with self.app.app_context():
            event.listen(db.engine, "connect", self._on_connect)

    def _on_connect(self, dbapi_connection, connection_record):
        # Lets a call be aborted once self.deadline has passed ("interrupted" OperationalError).
        dbapi_connection.set_progress_handler(self._past_deadline, 20_000)

    def _past_deadline(self) -> int:
        return 1 if self.deadline is not None and perf_counter() > self.deadline else 0

    def _on_exception(self, sender, exception, **extra):
        self.last_exception = exception

    # -- setup --------------------------------------------------------------------------------
    def build(self) -> None:
        from flask_migrate import upgrade
        from sqlalchemy import event, func, select

        from locations.core.config import DEFAULT_SEEDS_DIR as DEFAULT_SEEDS
        from locations.core.extensions import db
        from locations.library.demo import create_synthetic
        from locations.library.models import Location
        from locations.seeding import seed_all

        with self.app.app_context():
            t0 = perf_counter()
            with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines
                upgrade()
            logging.getLogger("alembic").setLevel(logging.WARNING)
            t1 = perf_counter()
            seed_all(DEFAULT_SEEDS)
            db.session.commit()
            t2 = perf_counter()
            seeded = db.session.scalar(select(func.count()).select_from(Location)) or 0
            synthetic = self.n - seeded if self.n > seeded else self.n
            create_synthetic(synthetic, seed=SEED_SYNTHETIC)
            db.session.commit()
            t3 = perf_counter()
            published = db.session.scalar(
                select(func.count()).select_from(Location).where(Location.status == "published")) or 0
            rows = db.session.execute(
                select(Location.lat, Location.lon).where(Location.is_synthetic.is_(True)).order_by(Location.id)
            ).all()
            self.synthetic_points = [(r.lat, r.lon) for r in rows]
            self.real_slug = db.session.scalar(
                select(Location.slug).where(Location.is_synthetic.is_(False), Location.status == "published")
                .order_by(Location.id).limit(1))
            self.real_point = db.session.execute(
                select(Location.lat, Location.lon).where(Location.slug == self.real_slug)).one()
            event.listen(db.engine, "before_cursor_execute", self._count_statement)
            db.session.remove()
        db_bytes = sum(os.path.getsize(os.path.join(self.tmp, f)) for f in os.listdir(self.tmp))
        self.results["setup"] = dict(seeded=seeded, synthetic=synthetic, published=published,
                                     migrate_s=t1 - t0, seed_s=t2 - t1, synthetic_s=t3 - t2, db_bytes=db_bytes)

    def _count_statement(self, *args, **kwargs):
        self.statements += 1

    def get(self, url: str):
        self.last_exception = None
        return self.client.get(url)

    # -- 1. map page -----------------------------------------------------------------------------
    def map_page(self) -> None:
        for _ in range(3):
            self.get("/map")
        times, size, status = [], 0, None
        for _ in range(20 * self.repeat):
            t0 = perf_counter()
            response = self.get("/map")
            times.append(perf_counter() - t0)
            size, status = len(response.data), response.status_code
        self.results["map_ours"] = dict(bytes=size, status=status, p50=pct(times, 50))

        import folium
        from sqlalchemy import select

        from locations.core.extensions import db
        from locations.core.maps import JAPAN_CENTER, JAPAN_ZOOM
        from locations.library.models import Location

        progress(f"N={self.n}: folium baseline, one Marker per location (slow at 100k)")
        with self.app.app_context():
            t0 = perf_counter()
            rows = db.session.execute(
                select(Location.lat, Location.lon, Location.name_ja)
                .where(Location.status == "published").order_by(Location.id)
            ).all()
            t1 = perf_counter()
            fmap = folium.Map(location=list(JAPAN_CENTER), zoom_start=JAPAN_ZOOM)
            for lat, lon, name in rows:
                folium.Marker([lat, lon], popup=name).add_to(fmap)
            t2 = perf_counter()
            html = fmap.get_root().render()
            t3 = perf_counter()
            db.session.remove()
        self.results["map_base"] = dict(bytes=len(html.encode("utf-8")), markers=len(rows),
                                        load_s=t1 - t0, build_s=t2 - t1, render_s=t3 - t2)
        del fmap, html, rows
        gc.collect()

    # -- 2. viewport API -------------------------------------------------------------------------
    def _viewports(self, seed: int, per_zoom: int) -> list[tuple[int, tuple[float, float], tuple]]:
        rng = random.Random(seed)
        chosen = []
        for zoom, _ in ZOOMS:
            for lat, lon in rng.sample(self.synthetic_points, min(per_zoom, len(self.synthetic_points))):
                chosen.append((zoom, (lat, lon), screen_bbox(lat, lon, zoom)))
        return chosen

    def viewport_api(self, key: str = "vp_ours", baseline: bool = True) -> None:
        warm = self._viewports(SEED_WARMUP, WARMUP_VIEWPORTS_PER_ZOOM)
        views = self._viewports(SEED_VIEWPORTS, VIEWPORTS_PER_ZOOM)
        for zoom, _, box in warm:
            self.get(f"/api/locations?bbox={bbox_arg(box)}&zoom={zoom}")
        ours: dict[int, list[float]] = {z: [] for z, _ in ZOOMS}
        sizes: dict[int, list[int]] = {z: [] for z, _ in ZOOMS}
        kinds: dict[int, dict[str, int]] = {z: {"points": 0, "clusters": 0} for z, _ in ZOOMS}
        bad = 0
        gc.collect()
        for _ in range(self.repeat):
            for zoom, _, box in views:
                url = f"/api/locations?bbox={bbox_arg(box)}&zoom={zoom}"
                t0 = perf_counter()
                response = self.get(url)
                elapsed = perf_counter() - t0
                if response.status_code != 200:
                    bad += 1
                    continue
                ours[zoom].append(elapsed)
                sizes[zoom].append(len(response.data))
                kinds[zoom]["clusters" if response.get_json()["clustered"] else "points"] += 1
        self.results[key] = dict(times=ours, sizes=sizes, kinds=kinds, bad=bad)
        if baseline:
            self.viewport_naive(warm, views)

    def viewport_naive(self, warm, views) -> None:

        # Naive baseline: load every published location, keep those within the viewport's
        # half-diagonal of its centre (geopy geodesic distance), serialise them as GeoJSON.
        from geopy.distance import distance as geo_distance
        from sqlalchemy import select

        from locations.core.extensions import db
        from locations.library.models import Location

        def naive(centre, box, limit=None) -> tuple[int, int]:
            west, south, east, north = box
            radius = max(geo_distance(centre, corner).km
                         for corner in ((south, west), (south, east), (north, west), (north, east)))
            with self.app.app_context():
                everything = db.session.scalars(
                    select(Location).where(Location.status == "published").limit(limit)).all()
                hits = [loc for loc in everything if geo_distance(centre, (loc.lat, loc.lon)).km <= radius]
                body = json.dumps({"type": "FeatureCollection", "features": [{
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [loc.lon, loc.lat]},
                    "properties": {"slug": loc.slug, "name_ja": loc.name_ja, "name_en": loc.name_en,
                                   "category": loc.category.code, "url": f"/locations/{loc.slug}",
                                   "synthetic": loc.is_synthetic},
                } for loc in hits]}, ensure_ascii=False)
                db.session.remove()
            return len(hits), len(body.encode("utf-8"))

        per_zoom = baseline_viewports_per_zoom(self.n)
        progress(f"N={self.n}: viewport baseline, {per_zoom * len(ZOOMS) * self.repeat} requests "
                 f"(loads all {self.n} rows + geodesic per row each time)")
        naive(*warm[0][1:], limit=1000)  # warm-up: same code path on at most 1,000 rows
        base: dict[int, list[float]] = {z: [] for z, _ in ZOOMS}
        base_sizes: dict[int, list[int]] = {z: [] for z, _ in ZOOMS}
        subset = [v for i, v in enumerate(views) if i % VIEWPORTS_PER_ZOOM < per_zoom]
        gc.collect()
        for _ in range(self.repeat):
            for zoom, centre, box in subset:
                t0 = perf_counter()
                _, size = naive(centre, box)
                base[zoom].append(perf_counter() - t0)
                base_sizes[zoom].append(size)
        self.results["vp_base"] = dict(times=base, sizes=base_sizes)

    # -- 3. text search --------------------------------------------------------------------------
    def _timed(self, fn, q: str) -> tuple[float, int | None]:
        """(seconds, hits) of one call in a fresh app context; hits None when aborted at the deadline."""
        from sqlalchemy.exc import OperationalError

        from locations.core.extensions import db

        with self.app.app_context():
            self.deadline = perf_counter() + CALL_DEADLINE_S
            t0 = perf_counter()
            try:
                hits = fn(q)
            except OperationalError as error:
                if "interrupted" not in str(error):
                    raise
                hits = None
            elapsed = perf_counter() - t0
            self.deadline = None
            db.session.remove()
        return (CALL_DEADLINE_S if hits is None else elapsed), hits

    def _sample(self, fn, q: str) -> dict:
        """Warm up once, then call until TEXT_REPS x repeat calls or QUERY_BUDGET_S (at least MIN_REPS)."""
        elapsed, hits = self._timed(fn, q)
        if hits is None:
            return dict(times=[CALL_DEADLINE_S], hits=None, aborted=True)
        times, spent = [], 0.0
        while len(times) < TEXT_REPS * self.repeat and (len(times) < MIN_REPS or spent < QUERY_BUDGET_S):
            elapsed, hits = self._timed(fn, q)
            if hits is None:
                return dict(times=times + [CALL_DEADLINE_S], hits=None, aborted=True)
            times.append(elapsed)
            spent += elapsed
        return dict(times=times, hits=hits, aborted=False)

    def text_search(self, key: str = "search", baseline: bool = True) -> None:
        from sqlalchemy import func, select

        from locations.core import fulltext as search
        from locations.core.extensions import db
        from locations.library.models import Location
        from locations.library.queries import LocationFilter, search_locations

        def ours(q: str) -> int:
            return search_locations(LocationFilter(text=q)).total

        def naive(q: str) -> int:
            words = search.query_words(q)
            query = search.like_scan(select(Location).where(Location.status == "published"),
                                     Location.search_text, words)
            total = db.session.scalar(select(func.count()).select_from(query.subquery()))
            db.session.scalars(query.order_by(Location.id).limit(20)).all()
            return total or 0

        gc.collect()
        per_query = {}
        for q in TEXT_QUERIES:
            per_query[q] = dict(ours=self._sample(ours, q), base=self._sample(naive, q) if baseline else None)
        self.results[key] = per_query

    def pages(self) -> list[tuple[str, str]]:
        lat, lon = self.real_point
        street = bbox_arg(screen_bbox(lat, lon, 15))
        country = bbox_arg(screen_bbox(36.2, 138.3, 5))
        return [
            ("GET /", "/"),
            ("GET /map", "/map"),
            ("GET /locations", "/locations"),
            ("GET /locations?q=公園", "/locations?q=" + quote("公園")),
            ("GET /locations?near=高松市&radius_km=5", "/locations?near=" + quote("高松市") + "&radius_km=5"),
            ("GET /locations/<real slug>", f"/locations/{self.real_slug}"),
            ("GET /commissions", "/commissions"),
            ("GET /blocks/SKK", "/blocks/SKK"),
            ("GET /prefectures/37", "/prefectures/37"),
            ("GET /api/locations?bbox=<street z15>", f"/api/locations?bbox={street}&zoom=15"),
            ("GET /api/locations?bbox=<Japan z5>", f"/api/locations?bbox={country}&zoom=5"),
        ]

    def _counted_get(self, url: str):
        self.statements = 0
        self.deadline = perf_counter() + PAGE_DEADLINE_S
        t0 = perf_counter()
        response = self.get(url)
        elapsed = perf_counter() - t0
        self.deadline = None
        error = None
        if self.last_exception is not None:
            error = f"{type(self.last_exception).__name__}: {self.last_exception}"[:110]
        return response, self.statements, elapsed, error

    def sql_per_page(self, key: str = "sql") -> None:
        counts = {}
        for label, url in self.pages():
            # First request doubles as warm-up (templates, caches); statements are counted on the second,
            # unless the first was slower than SLOW_PAGE_S (then on the first, marked "*").
            response, first, elapsed, error = self._counted_get(url)
            times, second = [elapsed], None
            if elapsed < SLOW_PAGE_S:
                response, second, elapsed, error = self._counted_get(url)
                times = [elapsed]
                for _ in range(4):
                    t0 = perf_counter()
                    self.get(url)
                    times.append(perf_counter() - t0)
            counts[label] = dict(statements=second if second is not None else first, first=first,
                                 on_first=second is None, status=response.status_code, p50=pct(times, 50),
                                 samples=len(times), bytes=len(response.data), error=error)
        self.results[key] = counts

    def run(self) -> dict:
        t0 = perf_counter()
        progress(f"N={self.n}: building the database")
        self.build()
        progress(f"N={self.n}: map page")
        self.map_page()
        progress(f"N={self.n}: viewport API")
        self.viewport_api()
        progress(f"N={self.n}: text search")
        self.text_search()
        progress(f"N={self.n}: SQL statements per page")
        self.sql_per_page()
        from locations.core.extensions import db

        with self.app.app_context():
            db.engine.dispose()
        self.results["elapsed_s"] = perf_counter() - t0
        return self.results


# --- report --------------------------------------------------------------------------------------

def report_n(r: dict, repeat: int) -> None:
    n, s = r["n"], r["setup"]
    out()
    out("=" * 100)
    out(f"N = {n:,} published locations: {s['seeded']} seeded (real Takamatsu places) + {s['synthetic']:,} synthetic "
        f"= create_synthetic(N - {s['seeded']}, seed={SEED_SYNTHETIC})")
    out(f"  setup: migrate {s['migrate_s']:.1f} s, seed {s['seed_s']:.1f} s, create_synthetic {s['synthetic_s']:.1f} s; "
        f"database {fmt_bytes(s['db_bytes'])}; published rows counted: {s['published']:,}; "
        f"this N took {r['elapsed_s']:.0f} s")
    out("=" * 100)

    mo, mb = r["map_ours"], r["map_base"]
    out()
    out("1. Map page size (target: HTML <= 100 KB at every N)")
    table(["", "OURS: GET /map (HTML only)", "NAIVE: folium, one Marker(popup=name) per location", "target"], [
        ["HTML bytes", f"{fmt_bytes(mo['bytes'])} {mark(mo['bytes'] <= MAP_MAX_BYTES)}",
         f"{fmt_bytes(mb['bytes'])} {mark(mb['bytes'] <= MAP_MAX_BYTES)}", "<= 100 KB"],
        ["markers inline", "0 (fetched per viewport)", f"{mb['markers']:,}", ""],
        ["time to produce", f"{fmt_ms(mo['p50'])} p50 per request (status {mo['status']})",
         f"{fmt_ms(mb['load_s'] + mb['build_s'] + mb['render_s'])} (query {fmt_ms(mb['load_s'])} + build "
         f"{fmt_ms(mb['build_s'])} + render {fmt_ms(mb['render_s'])}), 1 run", "(no target)"],
    ])

    vo, vb = r["vp_ours"], r["vp_base"]
    out()
    out(f"2. Viewport API latency ({SCREEN[0]}x{SCREEN[1]} px boxes centred on random synthetic points; "
        f"targets: p50 <= {VIEWPORT_P50_MS:g} ms, p95 <= {VIEWPORT_P95_MS:g} ms)")
    out("   OURS = GET /api/locations?bbox=...&zoom=... via the Flask test client (full request cost);")
    out("   NAIVE = SELECT all published Location rows (ORM) + geopy.distance.distance <= half-diagonal + json.dumps")
    rows = []
    all_o, all_b = [], []
    for zoom, name in ZOOMS:
        o, b = vo["times"][zoom], vb["times"][zoom]
        all_o += o
        all_b += b
        k = vo["kinds"][zoom]
        rows.append([f"z{zoom} {name}", str(len(o)), fmt_ms(pct(o, 50)), fmt_ms(pct(o, 95)),
                     fmt_bytes(pct(vo["sizes"][zoom], 50)), f"{k['points']}/{k['clusters']}",
                     str(len(b)), fmt_ms(pct(b, 50)), fmt_ms(pct(b, 95)), fmt_bytes(pct(vb["sizes"][zoom], 50))])
    rows.append(["ALL", str(len(all_o)),
                 f"{fmt_ms(pct(all_o, 50))} {mark(pct(all_o, 50) * 1000 <= VIEWPORT_P50_MS)}",
                 f"{fmt_ms(pct(all_o, 95))} {mark(pct(all_o, 95) * 1000 <= VIEWPORT_P95_MS)}", "", "",
                 str(len(all_b)),
                 f"{fmt_ms(pct(all_b, 50))} {mark(pct(all_b, 50) * 1000 <= VIEWPORT_P50_MS)}",
                 f"{fmt_ms(pct(all_b, 95))} {mark(pct(all_b, 95) * 1000 <= VIEWPORT_P95_MS)}", ""])
    table(["viewport", "ours n", "ours p50", "ours p95", "ours body p50", "points/clusters",
           "naive n", "naive p50", "naive p95", "naive body p50"], rows)
    if vo["bad"]:
        out(f"   !! {vo['bad']} of our requests did not return 200")
    out()
    out(f"3. Text search, one page of 20 (target: p95 <= {SEARCH_P95_MS:g} ms)")
    out("   OURS = library.search_locations(LocationFilter(text=q)) (FTS5 MATCH: COUNT + page + 4 selectinloads);")
    out("   NAIVE = search.like_scan: SELECT ... WHERE search_text LIKE '%q%' ORDER BY id LIMIT 20, plus COUNT")
    out(f"   Per query: up to {TEXT_REPS * repeat} calls or {QUERY_BUDGET_S:g} s of calls (at least {MIN_REPS}) after "
        f"one warm-up call; a call still running after {CALL_DEADLINE_S:g} s is aborted and counted as "
        f">= {CALL_DEADLINE_S:g} s")
    search_table(r["search"], with_baseline=True)

    out()
    out("4. SQL statements per page at this N (second request; the side-by-side table is at the end)")
    rows = []
    for label, d in r["sql"].items():
        first = "" if d["on_first"] else str(d["first"])
        rows.append([label, str(d["statements"]) + ("*" if d["on_first"] else ""), first, str(d["status"]),
                     f"{fmt_ms(d['p50'])} (n={d['samples']})", fmt_bytes(d["bytes"]), d["error"] or ""])
    table(["page", "statements", "on 1st request", "status", "time p50", "body", "unhandled exception"], rows)
    if any(d["on_first"] for d in r["sql"].values()):
        out(f"   * page took > {SLOW_PAGE_S:g} s, so it was requested once and its statements counted on that request")


def _search_cells(d: dict) -> tuple[str, str, str, str]:
    times = d["times"]
    hits = "aborted" if d["aborted"] else f"{d['hits']:,}"
    prefix = ">= " if d["aborted"] else ""
    p95 = pct(times, 95)
    return (hits, str(len(times)), prefix + fmt_ms(pct(times, 50)),
            f"{prefix}{fmt_ms(p95)} {mark(not d['aborted'] and p95 * 1000 <= SEARCH_P95_MS)}")


def search_table(per_query: dict, with_baseline: bool) -> None:
    rows = []
    all_o, all_b, aborted_o, aborted_b = [], [], False, False
    for q, d in per_query.items():
        all_o += d["ours"]["times"]
        aborted_o |= d["ours"]["aborted"]
        row = [q, str(len(q.replace(" ", "")))] + list(_search_cells(d["ours"]))
        if with_baseline:
            all_b += d["base"]["times"]
            aborted_b |= d["base"]["aborted"]
            row += list(_search_cells(d["base"]))
        rows.append(row)
    total = ["ALL", ""] + list(_search_cells(dict(times=all_o, hits=0, aborted=aborted_o)))
    total[2] = ""
    if with_baseline:
        total += list(_search_cells(dict(times=all_b, hits=0, aborted=aborted_b)))
        total[6] = ""
    rows.append(total)
    headers = ["query", "chars", "ours hits", "ours n", "ours p50", "ours p95"]
    if with_baseline:
        headers += ["naive hits", "naive n", "naive p50", "naive p95"]
    table(headers, rows)


def report_sql_side_by_side(all_results: list[dict]) -> None:
    out()
    out("=" * 100)
    out("4. SQL statements per page, side by side (target: constant in N, i.e. no N+1)")
    out("=" * 100)
    labels = list(all_results[0]["sql"])
    headers = ["page"] + [f"N={r['n']:,}" for r in all_results] + ["constant?"]
    rows = []
    for label in labels:
        counts = [r["sql"][label]["statements"] for r in all_results]
        cells = []
        for r in all_results:
            d = r["sql"][label]
            cells.append(f"{d['statements']}" + ("*" if d["on_first"] else "")
                         + ("" if d["status"] == 200 else f" (HTTP {d['status']})"))
        rows.append([label] + cells + [mark(len(set(counts)) == 1)])
    table(headers, rows)
    if any(r["sql"][label]["on_first"] for r in all_results for label in labels):
        out(f"   * counted on the first request (the page took > {SLOW_PAGE_S:g} s)")
    rows = []
    for label in labels:
        cells = [f"{fmt_ms(r['sql'][label]['p50'])}" + ("" if r["sql"][label]["samples"] > 1 else " (1 request)")
                 for r in all_results]
        rows.append([label] + cells)
    out()
    out("   Page time (test client, p50 of 5 requests after warm-up; for context, no target):")
    table(["page"] + [f"N={r['n']:,}" for r in all_results], rows)


def report_summary(all_results: list[dict]) -> None:
    out()
    out("=" * 100)
    out("SUMMARY (OURS against the issue's targets; naive baseline in brackets)")
    out("=" * 100)
    rows = []
    for r in all_results:
        vo = [t for ts in r["vp_ours"]["times"].values() for t in ts]
        vb = [t for ts in r["vp_base"]["times"].values() for t in ts]
        so = [t for d in r["search"].values() for t in d["ours"]["times"]]
        sb = [t for d in r["search"].values() for t in d["base"]["times"]]
        so_ab = any(d["ours"]["aborted"] for d in r["search"].values())
        rows.append([
            f"{r['n']:,}",
            f"{fmt_bytes(r['map_ours']['bytes'])} {mark(r['map_ours']['bytes'] <= MAP_MAX_BYTES)} "
            f"[{fmt_bytes(r['map_base']['bytes'])}]",
            f"{fmt_ms(pct(vo, 50))} {mark(pct(vo, 50) * 1000 <= VIEWPORT_P50_MS)} [{fmt_ms(pct(vb, 50))}]",
            f"{fmt_ms(pct(vo, 95))} {mark(pct(vo, 95) * 1000 <= VIEWPORT_P95_MS)} [{fmt_ms(pct(vb, 95))}]",
            f"{'>= ' if so_ab else ''}{fmt_ms(pct(so, 95))} {mark(not so_ab and pct(so, 95) * 1000 <= SEARCH_P95_MS)} "
            f"[{fmt_ms(pct(sb, 95))}]",
        ])
    table(["N", "map page <= 100 KB", "viewport p50 <= 5 ms", "viewport p95 <= 20 ms", "search p95 <= 10 ms"], rows)
    labels = list(all_results[0]["sql"])
    varying = [label for label in labels if len({r["sql"][label]["statements"] for r in all_results}) > 1]
    errors = sorted({f"{label}: HTTP {r['sql'][label]['status']}" for r in all_results for label in labels
                     if r["sql"][label]["status"] != 200})
    out(f"  SQL statements per page constant across N: {mark(not varying)}"
        + (f" (varies: {', '.join(varying)})" if varying else ""))
    if errors:
        out(f"  Pages that did not answer 200: {'; '.join(errors)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated location counts (default: 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="passes over every measured request set (default 1)")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    repeat = max(1, args.repeat)

    block_network()
    started, t0 = datetime.now(timezone.utc), perf_counter()
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    out("locations benchmark: bench/run.py")
    out(f"  started   {started.isoformat(timespec='seconds')} (UTC)")
    out(f"  machine   {platform.platform()}; {cpu_model()}; os.cpu_count()={os.cpu_count()}, usable CPUs={affinity}")
    out(f"  python    {sys.version.split()[0]} ({platform.python_implementation()}); SQLite {sqlite3.sqlite_version}")
    out(f"  libraries Flask {version('flask')}, Werkzeug {version('werkzeug')}, SQLAlchemy {version('sqlalchemy')}, "
        f"Flask-SQLAlchemy {version('flask-sqlalchemy')}, folium {version('folium')}, geopy {version('geopy')}")
    out(f"  code      git {git_state()}")
    out(f"  sizes     {', '.join(f'{n:,}' for n in sizes)}; --repeat {repeat}; random seeds: synthetic data "
        f"{SEED_SYNTHETIC}, viewports {SEED_VIEWPORTS}, warm-up {SEED_WARMUP}; network blocked")
    out(f"  targets   map page <= 100 KB at every N; viewport API p50 <= {VIEWPORT_P50_MS:g} ms and "
        f"p95 <= {VIEWPORT_P95_MS:g} ms; text search p95 <= {SEARCH_P95_MS:g} ms; constant SQL statements per page")
    out("  timing    time.perf_counter, after warm-up requests; single process, no concurrency")
    out(f"  load avg  {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min) at start: other processes on "
        "this machine add noise to every timing")

    all_results = []
    for n in sizes:
        tmp = tempfile.mkdtemp(prefix=f"locations-bench-{n}-")
        try:
            results = Bench(n, repeat, tmp).run()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        all_results.append(results)
        report_n(results, repeat)
        gc.collect()

    report_sql_side_by_side(all_results)
    report_summary(all_results)
    finished = datetime.now(timezone.utc)
    out()
    out(f"finished {finished.isoformat(timespec='seconds')} (UTC); total run time {perf_counter() - t0:.0f} s; "
        f"load avg at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
