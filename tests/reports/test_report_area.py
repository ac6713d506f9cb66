"""A film commission files shoot reports for its own prefecture only, so each prefecture's public figures
come from that prefecture's FCs (review finding 21.21: Kagawa FC staff could file Tokyo's figures)."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from locations.core.extensions import db
from locations.reports.models import ShootReport
from tests.builders import TITLE_PREFIX, commission, login, make_report, make_user, municipality, prefecture


@pytest.fixture
def kagawa_staff(app, client):
    with app.app_context():
        email = make_user("fc_staff").email
        db.session.commit()
    login(client, email)
    return client


def report_form(prefecture_id: int, municipality_id, **changes) -> dict:
    data = {"version": "0", "production_title": f"{TITLE_PREFIX}area", "production_type": "tv_drama",
            "origin": "domestic", "origin_country": "", "prefecture_id": str(prefecture_id),
            "municipality_id": str(municipality_id or ""), "first_day": "2012-05-01", "last_day": "2012-05-02",
            "shoot_days": "2", "crew_size": "10", "notes": ""}
    data.update(changes)
    return data


def ids(app):
    with app.app_context():
        return (prefecture("37").id, municipality("高松市", "37").id, prefecture("13").id,
                municipality("新宿区", "13").id)


def saved_titles(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ShootReport).where(
            ShootReport.production_title == f"{TITLE_PREFIX}area"))


def test_the_form_offers_only_the_commissions_prefecture(kagawa_staff):
    html = kagawa_staff.get("/commission/shoot-reports/new?lang=en").get_data(as_text=True)
    select_box = re.search(r'<select[^>]*id="prefecture_id"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select_box) == ["Kagawa"]


@pytest.mark.parametrize("where", ["tokyo", "tokyo-prefecture-kagawa-town", "kagawa-prefecture-tokyo-town"])
def test_a_report_for_another_prefecture_is_refused_with_a_reason(app, kagawa_staff, where):
    kagawa, takamatsu, tokyo, shinjuku = ids(app)
    chosen = {"tokyo": (tokyo, shinjuku), "tokyo-prefecture-kagawa-town": (tokyo, takamatsu),
              "kagawa-prefecture-tokyo-town": (kagawa, shinjuku)}[where]
    response = kagawa_staff.post("/commission/shoot-reports/new?lang=en", data=report_form(*chosen))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = "prefecture_id" if chosen[0] == tokyo else "municipality_id"
    assert re.search(rf'has-error">\s*<label for="{field}"', html)
    if field == "prefecture_id":
        assert "reports the shoots in its own prefecture (Kagawa)" in html
    assert saved_titles(app) == 0


def test_a_report_for_the_commissions_prefecture_is_saved(app, kagawa_staff):
    kagawa, takamatsu, _, _ = ids(app)
    assert kagawa_staff.post("/commission/shoot-reports/new", data=report_form(kagawa, takamatsu)).status_code == 302
    assert kagawa_staff.post("/commission/shoot-reports/new",
                             data=report_form(kagawa, None, production_title=f"{TITLE_PREFIX}area")).status_code == 302
    assert saved_titles(app) == 2


def test_an_older_report_outside_the_area_must_move_home_to_be_saved(app, kagawa_staff):
    kagawa, takamatsu, tokyo, shinjuku = ids(app)
    with app.app_context():
        report = make_report(commission("kagawa-film-commission"), date(2012, 5, 1), shoot_days=2,
                             prefecture_id=tokyo, municipality_id=shinjuku, production_title=f"{TITLE_PREFIX}area")
        db.session.commit()
        report_id = report.id
    url = f"/commission/shoot-reports/{report_id}/edit?lang=en"
    html = kagawa_staff.get(url).get_data(as_text=True)
    assert re.search(r'<option selected value="%d">Tokyo</option>' % tokyo, html)
    assert kagawa_staff.post(url, data=report_form(tokyo, shinjuku, version="1")).status_code == 400
    assert kagawa_staff.post(url, data=report_form(kagawa, takamatsu, version="1")).status_code == 302
    with app.app_context():
        assert db.session.get(ShootReport, report_id).prefecture_id == kagawa
