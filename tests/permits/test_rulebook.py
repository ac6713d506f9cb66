"""The rule book is read once per process and read again when its reference data changes."""
import sqlalchemy as sa

from locations.core import versions
from locations.core.extensions import db
from locations.permits import rulebook
from locations.permits.engine import load_rules
from locations.permits.models import AuthorityKind, PermitAuthority, PermitType

TAKAMATSU = {"lat": 34.3428, "lon": 134.0465}
BODY = {"location": TAKAMATSU, "start_date": "2027-05-10", "end_date": "2027-05-14", "activities": ["smoke_flame"]}


def count_statements(app, action):
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


def codes(rules):
    return {a.code for group in rules.authorities.values() for a in group}


def test_a_plan_soon_after_another_reads_nothing(app, client):
    assert client.post("/api/permit-plan", json=BODY).status_code == 200
    statements = count_statements(app, lambda: client.post("/api/permit-plan", json=BODY))
    # The municipality and prefecture of the point come from the rule book's copy as well.
    assert [s for s in statements if s != "BEGIN"] == [], statements


def test_once_the_recheck_time_has_passed_a_plan_reads_only_the_stamp(app, client, monkeypatch):
    assert client.post("/api/permit-plan", json=BODY).status_code == 200
    monkeypatch.setattr(versions, "RECHECK_SECONDS", 0.0)
    statements = count_statements(app, lambda: client.post("/api/permit-plan", json=BODY))
    read = [s for s in statements if s != "BEGIN"]
    assert len(read) == 1 and "data_version" in read[0], statements


def _lead_days_written_elsewhere(app, days: int) -> None:
    """What another process's commit looks like from here: the rows and the stamp change, and none of this
    process's sessions sees it happen."""
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.update(PermitType).where(PermitType.code == "FIRE_SMOKE_NOTICE")
                         .values(lead_business_days=days))
            versions.bump(conn, rulebook.STAMP)


def test_another_process_change_is_seen_when_the_stamp_is_read_again(app, client, monkeypatch):
    def fire_lead_days():
        permits = client.post("/api/permit-plan", json=BODY).get_json()["permits"]
        return {p["permit_type"]: p for p in permits}["FIRE_SMOKE_NOTICE"]["lead_business_days"]

    assert fire_lead_days() == 3
    _lead_days_written_elsewhere(app, 9)
    try:
        assert fire_lead_days() == 3  # within the second: this process's copy
        monkeypatch.setattr(versions, "RECHECK_SECONDS", 0.0)
        assert fire_lead_days() == 9
    finally:
        _lead_days_written_elsewhere(app, 3)
    assert fire_lead_days() == 3


def test_a_rolled_back_change_is_never_planned_from(app, client):
    assert client.post("/api/permit-plan", json=BODY).status_code == 200
    with app.app_context():
        db.session.scalar(sa.select(PermitType).filter_by(code="FIRE_SMOKE_NOTICE")).lead_business_days = 9
        db.session.flush()
        assert rulebook.cached_rules(db.session).permits["FIRE_SMOKE_NOTICE"].lead_business_days == 9
        db.session.rollback()
    permits = client.post("/api/permit-plan", json=BODY).get_json()["permits"]
    assert {p["permit_type"]: p for p in permits}["FIRE_SMOKE_NOTICE"]["lead_business_days"] == 3


def test_a_renamed_municipality_is_seen_at_the_next_plan(app, client):
    from locations.directory.models import Municipality
    from tests.builders import committed_change

    assert client.post("/api/permit-plan", json=BODY).get_json()["location"]["municipality"] == "37201"
    with committed_change(app, Municipality, {"code": "37201"}, name_romaji="Takamatsu-renamed"):
        answer = client.post("/api/permit-plan", json=BODY | {"activities": ["public_facility"], "lang": "en"}).get_json()
        assert "Takamatsu-renamed" in str(answer), answer


def test_cached_rules_equal_a_fresh_load(app_context):
    assert rulebook.cached_rules(db.session) == load_rules(db.session)
    assert rulebook.cached_rules(db.session) is rulebook.cached_rules(db.session)


def test_a_change_in_this_process_is_seen_at_the_next_plan(app, client):
    before = client.post("/api/permit-plan", json=BODY).get_json()
    fire = {p["permit_type"]: p for p in before["permits"]}["FIRE_SMOKE_NOTICE"]
    assert fire["lead_business_days"] == 3
    with app.app_context():
        stamp = versions.current(db.session, rulebook.STAMP)
        db.session.scalar(sa.select(PermitType).filter_by(code="FIRE_SMOKE_NOTICE")).lead_business_days = 9
        db.session.commit()
        assert versions.current(db.session, rulebook.STAMP) == stamp + 1
    try:
        after = client.post("/api/permit-plan", json=BODY).get_json()
        assert {p["permit_type"]: p for p in after["permits"]}["FIRE_SMOKE_NOTICE"]["lead_business_days"] == 9
    finally:
        with app.app_context():
            db.session.scalar(sa.select(PermitType).filter_by(code="FIRE_SMOKE_NOTICE")).lead_business_days = 3
            db.session.commit()
    with app.app_context():
        assert versions.current(db.session, rulebook.STAMP) == stamp + 2


def test_new_authority_and_bulk_statements_raise_the_stamp(app_context):
    stamp = versions.current(db.session, rulebook.STAMP)
    kind = db.session.scalar(sa.select(AuthorityKind).filter_by(code="fire_department"))
    db.session.add(PermitAuthority(code="TEST-FIRE", kind=kind, name_ja="試験消防", name_en="Test fire", lat=34.3,
                                   lon=134.0, source="test"))
    db.session.flush()
    assert versions.current(db.session, rulebook.STAMP) == stamp + 1
    assert "TEST-FIRE" in codes(rulebook.cached_rules(db.session))
    db.session.execute(sa.delete(PermitAuthority).where(PermitAuthority.code == "TEST-FIRE"))
    assert versions.current(db.session, rulebook.STAMP) == stamp + 2
    assert "TEST-FIRE" not in codes(rulebook.cached_rules(db.session))
    db.session.rollback()
    assert versions.current(db.session, rulebook.STAMP) == stamp


def test_unrelated_writes_leave_the_stamp(app_context):
    from tests.builders import make_commission

    stamp = versions.current(db.session, rulebook.STAMP)
    make_commission()
    db.session.flush()
    assert versions.current(db.session, rulebook.STAMP) == stamp
    db.session.rollback()


def test_each_server_process_builds_the_rule_book_before_its_first_request(app, client):
    import runpy
    from types import SimpleNamespace

    settings = runpy.run_path("gunicorn.conf.py")
    app.extensions.pop("permit_rules", None)
    settings["post_worker_init"](SimpleNamespace(wsgi=app))
    assert "permit_rules" in app.extensions
    statements = count_statements(app, lambda: client.post("/api/permit-plan", json=BODY))
    assert not any("FROM permit_type" in s for s in statements), statements


def test_a_database_that_does_not_answer_leaves_the_rules_to_the_first_request(app, monkeypatch, caplog):
    def unreachable(session):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(rulebook, "cached_rules", unreachable)
    rulebook.warm(app)  # no exception: the worker starts anyway
    assert "not built ahead" in caplog.text
