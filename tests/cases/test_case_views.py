"""Productions, shoots and their permit steps through the browser-facing views."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from locations.accounts.models import Notification, User
from locations.cases.models import PermitStep, Production, Shoot, StepNote
from locations.cases.workflow import engine_shoot
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.library.models import Location
from locations.permits import engine as permits
from tests.builders import login, make_production, make_shoot, make_step, make_user

FUTURE = today_jst() + timedelta(days=90)


def production_form(**overrides):
    form = {"version": "0", "title": "港の記憶", "company": "Example Films", "contact_name": "Ada Example",
            "contact_email": "ada@example.com", "origin": "domestic", "production_type": "feature_film",
            "languages": "ja, en"}
    form.update(overrides)
    return form


def shoot_form(**overrides):
    form = {"name": "Harbour chase", "where": "address", "address": "高松市", "start_date": FUTURE.isoformat(),
            "end_date": (FUTURE + timedelta(days=1)).isoformat(), "activities": ["drone", "road_closure"]}
    form.update(overrides)
    return form


def kagawa_fc_id(app):
    with app.app_context():
        from tests.builders import commission

        return commission().id


def create_production(app, client, **overrides) -> int:
    response = client.post("/productions/new", data=production_form(commissions=[str(kagawa_fc_id(app))],
                                                                     **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_producer_creates_a_production_and_lists_it(app, people, lang):
    client = people["clients"]["producer"]
    assert client.get(f"/productions/new?lang={lang}").status_code == 200
    production_id = create_production(app, client)
    html = client.get(f"/productions/?lang={lang}").get_data(as_text=True)
    assert "港の記憶" in html
    page = client.get(f"/productions/{production_id}?lang={lang}").get_data(as_text=True)
    assert "Example Films" in page and ("香川" in page or "Kagawa" in page)
    # The FC involved sees it; another producer neither lists nor opens it.
    assert "港の記憶" in people["clients"]["fc_staff"].get("/productions/").get_data(as_text=True)
    assert "港の記憶" not in people["clients"]["other_producer"].get("/productions/").get_data(as_text=True)
    assert people["clients"]["other_producer"].get(f"/productions/{production_id}").status_code == 404
    with app.app_context():
        production = db.session.get(Production, production_id)
        assert len(production.calendar_token) >= 40 and production.owner_id == people["ids"]["producer"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "production",
                                                           AuditEvent.entity_id == production_id)
                                  .order_by(AuditEvent.id))
        assert event.action == "create" and "港の記憶" in event.changes


def test_production_form_errors_are_shown_not_500(app, people):
    client = people["clients"]["producer"]
    response = client.post("/productions/new?lang=en", data=production_form(title="", contact_email="nope"))
    assert response.status_code == 400 and "This field is required." in response.get_data(as_text=True)
    response = client.post("/productions/new?lang=en", data=production_form(origin="foreign"))
    assert response.status_code == 400
    assert "Say which country the production comes from." in response.get_data(as_text=True)
    assert client.post("/productions/new", data=production_form(origin="martian")).status_code == 400
    assert client.post("/productions/new", data=production_form(commissions=["999999"])).status_code == 400


def test_edit_production_and_stale_version_conflict(app, people):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    with app.app_context():
        version = db.session.get(Production, production_id).version
    fc = str(kagawa_fc_id(app))
    ok = client.post(f"/productions/{production_id}/edit", data=production_form(
        version=str(version), title="Harbour Memory", commissions=[fc]))
    assert ok.status_code == 302
    stale = client.post(f"/productions/{production_id}/edit?lang=en", data=production_form(
        version=str(version), title="Old title again", commissions=[fc]))
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Harbour Memory" in html and "Old title again" in html
    with app.app_context():
        production = db.session.get(Production, production_id)
        assert production.title == "Harbour Memory" and production.version == version + 1
        changes = db.session.scalars(select(AuditEvent.changes).where(
            AuditEvent.entity_type == "production", AuditEvent.entity_id == production_id,
            AuditEvent.action == "update")).all()
        assert len(changes) == 1 and json.loads(changes[0])["title"] == ["港の記憶", "Harbour Memory"]
    # Only the owner edits.
    assert people["clients"]["other_producer"].get(f"/productions/{production_id}/edit").status_code == 404
    assert people["clients"]["fc_staff"].get(f"/productions/{production_id}/edit").status_code == 403


def test_drone_and_road_closure_in_takamatsu_become_steps_as_the_engine_plans(app, people):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    response = client.post(f"/productions/{production_id}/shoots/new", data=shoot_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        shoot = db.session.scalar(select(Shoot).where(Shoot.production_id == production_id))
        assert shoot.municipality.name_ja == "高松市"
        plan = permits.plan_permits(engine_shoot(shoot), permits.load_rules(db.session), today_jst(), "en")
        steps = {s.permit_type.code: s for s in shoot.steps}
        assert set(steps) == {p.code for p in plan.permits} >= {"DRONE_FLIGHT", "ROAD_USE", "ROAD_OCCUPANCY"}
        for p in plan.permits:
            step = steps[p.code]
            assert step.due_date == p.latest_filing_date and step.lead_business_days == p.lead_business_days
            assert step.authority_id == (p.authority.authority.id if p.authority else None)
            assert [r["en"] for r in json.loads(step.reasons)] == list(p.reasons)
            assert all(r["ja"] for r in json.loads(step.reasons))
        # Only the local station grants it: an OpenStreetMap 警察署 (a candidate), whose parent HQ's officers
        # act for it until it is confirmed.
        road = steps["ROAD_USE"].authority
        assert road.kind.code == "police_station" and road.is_candidate and road.parent.code == "police-hq-37"
        assert steps["DRONE_FLIGHT"].authority.code == "cab-osaka"
        # One save, one notification per person (issue 14: it was one per step, 14 for one save): none for the
        # producer who saved, a digest of every step for FC staff, the officer's own single step.
        officer = people["ids"]["authority"]
        notes = db.session.scalars(select(Notification).where(
            Notification.kind.in_(("step_created", "steps_created")))).all()
        by_user = {}
        for n in notes:
            by_user.setdefault(n.user_id, []).append((n.kind, json.loads(n.params)))
        assert people["ids"]["producer"] not in by_user
        [(kind, digest)] = by_user[people["ids"]["fc_staff"]]
        assert kind == "steps_created" and digest["count"] == len(steps) > 1
        assert {p["en"] for p in digest["permits"]} == {s.permit_type.name_en for s in steps.values()}
        assert digest["due"] == min(s.due_date for s in steps.values()).isoformat()
        [(kind, single)] = by_user[officer]
        assert kind == "step_created" and single["permit_en"] == steps["ROAD_USE"].permit_type.name_en
        assert single["due"] == steps["ROAD_USE"].due_date.isoformat()
        assert single["shoot"] == "Harbour chase"
    page = client.get(f"/productions/{production_id}?lang=en").get_data(as_text=True)
    assert "高松北警察署" in page and "Osaka Regional Civil Aviation Bureau" in page


def test_steps_follow_the_shoot_when_it_changes(app, people):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    client.post(f"/productions/{production_id}/shoots/new", data=shoot_form())
    with app.app_context():
        shoot = db.session.scalar(select(Shoot).where(Shoot.production_id == production_id))
        shoot_id = shoot.id
        road = next(s for s in shoot.steps if s.permit_type.code == "ROAD_USE")
        drone = next(s for s in shoot.steps if s.permit_type.code == "DRONE_FLIGHT")
        road.status, drone.status = "submitted", "consulted"
        db.session.commit()
        road_id, drone_id = road.id, drone.id
    # Changing only the notes changes nothing the authorities look at: no note on the steps under way.
    client.post(f"/productions/{production_id}/shoots/{shoot_id}/edit", data=shoot_form(notes="bring tea"))
    with app.app_context():
        assert db.session.get(PermitStep, road_id).notes == []
        occupancy = db.session.scalar(select(PermitStep).where(PermitStep.shoot_id == shoot_id,
                                                               PermitStep.status == "not_started"))
        occupancy_id, first_due = occupancy.id, occupancy.due_date
    # A later date moves the due dates of the steps not started yet.
    later = FUTURE + timedelta(days=14)
    client.post(f"/productions/{production_id}/shoots/{shoot_id}/edit",
                data=shoot_form(start_date=later.isoformat(), end_date=later.isoformat()))
    with app.app_context():
        moved = db.session.get(PermitStep, occupancy_id)
        assert moved.due_date > first_due and moved.notes == []
        assert [n.body for n in db.session.get(PermitStep, road_id).notes] == ["system:shoot_changed"]
    # Without the road closure and the drone: ROAD_OCCUPANCY (not started) goes, ROAD_USE (submitted) stays
    # with a note that the shoot changed, DRONE_FLIGHT (consulted) stays with a note that it is not needed.
    response = client.post(f"/productions/{production_id}/shoots/{shoot_id}/edit",
                           data=shoot_form(activities=["road_filming"], start_date=(FUTURE + timedelta(days=7))
                                           .isoformat(), end_date=(FUTURE + timedelta(days=7)).isoformat()))
    assert response.status_code == 302
    with app.app_context():
        codes = {s.permit_type.code for s in db.session.scalars(select(PermitStep).where(
            PermitStep.shoot_id == shoot_id))}
        assert codes == {"ROAD_USE", "DRONE_FLIGHT"}  # the drone step had progressed, so it stays
        kept = db.session.get(PermitStep, road_id)
        assert kept.status == "submitted"
        assert [n.body for n in kept.notes] == ["system:shoot_changed"] * 2
        assert [n.body for n in db.session.get(PermitStep, drone_id).notes] == [
            "system:shoot_changed", "system:no_longer_required"]
    html = client.get(f"/productions/{production_id}/steps/{road_id}?lang=en").get_data(as_text=True)
    assert "The shoot was changed after this step had started" in html


@pytest.mark.parametrize("overrides, message", [
    ({"end_date": (FUTURE - timedelta(days=1)).isoformat()}, "The last shooting day is before the first."),
    ({"address": "Atlantis"}, "No place called “Atlantis” was found."),
    ({"address": ""}, "Give an address or place name."),
    ({"where": "point", "lat": "", "lon": ""}, "Click the map or give both latitude and longitude."),
    ({"where": "point", "lat": "45.9", "lon": "122.1"}, "This point is not in Japan."),
    ({"where": "library", "location": "no-such-place"}, "No published library location is called “no-such-place”."),
    ({"start_date": "soon"}, "Not a valid date value."),
    ({"crew_size": "-3"}, "Number must be between 1 and 10000."),
    ({"activities": ["teleport"]}, "is not a valid choice"),
])
def test_bad_shoot_input_gives_form_errors(app, people, overrides, message):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    response = client.post(f"/productions/{production_id}/shoots/new?lang=en", data=shoot_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_past_dates_are_saved_with_a_warning(app, people):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    past = today_jst() - timedelta(days=30)
    response = client.post(f"/productions/{production_id}/shoots/new?lang=en", follow_redirects=True,
                           data=shoot_form(start_date=past.isoformat(), end_date=past.isoformat()))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f"the start date {past.isoformat()} is in the past" in html
    assert "overdue" in html


def test_a_shoot_at_a_library_location(app, people):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    with app.app_context():
        location = db.session.scalar(select(Location).where(Location.name_ja.like("%栗林公園%"),
                                                            Location.status == "published"))
        slug, codes = location.slug, location.permit_codes or [
            c.strip() for c in (location.category.typical_permits or "").split(";") if c.strip()]
    assert codes, "the test needs a location with usual permits"
    chooser = client.get(f"/productions/shoot-here?location={slug}")
    assert chooser.status_code == 200 and "港の記憶" in chooser.get_data(as_text=True)
    jump = client.get(f"/productions/shoot-here?location={slug}&production={production_id}")
    assert jump.headers["Location"].endswith(f"/productions/{production_id}/shoots/new?location={slug}")
    form = client.get(jump.headers["Location"]).get_data(as_text=True)
    assert f'value="{slug}"' in form and re.search(r'<input checked[^>]*value="library"', form)
    assert f'data-slug="{slug}"' in form  # suggested: a location of the production's FC (Kagawa)
    assert client.get(f"/productions/shoot-here?location={slug}&production=999999").status_code == 404
    # A producer without a production creates one first and goes on to the shoot at this location.
    newcomer = people["clients"]["other_producer"]
    assert f"/productions/new?location={slug}" in newcomer.get(f"/productions/shoot-here?location={slug}").get_data(
        as_text=True)
    created = newcomer.post(f"/productions/new?location={slug}", data=production_form(title="Garden Film"))
    assert created.headers["Location"].endswith(f"/shoots/new?location={slug}")
    assert client.get("/productions/shoot-here?location=nowhere").status_code == 404
    response = client.post(f"/productions/{production_id}/shoots/new",
                           data=shoot_form(where="library", location=slug, activities=[]))
    assert response.status_code == 302
    with app.app_context():
        shoot = db.session.scalar(select(Shoot).where(Shoot.production_id == production_id))
        assert shoot.location.slug == slug and shoot.municipality.name_ja == "高松市"
        assert {s.permit_type.code for s in shoot.steps} == set(codes)


def test_a_library_location_is_entered_by_its_name(app, people):
    """The review's defect 1.3: typing the place's name was refused; only its slug worked."""
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    with app.app_context():
        location = db.session.scalar(select(Location).where(Location.name_ja.like("%栗林公園%"),
                                                            Location.status == "published").order_by(Location.id))
        slug, name = location.slug, location.name_ja
    url = f"/productions/{production_id}/shoots/new?lang=en"
    form = client.get(url).get_data(as_text=True)
    label = re.search(rf'<option value="([^"]*)" data-slug="{slug}"', form).group(1)
    assert label.startswith(name) and ("高松市" in label or "Takamatsu" in label)
    for typed, picked in ((name, ""), (label, ""), (label, slug)):
        response = client.post(url, data=shoot_form(where="library", location=typed, location_slug=picked,
                                                     activities=[]))
        assert response.status_code == 302, (typed, picked)
        with app.app_context():
            shoot = db.session.scalars(select(Shoot).where(Shoot.production_id == production_id)
                                       .order_by(Shoot.id.desc())).first()
            assert shoot.location.slug == slug
            shoot_id = shoot.id
    # The edit form shows the name, not the slug, and says which place was chosen.
    edit = client.get(f"/productions/{production_id}/shoots/{shoot_id}/edit?lang=en").get_data(as_text=True)
    assert f'value="{label}"' in edit and "Chosen:" in edit
    # Part of a name that several places share: the form lists them instead of guessing.
    page = client.post(url, data=shoot_form(where="library", location="公園", activities=[])).get_data(as_text=True)
    assert "Several places match “公園”" in page


def test_a_step_without_authority_points_to_the_fc(app, people):
    client = people["clients"]["producer"]
    with app.app_context():
        production = make_production(db.session.get(User, people["ids"]["producer"]))
        step = make_step(make_shoot(production), "ROAD_OCCUPANCY", authority_code=None)
        db.session.commit()
        url = f"/productions/{production.id}/steps/{step.id}?lang=en"
    html = client.get(url).get_data(as_text=True)
    assert "No authority of this kind on record — ask the FC" in html and "/commissions/kagawa-film-commission" in html


def test_deleting_a_shoot_nobody_acted_on_removes_its_steps_and_tells_the_officers(app, people):
    client = people["clients"]["producer"]
    with app.app_context():
        production = make_production(db.session.get(User, people["ids"]["producer"]))
        shoot = make_shoot(production)
        step = make_step(shoot)
        db.session.commit()
        production_id, shoot_id, step_id = production.id, shoot.id, step.id
    assert people["clients"]["other_producer"].post(
        f"/productions/{production_id}/shoots/{shoot_id}/delete").status_code == 404
    page = client.get(f"/productions/{production_id}/shoots/{shoot_id}/remove?lang=en").get_data(as_text=True)
    assert "Delete the shoot and its permit steps" in page and "Withdraw the shoot" not in page
    assert client.post(f"/productions/{production_id}/shoots/{shoot_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Shoot, shoot_id) is None and db.session.get(PermitStep, step_id) is None
        told = db.session.scalars(select(Notification.kind).where(
            Notification.user_id == people["ids"]["authority"])).all()
        assert "shoot_deleted" in told


def test_a_shoot_with_a_decided_step_cannot_be_deleted_only_withdrawn(app, people):
    """The review's defect 1.1: one click erased a police approval with conditions, and nobody was told."""
    client = people["clients"]["producer"]
    with app.app_context():
        production = make_production(db.session.get(User, people["ids"]["producer"]))
        shoot = make_shoot(production)
        decided = make_step(shoot, status="approved_with_conditions", conditions="Two guards at the crossing")
        db.session.add(StepNote(step=decided, author_id=people["ids"]["authority"], from_status="submitted",
                                to_status="approved_with_conditions", body="ok"))
        open_step = make_step(shoot, "DRONE_FLIGHT", "cab-osaka")
        db.session.commit()
        production_id, shoot_id, decided_id, open_id = production.id, shoot.id, decided.id, open_step.id
    base = f"/productions/{production_id}/shoots/{shoot_id}"
    assert client.post(f"{base}/delete").status_code == 302  # refused: back to the confirmation page
    page = client.get(f"{base}/remove?lang=en").get_data(as_text=True)
    assert "Withdraw the shoot" in page and "Delete the shoot and its permit steps" not in page
    assert "Two guards at the crossing" in page
    assert client.post(f"{base}/withdraw", data={"reason": "The scene was cut"}).status_code == 302
    with app.app_context():
        shoot = db.session.get(Shoot, shoot_id)
        assert shoot is not None and shoot.withdrawn_at is not None and shoot.withdrawn_reason == "The scene was cut"
        decided = db.session.get(PermitStep, decided_id)
        assert decided.status == "withdrawn" and decided.conditions == "Two guards at the crossing"
        # The decision stays in the step's history.
        assert [(n.from_status, n.to_status) for n in decided.notes] == [
            ("submitted", "approved_with_conditions"), ("approved_with_conditions", "withdrawn")]
        assert db.session.get(PermitStep, open_id).status == "withdrawn"
        kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
        assert (people["ids"]["authority"], "shoot_withdrawn") in kinds
        assert (people["ids"]["fc_staff"], "shoot_withdrawn") in kinds
        assert (people["ids"]["producer"], "shoot_withdrawn") not in kinds  # they did it
    # Nobody can move a withdrawn step, the shoot can no longer be edited, and the officer still sees it.
    officer = people["clients"]["authority"]
    assert officer.post(f"/productions/{production_id}/steps/{decided_id}/status",
                        data={"status": "approved", "note": "x", "version": "3"}).status_code in (400, 409)
    assert client.get(f"{base}/edit").status_code == 302
    queue = officer.get("/authority/?lang=en&show=decided").get_data(as_text=True)
    assert "Withdrawn" in queue
    assert client.post(f"{base}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Shoot, shoot_id) is not None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_case_and_shoot_pages_in_both_languages_and_for_each_role(app, people, lang):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    assert client.post(f"/productions/{production_id}/shoots/new",
                       data=shoot_form(crew_size="12", start_time="07:30", end_time="18:00")).status_code == 302
    with app.app_context():
        shoot = db.session.scalar(select(Shoot).where(Shoot.production_id == production_id))
        shoot_id, road_id = shoot.id, next(s.id for s in shoot.steps if s.permit_type.code == "ROAD_USE")
    page = client.get(f"/productions/{production_id}?lang={lang}").get_data(as_text=True)
    assert "07:30–18:00" in page and ("12" in page) and "Harbour chase" in page
    edit = client.get(f"/productions/{production_id}/shoots/{shoot_id}/edit?lang={lang}")
    assert edit.status_code == 200 and 'value="高松市"' in edit.get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="drone"', edit.get_data(as_text=True))
    assert not re.search(r'<input checked[^>]*value="smoke_flame"', edit.get_data(as_text=True))
    # The officer of the addressed authority lists the production and opens its case with only their step.
    officer = people["clients"]["authority"]
    assert "港の記憶" in officer.get(f"/productions/?lang={lang}").get_data(as_text=True)
    case_html = officer.get(f"/productions/{production_id}?lang={lang}").get_data(as_text=True)
    assert f"/steps/{road_id}" in case_html and case_html.count("/steps/") == 1
    admin = app.test_client()
    with app.app_context():
        email = make_user("admin").email
        db.session.commit()
    login(admin, email)
    assert "港の記憶" in admin.get(f"/productions/?lang={lang}").get_data(as_text=True)
    assert admin.get(f"/productions/{production_id}/steps/{road_id}?lang={lang}").status_code == 200
    assert admin.get("/productions/new").status_code == 403


def test_unknown_and_impossible_ids_are_404(app, people):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    huge = "9" * 25
    for url in (f"/productions/{huge}", f"/productions/{production_id}/steps/{huge}",
                f"/productions/{production_id}/shoots/{huge}/edit", "/productions/999999",
                "/productions/shoot-here?location=nowhere"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/productions/{production_id}/checklist/{huge}", data={"done": "1"}).status_code == 404
    assert client.post(f"/productions/{production_id}/shoots/{huge}/delete").status_code == 404


def test_case_page_links_to_its_outputs(app, people):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    client.post(f"/productions/{production_id}/shoots/new", data=shoot_form())
    page = client.get(f"/productions/{production_id}?lang=en").get_data(as_text=True)
    assert f"/productions/{production_id}/timeline" in page and f"/productions/{production_id}/map" in page
    with app.app_context():
        authority_ids = set(db.session.scalars(select(PermitStep.authority_id).where(
            PermitStep.production_id == production_id, PermitStep.authority_id.is_not(None))))
    assert authority_ids
    for authority_id in authority_ids:
        assert f"/productions/{production_id}/packet/{authority_id}" in page


def test_answers_are_stored_with_the_shoot_and_the_steps_follow(app, people):
    """Issue 13 §2: a changed answer updates the case (steps added, removed, their requirement)."""
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    client.post(f"/productions/{production_id}/shoots/new", data=shoot_form(activities=["generator_fuel"]))
    with app.app_context():
        shoot = db.session.scalar(select(Shoot).where(Shoot.production_id == production_id))
        shoot_id = shoot.id
        steps = {s.permit_type.code: s.requirement for s in shoot.steps}
    assert steps == {"FUEL_SMALL_QTY": "to_confirm", "HAZMAT_TEMP": "to_confirm"}
    page = client.get(f"/productions/{production_id}?lang=en").get_data(as_text=True)
    assert 'data-question="fuel_gasoline_l"' in page and "How many litres of gasoline" in page
    url = f"/productions/{production_id}/shoots/{shoot_id}/answers"
    assert client.post(url, data={"q_fuel_gasoline_l": "100", "q_fuel_diesel_l": "0"}).status_code == 302
    with app.app_context():
        shoot = db.session.get(Shoot, shoot_id)
        assert json.loads(shoot.answers) == {"fuel_diesel_l": "0", "fuel_gasoline_l": "100"}
        assert {s.permit_type.code: s.requirement for s in shoot.steps} == {"FUEL_SMALL_QTY": "needed"}
    client.post(url, data={"q_fuel_gasoline_l": "300", "q_fuel_diesel_l": "0"})
    with app.app_context():
        assert {s.permit_type.code for s in db.session.get(Shoot, shoot_id).steps} == {"HAZMAT_TEMP"}
    # Someone else's shoot: not found.
    other = people["clients"]["fc_staff"]
    assert other.post(url, data={"q_fuel_gasoline_l": "1"}).status_code in (403, 404)
