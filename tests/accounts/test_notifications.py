"""Notifications: texts per kind in both languages, the list page and reading (email: test_mail_outbox.py)."""
from __future__ import annotations

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from locations.accounts.models import Notification, User
from locations.accounts.notifications import KINDS, message, message_items, notify, unread_count
from locations.cases.labels import STEP_STATUS_LABELS
from locations.collaboration.inquiries import STATUS_LABELS as INQUIRY_STATUS_LABELS
from locations.core.config import from_environment
from locations.core.extensions import db
from tests.builders import login, make_user

STEP = {"production": "海の映画", "shoot": "Harbour scene", "permit_ja": "道路使用許可", "permit_en": "Road use permit",
        "due": "2026-12-01"}
CASE = {k: v for k, v in STEP.items() if k != "due"}
PARAMS = {
    "step_created": STEP,
    "steps_created": {"production": "海の映画", "shoot": "Harbour scene", "count": 2, "due": "2026-12-01",
                      "permits": [{"ja": "道路使用許可", "en": "Road use permit"},
                                  {"ja": "ドローン飛行許可", "en": "Drone flight permission"}]},
    "step_status": {**CASE, "from": "submitted", "to": "approved_with_conditions", "by": "Officer Tanaka"},
    "step_note": {**CASE, "by": "Producer Sato"},
    "step_due_soon": STEP,
    "step_overdue": STEP,
    "step_reminders": {"count": 2, "overdue": 1, "due_soon": 1, "days": 3,
                       "items": [{**STEP, "state": "overdue"}, {**STEP, "state": "due_soon"}]},
    "shoot_withdrawn": {**CASE, "by": "Producer Sato", "reason": "The scene was cut"},
    "shoot_deleted": {**CASE, "by": "Producer Sato"},
    "inquiry_new": {"subject": "Night shoot at the port", "from": "Sato"},
    "inquiry_referred": {"subject": "Night shoot", "from_fc_ja": "香川フィルムコミッション",
                         "from_fc_en": "Kagawa Film Commission", "note": "Please help"},
    "inquiry_copied": {"subject": "Night shoot", "from_fc_ja": "香川フィルムコミッション",
                       "from_fc_en": "Kagawa Film Commission", "note": "FYI"},
    "inquiry_reply": {"subject": "Night shoot", "fc_ja": "高松フィルムコミッション", "fc_en": "Takamatsu Film Commission"},
    "inquiry_message": {"subject": "Night shoot", "by": "Sato"},
    "inquiry_status": {"subject": "Night shoot", "to": "in_progress"},
}


@pytest.fixture
def clean(app):
    yield


def test_every_kind_of_the_contract_has_a_text():
    assert set(PARAMS) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(PARAMS))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_kind_renders_in_the_readers_language(request_context, kind, lang):
    params = PARAMS[kind]
    text = message(kind, json.dumps(params, ensure_ascii=False), lang)
    assert text and "%(" not in text
    for name in ("subject", "production", "shoot", "by", "due", "note"):
        if name in params:
            assert params[name] in text
    for name in ("permit", "fc", "from_fc"):
        if f"{name}_{lang}" in params:
            assert params[f"{name}_{lang}"] in text
            other = "en" if lang == "ja" else "ja"
            assert params[f"{name}_{other}"] not in text


@pytest.mark.parametrize("lang", ["ja", "en", "ko"])
def test_a_digest_lists_its_items_in_the_readers_language(request_context, lang):
    lines = message_items("step_reminders", json.dumps(PARAMS["step_reminders"], ensure_ascii=False), lang)
    assert len(lines) == 2 and all("%(" not in text and link is None for text, link in lines)
    overdue, due_soon = (text for text, _ in lines)
    assert overdue != due_soon and all(STEP["production"] in text and STEP["due"] in text for text, _ in lines)
    if lang == "ja":
        assert STEP["permit_ja"] in overdue
    elif lang == "ko":
        assert "기한" in overdue or "마감" in overdue or "지났" in overdue
    assert message_items("step_created", PARAMS["step_created"], lang) == []
    assert message_items("step_reminders", "not json", lang) == []
    foreign = {**PARAMS["step_reminders"], "items": [{**STEP, "state": "overdue", "link": "//example.com/x"},
                                                     {**STEP, "state": "due_soon", "link": "/productions/1"}]}
    assert [link for _, link in message_items("step_reminders", foreign, lang)] == [None, "/productions/1"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_status_codes_are_shown_as_translated_labels(request_context, lang):
    step_text = message("step_status", PARAMS["step_status"], lang)
    inquiry_text = message("inquiry_status", PARAMS["inquiry_status"], lang)
    with force_locale(lang):
        assert str(STEP_STATUS_LABELS["submitted"]) in step_text
        assert str(STEP_STATUS_LABELS["approved_with_conditions"]) in step_text
        assert str(INQUIRY_STATUS_LABELS["in_progress"]) in inquiry_text
    assert "approved_with_conditions" not in step_text and "in_progress" not in inquiry_text
    if lang == "en":
        assert "from Submitted to Approved with conditions" in step_text


def test_permit_name_falls_back_to_the_other_language(request_context):
    params = {k: v for k, v in STEP.items() if k != "permit_en"}
    assert "道路使用許可" in message("step_due_soon", params, "en")


@pytest.mark.parametrize("kind, params", [
    ("no_such_kind", {"x": "1"}),
    ("step_created", "not json at all {"),
    ("step_created", json.dumps(["a", "list"])),
    ("step_status", {}),
    ("inquiry_status", {"subject": "S", "to": "weird_status", "extra": {"nested": True}}),
])
def test_unknown_kinds_and_broken_params_never_crash(request_context, kind, params):
    text = message(kind, params, "en")
    assert isinstance(text, str) and text


def test_unknown_kind_gives_the_generic_line(request_context):
    assert message("no_such_kind", {}, "en") == "You have a new notification."


def _notes_for(user_id):
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                              .order_by(Notification.id)).all()


def test_notify_skips_inactive_and_duplicate_users_and_dedupes_by_key(app, clean):
    with app.app_context():
        alice, inactive = make_user("producer"), make_user("producer", active=False)
        assert len(notify([alice, alice, inactive, None], "step_created", STEP, "/x")) == 1
        assert len(notify([alice], "step_overdue", STEP, "/x", dedupe_key="step_overdue:1:2026-12-01")) == 1
        assert notify([alice], "step_overdue", STEP, "/x", dedupe_key="step_overdue:1:2026-12-01") == []
        db.session.commit()
        assert [n.kind for n in _notes_for(alice.id)] == ["step_created", "step_overdue"]
        assert _notes_for(inactive.id) == []
        assert unread_count(alice) == 2


def test_list_shows_newest_first_in_english_with_unread_marked_and_escaped(app, client, clean):
    with app.app_context():
        user = make_user("producer")
        notify([user], "inquiry_new", {"subject": "Old one", "from": "A"}, "/inquiries/1")
        notify([user], "inquiry_new", {"subject": "<script>alert(1)</script>", "from": "B"}, "/inquiries/2")
        first = _notes_for(user.id)[0]
        first.read_at = first.created_at
        db.session.commit()
        email = user.email
    login(client, email)
    page = client.get("/notifications?lang=en").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.index("alert(1)") < page.index("Old one")
    assert page.count('class="notification unread"') == 1
    assert 'New inquiry “Old one” from A.' in page


def test_opening_one_marks_it_read_and_goes_to_its_link(app, client, clean):
    with app.app_context():
        user, other = make_user("fc_staff"), make_user("producer")
        mine = notify([user], "inquiry_message", {"subject": "S", "by": "Sato"}, "/inquiries/7")[0]
        theirs = notify([other], "inquiry_message", {"subject": "S", "by": "Sato"}, "/inquiries/8")[0]
        db.session.commit()
        email, mine_id, theirs_id = user.email, mine.id, theirs.id
    login(client, email)
    response = client.post(f"/notifications/{mine_id}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/inquiries/7"
    assert client.post(f"/notifications/{theirs_id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, mine_id).read_at is not None
        assert db.session.get(Notification, theirs_id).read_at is None


def test_mark_all_read_touches_only_the_users_own(app, client, clean):
    with app.app_context():
        user, other = make_user("authority"), make_user("producer")
        notify([user, other], "step_created", STEP, "/productions/1")
        notify([user], "step_note", {**STEP, "by": "X"}, "/productions/1")
        db.session.commit()
        email, user_id, other_id = user.email, user.id, other.id
    login(client, email)
    assert client.post("/notifications/read-all").status_code == 302
    with app.app_context():
        assert unread_count(db.session.get(User, user_id)) == 0
        assert unread_count(db.session.get(User, other_id)) == 1


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_mail_settings_come_from_the_environment():
    settings = from_environment({"MAIL_SERVER": "smtp.example.com", "MAIL_PORT": "587", "MAIL_USE_TLS": "true",
                                 "MAIL_USERNAME": "app", "MAIL_PASSWORD": "secret", "MAIL_FROM": "fc@example.com",
                                 "PUBLIC_BASE_URL": "https://locations.example.com", "REMINDER_DAYS_BEFORE": "5"})
    assert settings["MAIL_PORT"] == 587 and settings["MAIL_USE_TLS"] is True and settings["REMINDER_DAYS_BEFORE"] == 5
    assert settings["MAIL_SERVER"] == "smtp.example.com" and settings["PUBLIC_BASE_URL"].startswith("https://")
    assert from_environment({"MAIL_USE_TLS": "0"})["MAIL_USE_TLS"] is False
