#!/usr/bin/env python
"""Benchmark: a permit plan of 10 locations × 5 shooting days × 6 activities, by the rules engine
(inputs loaded once, every spatial test run per location), side by side with the engine before issue 13
(git revision BEFORE, no spatial layers, no questions, no candidate offices) and a naive baseline that asks
the ORM for every permit and authority per location. Also: point tests against all layers, per point.

Run from the repository root:

    .venv/bin/python bench/permit_bench.py               # 200 runs each
    .venv/bin/python bench/permit_bench.py --runs 50

A fresh temporary SQLite database (migrations + the project's seeds) is built and deleted afterwards.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
from datetime import date, timedelta
from time import perf_counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from sqlalchemy import event, select  # noqa: E402

TARGET_MS = 20.0
POINT_TARGET_MS = 1.0
BEFORE = "db1be2b"  # the last commit before issue 13's engine
ACTIVITIES = ("drone", "smoke_flame", "road_filming", "night_shooting", "crowd_extras", "generator_fuel")
START = date(2027, 5, 10)
DAYS = 5
TODAY = date(2027, 1, 4)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def pick_locations(db, Location, count: int = 10):
    """Ten published locations of different categories, so the typical permits differ too."""
    chosen, categories = [], set()
    for location in db.session.scalars(select(Location).where(Location.status == "published").order_by(Location.id)):
        if location.category_id not in categories:
            chosen.append(location)
            categories.add(location.category_id)
        if len(chosen) == count:
            break
    return chosen


def ours(rules, shoots, permits) -> list:
    return [permits.plan_permits(s, rules, TODAY) for s in shoots]


def ours_with_ground(rules, shoots, permits, spatial, layers) -> list:
    """What a request does now: the spatial tests for each location, then the plan."""
    from dataclasses import replace

    return [permits.plan_permits(replace(s, facts=spatial.facts_at(layers, s.lat, s.lon)), rules, TODAY)
            for s in shoots]


def engine_before():
    """The engine module as it was at BEFORE (pure, so it loads from its source alone)."""
    import importlib.util
    import subprocess

    source = subprocess.run(["git", "show", f"{BEFORE}:locations/permits/engine.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("engine_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules["engine_before"] = module  # dataclasses look their module up
    exec(compile(source, "engine_before.py", "exec"), module.__dict__)
    return module


def rules_before(old, rules):
    """Today's rule book in the old engine's types (its own links and the sourced authorities only)."""
    return old.RuleBook.build(
        permits=[old.PermitRule(p.code, p.name_ja, p.name_en, p.authority_kind, p.legal_basis, p.lead_business_days,
                                p.documents, p.is_estimate, p.source) for p in rules.permits.values()],
        activities=[old.ActivityInfo(a.code, a.name_ja, a.name_en) for a in rules.activities.values()],
        links=[old.ActivityLink(x.activity_code, x.permit_code, x.condition_ja, x.condition_en)
               for links in rules.links.values() for x in links],
        authorities=[old.AuthorityInfo(a.id, a.code, a.kind, a.name_ja, a.name_en, a.lat, a.lon, a.prefecture_codes,
                                       a.municipality_code, a.coords_are_estimate, a.is_estimate)
                     for kind in rules.authorities.values() for a in kind if not a.is_candidate],
        kinds=list(rules.kinds.values()) and [old.Label(k.code, k.name_ja, k.name_en) for k in rules.kinds.values()])


def naive(db, places, permits, models) -> list:
    """What a first version would do: for every location, query each activity's links, each permit type,
    each authority of the permit's kind (with its prefectures), through the ORM, every time."""
    Activity, ActivityPermit, PermitAuthority, PermitType, AuthorityKind = models
    from geopy.distance import great_circle

    results = []
    for place in places:
        found: dict[str, dict] = {}
        for code in ACTIVITIES:
            activity = db.session.scalar(select(Activity).where(Activity.code == code))
            links = db.session.scalars(select(ActivityPermit).where(ActivityPermit.activity_id == activity.id))
            for link in links:
                permit = db.session.scalar(select(PermitType).where(PermitType.id == link.permit_type_id))
                kind = db.session.scalar(select(AuthorityKind).where(AuthorityKind.id == permit.authority_kind_id))
                kind_codes = [kind.code] + (["police_headquarters"] if kind.code == "police_station" else [])
                best = None
                for kind_code in kind_codes:
                    pool = db.session.scalars(select(PermitAuthority).join(AuthorityKind).where(
                        AuthorityKind.code == kind_code)).all()
                    covering = [a for a in pool if place["prefecture"] in [p.code for p in a.prefectures]]
                    placed = [(great_circle((place["lat"], place["lon"]), (a.lat, a.lon)).km, a.code)
                              for a in covering if a.lat is not None]
                    if placed:
                        best = min(placed)
                        break
                entry = found.setdefault(permit.code, {"reasons": [], "authority": best,
                                                       "date": permits.business_days_before(
                                                           START, permit.lead_business_days)})
                entry["reasons"].append(f"{activity.name_en} → {permit.name_en}")
        for code in place["typical"]:
            permit = db.session.scalar(select(PermitType).where(PermitType.code == code))
            found.setdefault(permit.code, {"reasons": [], "authority": None,
                                           "date": permits.business_days_before(START, permit.lead_business_days)})
        results.append(sorted(found.items(), key=lambda item: (item[1]["date"], item[0])))
    return results


def measure(fn, runs: int, count_statements) -> tuple[list[float], int]:
    fn()  # warm-up
    count_statements.n = 0
    times = []
    for _ in range(runs):
        began = perf_counter()
        fn()
        times.append((perf_counter() - began) * 1000)
    return times, count_statements.n // runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--naive-runs", type=int, default=0, help="the naive baseline takes minutes per run")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from flask_migrate import upgrade

    from locations import create_app
    from locations.core.config import DEFAULT_SEEDS_DIR as DEFAULT_SEEDS
    from locations.core.extensions import db
    from locations.library.models import Location
    from locations.permits import engine as permits
    from locations.permits.models import Activity, ActivityPermit, AuthorityKind, PermitAuthority, PermitType
    from locations.seeding import seed_all

    folder = tempfile.mkdtemp(prefix="permit-bench-")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "TESTING": True,
                          "TILE_URL": ""})
        with app.app_context():
            upgrade()
            seed_all(DEFAULT_SEEDS)
            db.session.commit()

            class Counter:
                n = 0

            @event.listens_for(db.engine, "before_cursor_execute")
            def _count(*_args):
                Counter.n += 1

            places = [{"lat": loc.lat, "lon": loc.lon, "prefecture": loc.prefecture.code,
                       "municipality": loc.municipality.code if loc.municipality else None,
                       "category": loc.category.code, "typical": tuple(loc.permit_codes), "town": loc.municipality}
                      for loc in pick_locations(db, Location)]
            from locations.permits.places import place_fields

            shoots = [permits.Shoot(lat=p["lat"], lon=p["lon"], **place_fields(p["town"]), start_date=START,
                                    end_date=START + timedelta(days=DAYS - 1), activities=ACTIVITIES,
                                    category_code=p["category"], typical_permits=p["typical"]) for p in places]

            began = perf_counter()
            rules = permits.load_rules(db.session)
            load_ms = (perf_counter() - began) * 1000

            from locations.permits import spatial

            layers = spatial.app_layers()
            engine_times, engine_sql = measure(lambda: ours(rules, shoots, permits), args.runs, Counter)
            ground_times, ground_sql = measure(lambda: ours_with_ground(rules, shoots, permits, spatial, layers),
                                               args.runs, Counter)
            old = engine_before()
            old_rules = rules_before(old, rules)
            old_shoots = [old.Shoot(lat=s.lat, lon=s.lon, prefecture_code=s.prefecture_code,
                                    municipality_code=s.municipality_code, start_date=s.start_date,
                                    end_date=s.end_date, activities=s.activities, category_code=s.category_code,
                                    typical_permits=s.typical_permits) for s in shoots]
            before_times, before_sql = measure(lambda: [old.plan_permits(s, old_rules, TODAY) for s in old_shoots],
                                               args.runs, Counter)
            import random

            rng = random.Random(13)
            points = [(rng.uniform(31.0, 43.5), rng.uniform(129.5, 145.5)) for _ in range(1000)]
            points += [(p["lat"], p["lon"]) for p in places] * 20
            spatial.facts_at(layers, *points[0])
            point_times = []
            for lat, lon in points:
                began = perf_counter()
                spatial.facts_at(layers, lat, lon)
                point_times.append((perf_counter() - began) * 1000)

            def with_load():
                db.session.expire_all()
                return ours(permits.load_rules(db.session), shoots, permits)

            loaded_times, loaded_sql = measure(with_load, args.runs, Counter)

            from locations.permits import rulebook

            def with_cache():
                # What the API does now: the rule book kept by the process, its stamp read at most once a second.
                return [permits.plan_permits(shoot, rulebook.cached_rules(db.session), TODAY)
                        for shoot in shoots]

            cached_times, cached_sql = measure(with_cache, args.runs, Counter)
            models = (Activity, ActivityPermit, PermitAuthority, PermitType, AuthorityKind)

            def baseline():
                db.session.expire_all()
                return naive(db, places, permits, models)

            # The naive baseline lazy-loads every candidate office's prefectures per link: minutes per run
            # with the OpenStreetMap layer, so it runs only when asked (--naive-runs N).
            naive_times, naive_sql = measure(baseline, args.naive_runs, Counter) if args.naive_runs else ([], 0)

            # Both must agree on which permits each location needs (to confirm included).
            ours_codes = [[p.code for p in (*plan.permits, *plan.not_needed)] for plan in ours(rules, shoots, permits)]
            agree = None
            if args.naive_runs:
                naive_codes = [[code for code, _ in result] for result in baseline()]
                agree = [sorted(a) for a in ours_codes] == [sorted(b) for b in naive_codes]
            permits_per_location = statistics.mean(len(c) for c in ours_codes)
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"permit plan: {len(shoots)} locations × {DAYS} days × {len(ACTIVITIES)} activities "
          f"({permits_per_location:.1f} permits per location on average), SQLite, {args.runs} runs")
    print(f"load_rules once: {load_ms:.1f} ms")
    print(f"{'':38} {'p50 ms':>8} {'p95 ms':>8} {'SQL/plan':>9}  target p95 ≤ {TARGET_MS:g} ms")
    rows = [("OURS engine + all spatial tests", ground_times, ground_sql),
            ("OURS engine (inputs loaded once)", engine_times, engine_sql),
            ("BEFORE engine (" + BEFORE + ", no spatial)", before_times, before_sql),
            ("OURS load_rules + engine (per API call)", loaded_times, loaded_sql),
            ("OURS cached_rules + engine (the API now)", cached_times, cached_sql),
            *([("NAIVE ORM queries per location", naive_times, naive_sql)] if naive_times else [])]
    for label, times, sql in rows:
        verdict = "PASS" if pct(times, 95) <= TARGET_MS else "FAIL"
        print(f"{label:38} {pct(times, 50):8.2f} {pct(times, 95):8.2f} {sql:9d}  {verdict}")
    verdict = "PASS" if pct(point_times, 95) <= POINT_TARGET_MS else "FAIL"
    print(f"{'point tests, all layers (' + str(len(point_times)) + ' points)':38} {pct(point_times, 50):8.3f} "
          f"{pct(point_times, 95):8.3f} {0:9d}  target p95 ≤ {POINT_TARGET_MS:g} ms  {verdict}")
    if naive_times:
        print(f"speed-up p50 (engine vs naive): {pct(naive_times, 50) / pct(engine_times, 50):.0f}×; "
              f"same permits per location: {'yes' if agree else 'NO'}")


if __name__ == "__main__":
    main()
