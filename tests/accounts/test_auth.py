"""Sign-in, sessions, passwords, CSRF, rate limits and security headers."""
import re

import pytest
from sqlalchemy import select

from locations import create_app
from locations.accounts.models import User
from locations.accounts.passwords import password_problems
from locations.core.config import DefaultConfig
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.core.security import safe_next
from tests.builders import login, make_user
from tests.conftest import make_test_config


@pytest.fixture
def producer(app):
    with app.app_context():
        user = make_user("producer")
        db.session.commit()
        email = user.email
    return email


def test_sign_in_starts_a_new_session_and_sign_out_ends_it(app, client, producer):
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "x"
    response = login(client, producer)
    assert response.status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess and "_user_id" in sess
    assert producer.split("@")[0].replace("producer", "producer ") in client.get("/").get_data(as_text=True)
    client.post("/logout")
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_failed_sign_in_is_refused_and_recorded(app, client, producer):
    client.get("/?lang=en")
    response = login(client, producer, "wrong password")
    assert response.status_code == 401
    assert "The email or password is not right." in response.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login_failed")
                                  .order_by(AuditEvent.id.desc()))
        assert producer in event.detail
    assert login(client, "nobody@example.com").status_code == 401


def test_disabling_an_account_ends_its_sessions(app, client, producer):
    login(client, producer)
    assert "Sign out" in client.get("/?lang=en").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == producer))
        user.active = False
        user.session_epoch += 1
        db.session.commit()
    assert "Sign out" not in client.get("/?lang=en").get_data(as_text=True)
    assert login(client, producer).status_code == 401


@pytest.mark.parametrize("target, safe", [("/commission/", True), ("/locations?q=x", True),
                                          ("//evil.example/", False), ("https://evil.example/", False),
                                          ("/\\evil.example", False), ("javascript:alert(1)", False), ("", False)])
def test_next_redirects_stay_on_site(target, safe):
    assert (safe_next(target) == target) is safe


def test_sign_in_follows_a_safe_next_only(client, producer):
    assert login(client, producer, next="/map").headers["Location"].endswith("/map")
    client.post("/logout")
    assert "evil" not in login(client, producer, next="https://evil.example/").headers["Location"]


@pytest.mark.parametrize("password, ok", [("short", False), ("password1234", False), ("qwertyuiop123", False),
                                          ("correct horse battery staple", True), ("ロケ撮影の許可は早めに申請しよう", True)])
def test_password_policy(app, password, ok):
    with app.test_request_context():
        assert (password_problems(password, "someone@example.com") == []) is ok


def test_producer_sign_up(app, client):
    response = client.post("/signup", data={"display_name": "山田 花子 🎬", "email": "Hanako@Example.com",
                                            "password": "a long and uncommon passphrase"})
    assert response.status_code == 200 and 'id="check-inbox"' in response.get_data(as_text=True)
    assert login(client, "hanako@example.com", "a long and uncommon passphrase").status_code == 302
    weak = client.post("/signup", data={"display_name": "x", "email": "weak@example.com", "password": "password"})
    assert weak.status_code == 400


def test_forms_need_a_csrf_token_and_sign_in_is_rate_limited(database_url):
    app = create_app(make_test_config(database_url, WTF_CSRF_ENABLED=True, LOGIN_RATE_LIMITED=True,
                                 LOGIN_RATE_LIMIT="3 per minute"))
    client = app.test_client()
    assert client.post("/login", data={"email": "a@example.com", "password": "x"}).status_code == 400
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    statuses = [client.post("/login", data={"email": "a@example.com", "password": "x", "csrf_token": token}).status_code
                for _ in range(4)]
    assert statuses[-1] == 429 and 401 in statuses
    with app.app_context():
        db.engine.dispose()


def test_security_headers_and_csp_nonce(client):
    response = client.get("/map")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert scripts and all(f'nonce="{nonce}"' in attrs for attrs in scripts)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/map").headers["Content-Security-Policy"] != csp  # a new nonce per response


def test_session_cookie_defaults_are_strict():
    assert DefaultConfig.SESSION_COOKIE_SECURE is True
    assert DefaultConfig.SESSION_COOKIE_HTTPONLY is True
    assert DefaultConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_create_user_command(app, runner):
    result = runner.invoke(args=["create-user", "--email", "Officer@Example.com", "--role", "authority",
                                 "--authority", "police-hq-37", "--password", "a long and uncommon passphrase"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["create-user", "--email", "x@example.com", "--role", "fc_staff",
                              "--commission", "nope", "--password", "a long and uncommon passphrase"])
    assert bad.exit_code != 0 and "--commission" in bad.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "officer@example.com"))
        assert user.role == "authority" and user.authority.code == "police-hq-37"
