"""Server-side sessions: sign-out ends a session for good, a fixed 12-hour limit and an idle limit,
the list of one's sessions, and the events that end them (password change, disable, restore)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from locations import create_app
from locations.accounts.models import User, UserSession
from locations.accounts.sessions import as_utc
from locations.core.extensions import db
from tests.builders import PASSWORD, login, make_user
from tests.conftest import make_test_config
from tests.mail import emails_to

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
NEW_PASSWORD = "a different sturdy passphrase 2027"


@pytest.fixture
def producer(app):
    with app.app_context():
        email = make_user("producer").email
        db.session.commit()
    yield email


def signed_in_client(app, email, user_agent=FIREFOX):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    assert login(client, email).status_code == 302
    return client


def is_signed_in(client) -> bool:
    return client.get("/productions/").status_code == 200


def newest_session(email) -> UserSession:
    return db.session.scalars(select(UserSession).join(User).where(User.email == email)
                              .order_by(UserSession.id.desc())).first()


def change_newest_session(app, email, **values):
    with app.app_context():
        row = newest_session(email)
        db.session.execute(update(UserSession).where(UserSession.id == row.id).values(**values))
        db.session.commit()


def test_a_cookie_copied_before_sign_out_is_refused_afterwards(app, producer):
    client = signed_in_client(app, producer)
    copied = client.get_cookie("session").value
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/productions/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert newest_session(producer).ended_at is not None


def test_the_twelve_hour_limit_is_counted_from_sign_in_and_does_not_slide(app, producer):
    client = signed_in_client(app, producer)
    with app.app_context():
        row = newest_session(producer)
        assert as_utc(row.expires_at) - as_utc(row.created_at) == timedelta(hours=12)
    # Signed in 11 h 59 min ago and busy ever since: still in, and the end does not move.
    now = datetime.now(timezone.utc)
    change_newest_session(app, producer, created_at=now - timedelta(hours=11, minutes=59),
                          expires_at=now + timedelta(minutes=1), last_seen_at=now - timedelta(minutes=5))
    assert is_signed_in(client)
    with app.app_context():
        row = newest_session(producer)
        assert as_utc(row.expires_at) == now + timedelta(minutes=1)
        assert as_utc(row.last_seen_at) > now - timedelta(minutes=1)
    change_newest_session(app, producer, expires_at=now - timedelta(seconds=1))
    assert not is_signed_in(client)


def test_a_session_unused_for_the_idle_limit_ends(app, producer):
    client = signed_in_client(app, producer)
    change_newest_session(app, producer, last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=59))
    assert is_signed_in(client)
    change_newest_session(app, producer, last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=61))
    assert not is_signed_in(client)


def test_use_is_written_at_most_once_a_minute(app, producer):
    client = signed_in_client(app, producer)
    recent = datetime.now(timezone.utc) - timedelta(seconds=20)
    change_newest_session(app, producer, last_seen_at=recent)
    assert is_signed_in(client)
    with app.app_context():
        assert as_utc(newest_session(producer).last_seen_at) == recent
    change_newest_session(app, producer, last_seen_at=recent - timedelta(minutes=2))
    assert client.post("/account/sessions/end-others").status_code == 302  # a writing request records it too
    with app.app_context():
        assert as_utc(newest_session(producer).last_seen_at) > recent


def test_people_see_their_sessions_and_sign_the_others_out(app, producer):
    laptop = signed_in_client(app, producer, FIREFOX)
    phone = signed_in_client(app, producer, CHROME_MAC)
    page = laptop.get("/account?lang=en").get_data(as_text=True)
    assert "Firefox / Linux" in page and "Chrome / macOS" in page and "(this device)" in page
    assert laptop.post("/account/sessions/end-others").status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_one_session_can_be_signed_out_from_the_list(app, producer):
    laptop = signed_in_client(app, producer, FIREFOX)
    phone = signed_in_client(app, producer, CHROME_MAC)
    with app.app_context():
        phone_session = newest_session(producer).id
    assert laptop.post(f"/account/sessions/{phone_session}/end").status_code == 302
    assert not is_signed_in(phone) and is_signed_in(laptop)


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(app, producer):
    laptop = signed_in_client(app, producer, FIREFOX)
    phone = signed_in_client(app, producer, CHROME_MAC)
    wrong = laptop.post("/account/password?lang=en", data={"current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400 and "That is not your current password." in wrong.get_data(as_text=True)
    assert is_signed_in(phone)
    weak = laptop.post("/account/password", data={"current_password": PASSWORD, "new_password": "password1234"})
    assert weak.status_code == 400
    changed = laptop.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert is_signed_in(laptop) and not is_signed_in(phone)
    assert login(app.test_client(), producer).status_code == 401
    assert login(app.test_client(), producer, NEW_PASSWORD).status_code == 302
    with app.app_context():
        assert len(emails_to(producer, "password_changed")) == 1


def test_disabling_an_account_ends_its_session_records(app, producer):
    client = signed_in_client(app, producer)
    with app.app_context():
        admin = make_user("admin")
        db.session.commit()
        admin_email, target = admin.email, db.session.scalar(select(User.id).where(User.email == producer))
    admin_client = signed_in_client(app, admin_email)
    assert admin_client.post(f"/admin/users/{target}/disable").status_code == 302
    assert not is_signed_in(client)
    with app.app_context():
        assert newest_session(producer).ended_at is not None


def test_raising_the_session_epoch_ends_every_session(app, producer):
    """What a restore from backup does to all users: no session from before it may live on."""
    client = signed_in_client(app, producer)
    with app.app_context():
        db.session.execute(update(User).values(session_epoch=User.session_epoch + 1))
        db.session.commit()
    assert not is_signed_in(client)
    assert is_signed_in(signed_in_client(app, producer))


def test_a_secure_session_cookie_is_named_with_the_host_prefix(database_url, seeded_app):
    app = create_app(make_test_config(database_url, SESSION_COOKIE_SECURE=True))
    with app.app_context():
        email = make_user("producer").email
        db.session.commit()
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD}, base_url="https://localhost")
        cookie = next(value for value in response.headers.getlist("Set-Cookie") if "session=" in value)
        assert cookie.startswith("__Host-session=")
        attributes = [part.strip().lower() for part in cookie.split(";")]
        assert "secure" in attributes and "path=/" in attributes and not any(a.startswith("domain=") for a in attributes)
        assert client.get("/productions/", base_url="https://localhost").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
