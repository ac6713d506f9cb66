#!/usr/bin/env python
"""Header height, sideways overflow and axe-core serious/critical findings of the main pages, at 375×812 and
1280×900, in every language of the app (ja, en, zh_Hans, zh_Hant, ko; `--langs` picks some), signed out and
signed in (producer, FC staff, admin).

Run from the repository root (needs /usr/bin/chromium; no network):

    .venv/bin/python bench/ux_measure.py            # prints a Markdown table
    .venv/bin/python bench/ux_measure.py --no-axe   # layout only (faster)
    .venv/bin/python bench/ux_measure.py --langs ja,en

It builds a fresh temporary SQLite database (migrations + seeds), a producer with one production and shoot,
FC staff of the Kagawa FC and an admin, serves the app on a free loopback port with no tile server, and
deletes everything afterwards.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def build(database_url: str):
    from flask_migrate import upgrade
    from sqlalchemy import select

    from locations import create_app
    from locations.core.clock import today_jst
    from locations.core.config import DEFAULT_SEEDS_DIR
    from locations.core.extensions import db
    from locations.library.models import Location
    from locations.seeding import seed_all
    from tests.builders import make_production, make_shoot, make_step, make_user
    from tests.conftest import make_test_config

    app = create_app(make_test_config(database_url, GEOCODER="offline", SESSION_COOKIE_SECURE=False))
    with app.app_context():
        upgrade()
        seed_all(DEFAULT_SEEDS_DIR)
        producer, staff, admin = make_user("producer"), make_user("fc_staff"), make_user("admin")
        production = make_production(producer, title="Harbour Lights")
        shoot = make_shoot(production, start=today_jst() + timedelta(days=60))
        for code in ("ROAD_USE", "DRONE_FLIGHT"):
            try:
                make_step(shoot, code, "police-hq-37")
            except AttributeError:  # a permit code the seeds do not have
                db.session.rollback()
        location = db.session.scalar(select(Location.slug).where(Location.status == "published").limit(1))
        db.session.commit()
        facts = {"producer": producer.email, "fc_staff": staff.email, "admin": admin.email,
                 "production": production.id, "location": location}
    return app, facts


def pages(facts) -> list[tuple[str, str | None, str]]:
    """(label, role signed in or None, path)."""
    return [
        ("home", None, "/"),
        ("locations", None, "/locations?near=高松市&radius_km=10"),
        ("map", None, "/map"),
        ("location", None, f"/locations/{facts['location']}"),
        ("planner", None, "/plan"),
        ("reports", None, "/reports"),
        ("home (producer)", "producer", "/"),
        ("case (producer)", "producer", f"/productions/{facts['production']}"),
        ("new shoot (producer)", "producer", f"/productions/{facts['production']}/shoots/new"),
        ("workspace (FC)", "fc_staff", "/commission/"),
        ("users (admin)", "admin", "/admin/users"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-axe", action="store_true")
    parser.add_argument("--langs", default="ja,en,zh_Hans,zh_Hant,ko", help="comma-separated languages")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _QuietRequestHandler
    from tests.browser.measure import DESKTOP, PHONE, figures
    from tests.builders import PASSWORD

    with tempfile.TemporaryDirectory() as folder:
        app, facts = build(f"sqlite:///{folder}/ux.db")
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            contexts = {}

            def context_for(role, viewport):
                key = (role, viewport["width"])
                if key not in contexts:
                    context = browser.new_context(base_url=base, viewport=viewport, service_workers="block")
                    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
                    if role:
                        page = context.new_page()
                        page.goto("/login?lang=en")
                        page.fill("#email", facts[role])
                        page.fill("#password", PASSWORD)
                        page.locator("main form button[type=submit]").click()
                        page.wait_for_load_state()
                        page.close()
                    contexts[key] = context
                return contexts[key]

            for label, role, path in pages(facts):
                for lang in args.langs.split(","):
                    cells = [label, lang]
                    for viewport in (PHONE, DESKTOP):
                        page = context_for(role, viewport).new_page()
                        joiner = "&" if "?" in path else "?"
                        page.goto(f"{path}{joiner}lang={lang}")
                        page.wait_for_load_state("networkidle")
                        found = figures(page, with_axe=not args.no_axe and viewport is DESKTOP)
                        cells += [str(found.header_px), str(found.overflow_px)]
                        if viewport is DESKTOP:
                            cells.append("–" if args.no_axe else str(len(found.severe)))
                            if found.severe:
                                print(f"  axe {label} {lang}: {found.severe}", file=sys.stderr)
                        page.close()
                    rows.append(cells)
            browser.close()
        server.shutdown()
        with app.app_context():
            from locations.core.extensions import db

            db.engine.dispose()

    print("| page | lang | header 375 | overflow 375 | header 1280 | overflow 1280 | axe serious+critical |")
    print("|---|---|---|---|---|---|---|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
