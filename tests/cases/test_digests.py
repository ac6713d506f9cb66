"""Notifications that people read (issue 14, point 8): one save is one notification per person, the badge
counts those, a digest names its permits in the reader's language, and each user chooses which kinds are
also emailed."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from locations.accounts.models import Notification, OutboxMessage, User
from locations.core.extensions import db
from tests.cases.test_case_views import create_production, shoot_form
from tests.mail import free_port, mail_settings

BADGE = re.compile(r'id="nav-notifications">[^<]*<span class="badge"[^>]*>(\d+)</span>')


def _notes(user_id: int) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)).all()


def test_a_shoot_save_is_one_notification_each_and_the_badge_counts_it(app, people):
    producer, staff = people["clients"]["producer"], people["clients"]["fc_staff"]
    production_id = create_production(app, producer)
    assert producer.post(f"/productions/{production_id}/shoots/new", data=shoot_form()).status_code == 302
    with app.app_context():
        [digest] = _notes(people["ids"]["fc_staff"])
        assert digest.kind == "steps_created"
        assert _notes(people["ids"]["producer"]) == []  # their own change
    home = staff.get("/?lang=en").get_data(as_text=True)
    assert BADGE.search(home).group(1) == "1"
    page = staff.get("/notifications?lang=ko").get_data(as_text=True)
    assert "새 허가 절차" in page and "도로 사용 허가(경찰)" in page and "드론 비행 허가/승인(국토교통성)" in page
    page = staff.get("/notifications?lang=zh_Hant").get_data(as_text=True)
    assert "項新的許可手續" in page and "道路使用許可（警察）" in page
    # Opening it leads to the shoot on the case page.
    with app.app_context():
        note_id = _notes(people["ids"]["fc_staff"])[0].id
    response = staff.post(f"/notifications/{note_id}/read")
    assert response.headers["Location"].startswith(f"/productions/{production_id}#shoot-")


def test_muted_email_groups_keep_the_notification_but_send_no_email(app, people):
    producer, staff = people["clients"]["producer"], people["clients"]["fc_staff"]
    page = staff.get("/account?lang=en").get_data(as_text=True)
    for label in ("New permit steps", "Status changes of permit steps", "Filing deadline reminders", "Inquiries"):
        assert label in page
    # Keep everything but new steps.
    keep = ["step_status", "step_notes", "reminders", "inquiries"]
    response = staff.post("/account/email", data={"email_group": keep})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, people["ids"]["fc_staff"])
        assert user.muted_email_groups == {"new_steps"}
    assert 'value="new_steps">' in staff.get("/account").get_data(as_text=True)  # unticked
    production_id = create_production(app, producer)
    try:
        with mail_settings(app, free_port()):
            assert producer.post(f"/productions/{production_id}/shoots/new", data=shoot_form()).status_code == 302
        with app.app_context():
            [digest] = _notes(people["ids"]["fc_staff"])
            assert (
                db.session.scalars(select(OutboxMessage).where(OutboxMessage.notification_id == digest.id)).all() == []
            )
            # The officer muted nothing: their new step is emailed.
            [officer_note] = _notes(people["ids"]["authority"])
            assert (
                db.session.scalars(select(OutboxMessage).where(OutboxMessage.notification_id == officer_note.id)).all()
                != []
            )
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage))
            db.session.commit()
    # Ticking every box again unmutes.
    groups = ["new_steps", *keep]
    assert staff.post("/account/email", data={"email_group": groups}).status_code == 302
    with app.app_context():
        assert db.session.get(User, people["ids"]["fc_staff"]).muted_email_groups == set()
