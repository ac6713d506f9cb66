#!/usr/bin/env python
"""How many permits of a 14-activity shoot get a named office, by routing rung, at four places
(Sapporo, Osaka, Takamatsu and a rural point). The issue's closing-note count; run before and after.

    .venv/bin/python bench/planner_coverage.py

A fresh temporary SQLite database (migrations + the project's seeds) is built and deleted afterwards.
"""
from __future__ import annotations

import collections
import logging
import os
import shutil
import sys
import tempfile
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

ACTIVITIES = ("road_filming", "road_closure", "equipment_on_road", "picture_car_driving", "drone", "smoke_flame",
              "pyrotechnics", "prop_guns", "night_shooting", "crowd_extras", "generator_fuel", "water_boats",
              "cultural_property", "park")
PLACES = {
    "Sapporo (Ōdōri)": (43.0605, 141.3510),
    "Osaka (Namba)": (34.6660, 135.5010),
    "Takamatsu (station)": (34.3505, 134.0468),
    "rural (Tōno, Iwate)": (39.3300, 141.5300),
}
START, TODAY = date(2027, 3, 15), date(2027, 1, 4)


def rung_of(permit, rules_kind, municipality_code) -> str:
    routed = permit.authority
    if routed is None:
        return "no office"
    rung = getattr(routed, "rung", None)
    if rung:
        return rung
    # The engine before the routing rungs: infer from what it did.
    if routed.authority.kind != rules_kind:
        return "parent body"
    if routed.authority.municipality_code == municipality_code:
        return "same municipality"
    return "prefecture match"


def main() -> None:
    logging.disable(logging.WARNING)
    from flask_migrate import upgrade

    from locations import create_app
    from locations.core.config import DEFAULT_SEEDS_DIR
    from locations.core.extensions import db
    from locations.directory.geo import nearest_municipality
    from locations.permits import engine as permits
    try:  # after issue 13: the place's names, and what the map says there
        from locations.permits.places import ground_facts, place_fields
    except ImportError:
        ground_facts = place_fields = None
    from locations.seeding import seed_all

    folder = tempfile.mkdtemp(prefix="planner-coverage-")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/c.db", "TESTING": True, "TILE_URL": ""})
        with app.app_context():
            upgrade()
            seed_all(DEFAULT_SEEDS_DIR)
            db.session.commit()
            rules = permits.load_rules(db.session)
            print(f"{len(ACTIVITIES)} activities: {', '.join(ACTIVITIES)}; shoot {START}")
            for label, (lat, lon) in PLACES.items():
                town = nearest_municipality(lat, lon)
                if place_fields is None:
                    shoot = permits.Shoot(lat=lat, lon=lon, prefecture_code=town.prefecture.code,
                                          municipality_code=town.code, start_date=START, end_date=START,
                                          activities=ACTIVITIES)
                else:
                    shoot = permits.Shoot(lat=lat, lon=lon, **place_fields(town), start_date=START, end_date=START,
                                          activities=ACTIVITIES, facts=ground_facts(lat, lon))
                plan = permits.plan_permits(shoot, rules, TODAY)
                rungs = collections.Counter()
                for p in (*plan.permits, *getattr(plan, "not_needed", ())):
                    rungs[rung_of(p, rules.permits[p.code].authority_kind, town.code)] += 1
                named = sum(n for r, n in rungs.items() if r not in ("no office", "film_commission"))
                statuses = collections.Counter(getattr(p, "status", "listed")
                                               for p in (*plan.permits, *getattr(plan, "not_needed", ())))
                print(f"{label:22} {town.name_ja:10} permits {len(plan.permits):2}  named office {named:2}  "
                      f"by rung: {dict(sorted(rungs.items()))}  status: {dict(sorted(statuses.items()))}")
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
