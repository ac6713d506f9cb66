"""Who may change shoot reports: every report route × role × own/other commission's report."""
from datetime import date

import pytest
from sqlalchemy import select

from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.reports.models import ShootReport
from tests.builders import commission, make_report, signed_in
from tests.core.test_authorization import ROLES, expected, outcome

# endpoint → (roles allowed, whether the route acts on an FC-owned entity)
RULES = {
    "reports.new_shoot_report": ({"fc_staff"}, False),
    "reports.edit_shoot_report": ({"fc_staff"}, True),
    "reports.delete_shoot_report": ({"fc_staff"}, True),
}
CASES = [(e, r, o) for e in sorted(RULES) for r in ROLES for o in (("own", "other") if RULES[e][1] else ("own",))]


@pytest.fixture
def world(app):
    """A report of the staff's own FC (Kagawa, the builders' default) and one of another FC (Sapporo)."""
    with app.app_context():
        made = {key: make_report(commission(slug), date(2010, 5, 1)).id
                for key, slug in (("own", "kagawa-film-commission"), ("other", "sapporo-film-commission"))}
        db.session.commit()
    return made


def url(endpoint: str, world: dict, ownership: str) -> str:
    path = "/commission/shoot-reports"
    if endpoint == "reports.new_shoot_report":
        return f"{path}/new"
    action = endpoint.rsplit("_", 2)[0].split(".")[1]  # edit | delete
    return f"{path}/{world[ownership]}/{action}"


@pytest.mark.parametrize("endpoint, role, ownership", CASES)
def test_report_routes_by_role_and_ownership(app, world, endpoint, role, ownership):
    client = signed_in(app, role=role)
    response = client.post(url(endpoint, world, ownership), data={})
    assert outcome(response) == expected(endpoint, role, ownership, RULES), (endpoint, role, ownership, response.status_code)
    with app.app_context():
        # Whatever the outcome, the other commission's report is untouched.
        assert db.session.get(ShootReport, world["other"]).version == 1


def test_reaching_for_another_commissions_report_is_logged(app, world):
    client = signed_in(app, role="fc_staff")
    client.post(url("reports.delete_shoot_report", world, "other"))
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "denied")
                                  .order_by(AuditEvent.id.desc()))
        assert event.entity_type == "shoot_report" and event.entity_id == world["other"]
