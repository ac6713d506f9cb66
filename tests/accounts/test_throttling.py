"""Throttling that holds: a per-account lockout kept in the database (for unknown addresses too, alike),
the owner told once per lockout, per-address limits behind a configured number of proxies, and limits
on sign-up, password-reset requests and inquiries of signed-in users."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from locations import create_app
from locations.accounts.models import LoginThrottle
from locations.accounts.sessions import as_utc
from locations.core.extensions import db
from locations.core.models import AuditEvent
from tests.builders import KAGAWA, PASSWORD, login, make_user
from tests.conftest import make_test_config
from tests.mail import emails_to

UNKNOWN = "nobody-here@example.com"


@pytest.fixture
def producer(app):
    with app.app_context():
        email = make_user("producer").email
        db.session.commit()
    yield email


@pytest.fixture
def limited_app(database_url, seeded_app):
    """Build an app with request limits on (and the given settings); its engine is closed afterwards."""
    made = []

    def build(**settings):
        app = create_app(make_test_config(database_url, LOGIN_RATE_LIMITED=True, **settings))
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.engine.dispose()


def attempt(client, email, password="wrong password", address="192.0.2.1"):
    return client.post("/login?lang=en", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def lift_lockout(app, email):
    with app.app_context():
        db.session.execute(update(LoginThrottle).where(LoginThrottle.email == email)
                           .values(locked_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.session.commit()


def test_five_failures_from_five_addresses_lock_the_account(app, client, producer):
    statuses = [attempt(client, producer, address=f"192.0.2.{n}").status_code for n in range(1, 6)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = attempt(client, producer, PASSWORD, address="198.51.100.1")
    assert locked.status_code == 429
    assert "Too many failed attempts for this account. Try again in 15 minutes." in locked.get_data(as_text=True)
    lift_lockout(app, producer)
    assert attempt(client, producer, PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.get(LoginThrottle, producer) is None


def test_an_address_without_an_account_gets_the_same_answers(app, producer):
    def answers(email):
        client = app.test_client()
        return [(r.status_code, r.get_data(as_text=True).count("Too many failed attempts"))
                for r in (attempt(client, email) for _ in range(6))]

    assert answers(UNKNOWN) == answers(producer)
    with app.app_context():
        assert emails_to(UNKNOWN) == []


def test_the_owner_is_told_once_per_lockout_and_lockouts_grow(app, client, producer):
    for _ in range(8):
        attempt(client, producer)
    with app.app_context():
        notices = emails_to(producer, "lockout")
        assert len(notices) == 1 and "/password/forgot" in notices[0].body
        first = db.session.get(LoginThrottle, producer)
        assert as_utc(first.locked_until) - as_utc(first.last_failure_at) == timedelta(minutes=15)
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "login_locked",
                                                             AuditEvent.detail.contains(producer))) is not None
    lift_lockout(app, producer)
    for _ in range(5):
        attempt(client, producer)
    with app.app_context():
        second = db.session.get(LoginThrottle, producer)
        assert second.lockouts == 2
        assert as_utc(second.locked_until) - as_utc(second.last_failure_at) == timedelta(minutes=30)
        assert len(emails_to(producer, "lockout")) == 2


def test_a_successful_sign_in_forgets_the_failures(client, producer):
    for _ in range(4):
        attempt(client, producer)
    assert attempt(client, producer, PASSWORD).status_code == 302
    client.post("/logout")
    assert [attempt(client, producer).status_code for _ in range(4)] == [401] * 4


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(limited_app):
    app = limited_app(TRUSTED_PROXY_HOPS=1, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()

    def from_client(address, n):
        return client.post("/login", data={"email": f"guess{n}@example.com", "password": "x"},
                           headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": "127.0.0.1"})

    assert [from_client("203.0.113.7", n).status_code for n in range(4)] == [401, 401, 401, 429]
    assert from_client("198.51.100.9", 9).status_code == 401
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.ip == "198.51.100.9"


def test_without_trusted_proxies_a_forwarded_address_is_ignored(limited_app):
    app = limited_app(TRUSTED_PROXY_HOPS=0, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [client.post("/login", data={"email": f"guess{n}@example.com", "password": "x"},
                            headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_sign_up_is_rate_limited(limited_app):
    client = limited_app(SIGNUP_RATE_LIMIT="2 per minute").test_client()
    assert [client.post("/signup", data={}).status_code for _ in range(3)] == [400, 400, 429]


def test_password_reset_requests_are_limited_per_address_and_per_email(limited_app):
    app = limited_app(PASSWORD_RESET_RATE_LIMIT="3 per minute", PASSWORD_RESET_EMAIL_RATE_LIMIT="2 per minute")
    client = app.test_client()

    def ask(email, address):
        return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address}).status_code

    assert [ask("target@example.com", f"192.0.2.{n}") for n in range(3)] == [200, 200, 429]
    assert [ask(f"other{n}@example.com", "198.51.100.4") for n in range(4)] == [200, 200, 200, 429]


def test_signed_in_users_inquiries_are_limited_per_account(limited_app):
    app = limited_app(INQUIRY_RATE_LIMIT="1 per minute", INQUIRY_USER_RATE_LIMIT="2 per minute")
    with app.app_context():
        email = make_user("producer").email
        db.session.commit()
    client = app.test_client()
    assert login(client, email).status_code == 302
    url = f"/commissions/{KAGAWA}/ask"
    signed_in = [client.post(url, data={}, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}).status_code
                 for n in range(3)]
    assert signed_in == [400, 400, 429]
    anonymous = app.test_client()
    assert [anonymous.post(url, data={}, environ_base={"REMOTE_ADDR": "198.51.100.5"}).status_code
            for _ in range(2)] == [400, 429]
