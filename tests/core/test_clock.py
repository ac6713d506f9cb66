"""One clock: on a server whose own time zone is UTC, everything dated follows the day in Japan, and times
shown to people are Japan times (between 00:00 and 09:00 JST, UTC is still on the day before)."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest
import time_machine

from locations.cases.models import StepNote
from locations.core import clock
from locations.core.extensions import db
from locations.core.models import AuditEvent
from tests.builders import login, make_production, make_shoot, make_step, make_user

# 08:30 on 2 December in Japan, still 1 December in UTC.
MORNING_IN_JAPAN = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)
# 05:00 on New Year's Day in Japan, still the old year in UTC.
NEW_YEAR_IN_JAPAN = datetime(2026, 12, 31, 20, 0, tzinfo=timezone.utc)


@pytest.fixture
def utc_host(monkeypatch):
    """The process runs with TZ=UTC, as most servers do."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_today_is_the_day_in_japan(utc_host):
    with time_machine.travel(MORNING_IN_JAPAN, tick=False):
        assert date.today() == date(2026, 12, 1)  # what the old code used
        assert clock.today_jst() == date(2026, 12, 2)
        assert clock.now() == MORNING_IN_JAPAN


def test_times_are_shown_in_japan_time():
    assert clock.jst_time(MORNING_IN_JAPAN) == "2026-12-02 08:30 JST"
    assert clock.jst_time(MORNING_IN_JAPAN.replace(tzinfo=None)) == "2026-12-02 08:30 JST"  # SQLite's naive UTC
    assert clock.jst_time(MORNING_IN_JAPAN, seconds=True) == "2026-12-02 08:30:00 JST"
    assert clock.jst_time(None) == ""


def test_the_freshness_command_uses_the_day_in_japan(runner, utc_host, monkeypatch):
    days = []
    monkeypatch.setattr("locations.library.freshness.apply_freshness",
                        lambda today, limit: days.append(today) or type("R", (), {
                            "stale": 0, "hidden": 0, "newly_hidden": 0, "unhidden": 0})())
    with time_machine.travel(MORNING_IN_JAPAN, tick=False):
        assert runner.invoke(args=["freshness"]).exit_code == 0
    assert days == [date(2026, 12, 2)]


def test_reminders_default_to_the_day_in_japan(runner, utc_host):
    with time_machine.travel(MORNING_IN_JAPAN, tick=False):
        result = runner.invoke(args=["reminders"])
    assert result.exit_code == 0 and "for 2026-12-02" in result.output


def test_the_public_figures_default_to_the_year_in_japan(client, utc_host):
    with time_machine.travel(NEW_YEAR_IN_JAPAN, tick=False):
        html = client.get("/reports?lang=en").get_data(as_text=True)
    assert '<option value="2027" selected' in html


def test_step_notes_and_the_audit_trail_show_japan_times(app):
    with app.app_context():
        owner, admin = make_user("producer"), make_user("admin")
        production = make_production(owner)
        step = make_step(make_shoot(production), "ROAD_USE", "police-hq-37")
        db.session.add(StepNote(step=step, author=owner, body="Called the desk",
                                created_at=MORNING_IN_JAPAN))
        db.session.add(AuditEvent(action="clock-test", entity_type="user", entity_id=owner.id, at=MORNING_IN_JAPAN))
        db.session.commit()
        emails, url = (owner.email, admin.email), f"/productions/{production.id}/steps/{step.id}?lang=en"
    producer, administrator = app.test_client(), app.test_client()
    login(producer, emails[0])
    login(administrator, emails[1])
    assert "2026-12-02 08:30 JST" in producer.get(url).get_data(as_text=True)
    assert "2026-12-02 08:30:00 JST" in administrator.get("/admin/audit").get_data(as_text=True)
