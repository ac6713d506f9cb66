"""Area overuse: shoot days per municipality over the window, the threshold, and where busy areas show."""
from datetime import date, timedelta

import pytest

from locations.core.clock import today_jst
from locations.core.config import from_environment
from locations.core.extensions import db
from locations.reports import overuse
from tests.builders import commission, login, make_production, make_report, make_shoot, make_user, municipality

TODAY = date(2013, 6, 30)  # a quiet past: no other test records shoots around it
WINDOW = 90
START = TODAY - timedelta(days=WINDOW - 1)  # 2013-04-02, the window's first day


@pytest.fixture
def places(app):
    with app.app_context():
        yield {"marugame": municipality("丸亀市", "37"), "sakaide": municipality("坂出市", "37"),
               "kagawa": commission("kagawa-film-commission")}
        db.session.rollback()  # the tests only flush; nothing of theirs is committed


def test_window_is_the_last_n_days_including_today():
    assert overuse.window(TODAY, WINDOW) == (START, TODAY)
    assert (TODAY - START).days + 1 == WINDOW


def test_report_days_inside_the_window_are_counted_and_capped_by_shoot_days(app, places):
    town, fc = places["marugame"], places["kagawa"]
    # 3 days straddling the window's start: 2 inside (Apr 2 and 3).
    make_report(fc, START - timedelta(days=1), shoot_days=3, municipality_id=town.id)
    # Ends the day before the window starts: nothing inside.
    make_report(fc, START - timedelta(days=5), shoot_days=5, municipality_id=town.id)
    # 4 shooting days over a 10-day span fully inside: capped at 4.
    make_report(fc, START + timedelta(days=20), shoot_days=4, days_span=10, municipality_id=town.id)
    # 5 days over a 6-day span of which 3 are inside (the span runs past today): min(3, 5) = 3.
    make_report(fc, TODAY - timedelta(days=2), shoot_days=5, days_span=6, municipality_id=town.id)
    # Starts tomorrow: outside.
    make_report(fc, TODAY + timedelta(days=1), shoot_days=2, municipality_id=town.id)
    assert overuse.shoot_days_by_municipality(TODAY, WINDOW) == {town.id: 2 + 4 + 3}


def test_production_shoots_count_unless_a_report_covers_the_same_production_and_place(app, places):
    town, other_town, fc = places["marugame"], places["sakaide"], places["kagawa"]
    owner = make_user("producer")
    reported = make_production(owner.id, "reported")
    make_shoot(reported, TODAY - timedelta(days=9), town=town, end_date=TODAY)  # 10 days, but the FC's report covers them
    make_report(fc, TODAY - timedelta(days=9), shoot_days=6, days_span=10, municipality_id=town.id,
                production_id=reported.id)
    make_shoot(reported, START - timedelta(days=3), town=other_town, end_date=START + timedelta(days=2))  # no report there: 3
    planned = make_production(owner.id, "planned")
    make_shoot(planned, TODAY - timedelta(days=1), town=town, end_date=TODAY + timedelta(days=5))  # 2 days inside
    days = overuse.shoot_days_by_municipality(TODAY, WINDOW)
    assert days == {town.id: 6 + 2, other_town.id: 3}
    assert overuse.shoot_days_by_municipality(TODAY, WINDOW, prefecture_id=town.prefecture_id) == days


def test_threshold_flags_at_or_above(app, places):
    town, fc = places["marugame"], places["kagawa"]
    make_report(fc, TODAY - timedelta(days=19), shoot_days=20, municipality_id=town.id)
    assert [a.municipality.id for a in overuse.busy_areas(TODAY, WINDOW, 20)] == [town.id]
    assert overuse.busy_areas(TODAY, WINDOW, 21) == []
    assert overuse.busy_areas(TODAY, 10, 20) == []  # a shorter window sees only 10 of the days


def test_config_can_come_from_the_environment():
    settings = from_environment({"OVERUSE_THRESHOLD_DAYS": "3", "OVERUSE_WINDOW_DAYS": "30"})
    assert settings["OVERUSE_THRESHOLD_DAYS"] == 3 and settings["OVERUSE_WINDOW_DAYS"] == 30


@pytest.fixture
def busy_now(app):
    """Marugame with 5 shoot days ending today; the threshold lowered to 5 for the test."""
    saved = app.config["OVERUSE_THRESHOLD_DAYS"]
    with app.app_context():
        town = municipality("丸亀市", "37")
        make_report(commission("kagawa-film-commission"), today_jst() - timedelta(days=4), shoot_days=5,
                    municipality_id=town.id)
        staff = make_user("fc_staff")
        db.session.commit()
        email, code = staff.email, town.code
    app.config["OVERUSE_THRESHOLD_DAYS"] = 5
    yield {"email": email, "code": code}
    app.config["OVERUSE_THRESHOLD_DAYS"] = saved


def test_api_returns_busy_municipalities_under_the_configured_threshold(app, client, busy_now):
    data = client.get("/api/overuse").get_json()
    feature = next(f for f in data["features"] if f["properties"]["code"] == busy_now["code"])
    assert feature["properties"]["days"] == 5 and feature["properties"]["threshold"] == 5
    assert feature["properties"]["window_days"] == 90 and feature["properties"]["name_ja"] == "丸亀市"
    assert feature["geometry"]["type"] == "Point"
    app.config["OVERUSE_THRESHOLD_DAYS"] = 6
    assert all(f["properties"]["code"] != busy_now["code"] for f in client.get("/api/overuse").get_json()["features"])


def test_workspace_and_map_show_busy_areas(client, busy_now):
    login(client, busy_now["email"])
    index = client.get("/commission/?lang=en").get_data(as_text=True)
    assert f'data-municipality="{busy_now["code"]}"' in index
    page = client.get("/map").get_data(as_text=True)
    assert "/api/overuse" in page and 'id="busy-legend"' in page
