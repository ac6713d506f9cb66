"""One copy of each vocabulary and limit: the production form and the shoot report form name production
types and origins alike (they had drifted apart), and yen amounts have one ceiling."""
from flask_babel import force_locale

from locations.cases import labels as case_labels
from locations.cases.forms import ProductionForm
from locations.core.extensions import db
from locations.core.limits import MAX_YEN
from locations.reports.forms import ShootReportForm
from tests.builders import login, make_user


def labels(form_class, field: str) -> dict:
    with force_locale("en"):
        form = form_class(meta={"csrf": False})
        return {choice.value: str(choice.label) for choice in form[field].choices}


def test_both_forms_offer_the_same_types_and_origins(request_context):
    for field in ("production_type", "origin"):
        assert labels(ProductionForm, field) == labels(ShootReportForm, field)
    with force_locale("en"):
        assert str(case_labels.PRODUCTION_TYPE_LABELS["animation_reference"]) == "Animation (reference shooting)"
        assert str(case_labels.ORIGIN_LABELS["co_production"]) == "Co-production"


def test_yen_amounts_share_one_ceiling(app, client):
    """A shoot report took at most 10^12 yen while the APIs took 10^13: now both take 10^13."""
    with app.app_context():
        staff = make_user("fc_staff")
        db.session.commit()
        email, prefecture_id = staff.email, staff.commission.prefecture_id
    fc = app.test_client()
    login(fc, email)
    report = {"version": "0", "production_title": "Ceiling test", "production_type": "tv_drama",
              "origin": "domestic", "prefecture_id": str(prefecture_id), "first_day": "2020-05-01", "last_day": "2020-05-02", "shoot_days": "2",
              "crew_size": "5", "notes": "yen-ceiling", "spend_lodging_jpy": f"{5 * 10 ** 12:,}"}
    assert fc.post("/commission/shoot-reports/new", data=report).status_code == 302
    too_much = {**report, "spend_lodging_jpy": str(MAX_YEN + 1)}
    assert fc.post("/commission/shoot-reports/new?lang=en", data=too_much).status_code == 400
    answer = client.post("/api/incentive-estimate", json={
        "total_budget_jpy": MAX_YEN + 1, "japan_spend_jpy": 1, "release_countries": 1})
    assert answer.status_code == 400 and f"total_budget_jpy: must be at most {MAX_YEN}" in answer.get_json()["errors"]
