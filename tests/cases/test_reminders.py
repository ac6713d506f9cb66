"""flask reminders: one digest per person and day listing the steps due soon or overdue, mailed by the worker."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from locations.accounts.models import Notification, OutboxMessage, User
from locations.cases.models import Production
from locations.core.extensions import db
from locations.directory.models import FilmCommission
from tests.builders import make_production, make_shoot, make_step, make_user, signed_in
from tests.mail import SmtpSink, mail_settings

TODAY = date(2027, 3, 10)  # a Wednesday, far from other tests' dates
BADGE = re.compile(r'id="nav-notifications">[^<]*<span class="badge"[^>]*>(\d+)</span>')


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
               "soon": soon.id, "later": later.id, "overdue": overdue.id,
               "owner_email": owner.email, "staff_email": staff.email}
    yield ids


def _digests(app, user_id: int) -> list[Notification]:
    with app.app_context():
        return db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                  .order_by(Notification.id)).all()


def _items(note: Notification) -> list[tuple[str, str]]:
    return [(item["state"], item["link"]) for item in json.loads(note.params)["items"]]


def _run(runner, day: date = TODAY):
    result = runner.invoke(args=["reminders", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result


def test_one_digest_each_for_the_producer_and_the_fc_staff_listing_overdue_then_due_soon(app, runner, case):
    result = _run(runner)
    link = f"/productions/{case['production']}"
    expected = [("overdue", f"{link}/steps/{case['overdue']}"), ("due_soon", f"{link}/steps/{case['soon']}")]
    for person in ("owner", "staff"):
        [digest] = _digests(app, case[person])
        assert (digest.kind, digest.link) == ("step_reminders", link)
        assert _items(digest) == expected
    assert _digests(app, case["outsider"]) == []
    assert "2 notification(s) added for 2027-03-10" in result.output


def test_five_due_steps_make_one_notification_not_five_and_a_second_run_adds_nothing(app, runner):
    with app.app_context():
        producer = make_user("producer")
        production = make_production(producer, title="Five steps film")
        shoot = make_shoot(production, start=TODAY + timedelta(days=30))
        for n, code in enumerate(("ROAD_USE", "DRONE_FLIGHT", "PARK_USE", "RIVER_USE", "ROAD_OCCUPANCY")):
            make_step(shoot, code, None, TODAY + timedelta(days=n - 2))
        db.session.commit()
        producer_id, email = producer.id, producer.email
    _run(runner)
    [digest] = _digests(app, producer_id)
    assert [state for state, _ in _items(digest)] == ["overdue", "overdue", "due_soon", "due_soon", "due_soon"]
    again = _run(runner)
    assert "0 notification(s) added" in again.output
    assert len(_digests(app, producer_id)) == 1
    # The badge counts the digest as one, and the inbox lists its five steps under it in the reader's language.
    client = signed_in(app, email)
    assert BADGE.search(client.get("/?lang=en").get_data(as_text=True)).group(1) == "1"
    page = client.get("/notifications?lang=ko").get_data(as_text=True)
    assert page.count('class="notification unread"') == 1
    assert "마감" in page  # the Korean summary line
    digest_list = page.split('class="digest-items"')[1].split("</ul>")[0]
    assert digest_list.count("<li>") == 5 and "도로 사용 허가(경찰)" in digest_list


def test_the_days_before_setting_widens_the_window(app, runner, case):
    app.config["REMINDER_DAYS_BEFORE"] = 4
    try:
        _run(runner)
    finally:
        app.config["REMINDER_DAYS_BEFORE"] = 3
    later_link = f"/productions/{case['production']}/steps/{case['later']}"
    [digest] = _digests(app, case["owner"])
    assert ("due_soon", later_link) in _items(digest)


def test_the_next_day_brings_a_new_digest(app, runner, case):
    _run(runner)
    _run(runner, TODAY + timedelta(days=1))
    first, second = _digests(app, case["owner"])
    # The step due in 4 days now falls within the 3 days too, and the step due tomorrow is still due soon.
    assert len(_items(second)) == 3 and len(_items(first)) == 2


def test_staff_of_two_productions_get_one_digest_that_links_to_the_inbox(app, runner, case):
    with app.app_context():
        other = make_production(make_user("producer"), title="Second reminder film")
        make_step(make_shoot(other, start=TODAY + timedelta(days=20)), "PARK_USE", None, TODAY)
        db.session.commit()
    _run(runner)
    [digest] = _digests(app, case["staff"])
    assert digest.link == "/notifications" and len(_items(digest)) == 3


def test_decided_steps_get_no_reminder(app, runner, case):
    with app.app_context():
        production = db.session.get(Production, case["production"])
        for step in production.steps:
            step.status = "not_needed"
        db.session.commit()
    _run(runner)
    assert _digests(app, case["owner"]) == []


def test_a_bad_date_is_refused(runner):
    result = runner.invoke(args=["reminders", "--today", "2027-13-40"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_one_email_each_listing_the_steps_and_none_to_who_muted_reminders(app, runner, case):
    with app.app_context():
        db.session.get(User, case["staff"]).email_muted = "reminders"
        db.session.commit()
    sink = SmtpSink()
    sink.start()
    try:
        with mail_settings(app, sink.port):
            _run(runner)
            assert sink.messages == []  # the command only queues; the worker sends
            assert runner.invoke(args=["worker", "--once"]).exit_code == 0
            assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    finally:
        sink.stop()
    [mail] = sink.messages
    assert mail["To"] == case["owner_email"]
    body = mail.get_content()
    assert "Harbour scene" in body and "Park scene" in body and "is overdue" in body and "期限" in body
    assert f"/productions/{case['production']}/steps/{case['soon']}" in body
    # The muted FC staff still has the notification, just no email.
    [kept] = _digests(app, case["staff"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.notification_id == kept.id)) == 0
