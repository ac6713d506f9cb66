"""flask reminders: due-soon and overdue notices once per step, kind and day, mailed by the worker."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from locations.accounts.models import Notification, OutboxMessage
from locations.cases.models import Production
from locations.core.extensions import db
from locations.directory.models import FilmCommission
from tests.builders import make_production, make_shoot, make_step, make_user
from tests.mail import SmtpSink, mail_settings

TODAY = date(2027, 3, 10)  # a Wednesday, far from other tests' dates


@pytest.fixture
def case(app):
    """Steps due in 2 days (soon), 4 days (not yet), yesterday (overdue), and past due but already
    submitted or decided (nothing left to file: no reminder)."""
    with app.app_context():
        owner = make_user("producer")
        staff = make_user("fc_staff")  # Kagawa FC, the production's commission
        sapporo = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "sapporo-film-commission"))
        outsider = make_user("fc_staff", commission=sapporo)
        production = make_production(owner, title="Reminder film")
        shoot = make_shoot(production, start=TODAY + timedelta(days=20))
        other_shoot = make_shoot(production, name="Park scene", start=TODAY + timedelta(days=25))
        soon = make_step(shoot, "ROAD_USE", "police-hq-37", TODAY + timedelta(days=2))
        later = make_step(shoot, "DRONE_FLIGHT", "cab-osaka", TODAY + timedelta(days=4))
        overdue = make_step(other_shoot, "ROAD_USE", "police-hq-37", TODAY - timedelta(days=1), status="consulted")
        make_step(other_shoot, "DRONE_FLIGHT", "cab-osaka", TODAY - timedelta(days=3), status="approved")
        make_step(other_shoot, "PARK_USE", None, TODAY - timedelta(days=2), status="submitted")
        db.session.commit()
        ids = {"owner": owner.id, "staff": staff.id, "outsider": outsider.id, "production": production.id,
               "soon": soon.id, "later": later.id, "overdue": overdue.id}
    yield ids


def _notes(app, production_title="Reminder film"):
    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        return [(n.user_id, n.kind, n.link) for n in rows if production_title in n.params]


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification))


def test_due_soon_and_overdue_reach_the_producer_and_the_fc_staff(app, runner, case):
    before = _count(app)
    result = runner.invoke(args=["reminders", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    notes = _notes(app)
    soon_link = f"/productions/{case['production']}/steps/{case['soon']}"
    overdue_link = f"/productions/{case['production']}/steps/{case['overdue']}"
    assert sorted(notes) == sorted([
        (case["owner"], "step_due_soon", soon_link), (case["staff"], "step_due_soon", soon_link),
        (case["owner"], "step_overdue", overdue_link), (case["staff"], "step_overdue", overdue_link),
    ])
    assert f"{_count(app) - before} notification(s) added for {TODAY.isoformat()}" in result.output


def test_the_days_before_setting_widens_the_window(app, runner, case):
    app.config["REMINDER_DAYS_BEFORE"] = 4
    try:
        runner.invoke(args=["reminders", "--today", TODAY.isoformat()])
    finally:
        app.config["REMINDER_DAYS_BEFORE"] = 3
    later_link = f"/productions/{case['production']}/steps/{case['later']}"
    assert (case["owner"], "step_due_soon", later_link) in _notes(app)


def test_running_twice_the_same_day_sends_nothing_new_but_the_next_day_does(app, runner, case):
    runner.invoke(args=["reminders", "--today", TODAY.isoformat()])
    first = len(_notes(app))
    again = runner.invoke(args=["reminders", "--today", TODAY.isoformat()])
    assert again.exit_code == 0 and "0 notification(s) added" in again.output
    assert len(_notes(app)) == first == 4
    runner.invoke(args=["reminders", "--today", (TODAY + timedelta(days=1)).isoformat()])
    # The next day: both are announced again, and the step due in 4 days now falls within the 3 days too.
    assert len(_notes(app)) == 4 + 6


def test_decided_steps_get_no_reminder(app, runner, case):
    with app.app_context():
        production = db.session.get(Production, case["production"])
        for step in production.steps:
            step.status = "not_needed"
        db.session.commit()
    runner.invoke(args=["reminders", "--today", TODAY.isoformat()])
    assert _notes(app) == []


def test_a_bad_date_is_refused(runner):
    result = runner.invoke(args=["reminders", "--today", "2027-13-40"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_reminder_emails_go_out_through_the_outbox_once(app, runner, case):
    sink = SmtpSink()
    sink.start()
    try:
        with mail_settings(app, sink.port):
            result = runner.invoke(args=["reminders", "--today", TODAY.isoformat()])
            assert result.exit_code == 0, result.output
            assert sink.messages == []  # the command only queues; the worker sends
            with app.app_context():
                queued = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                           .where(OutboxMessage.sent_at.is_(None)))
                assert queued == int(result.output.split("reminders: ")[1].split()[0]) >= 4
            assert runner.invoke(args=["worker", "--once"]).exit_code == 0
            assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    finally:
        sink.stop()
    assert len(sink.messages) == queued
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.emailed_at.is_(None))) == 0
