"""Account lifecycle: sign-up that reveals nothing, email verification before producers act, password
reset by email, one create_user() for every way in, enable-user, and the admin's user list."""
from __future__ import annotations

import time

import itsdangerous
import pytest
from sqlalchemy import func, select

from locations.accounts import emails as account_mail
from locations.accounts.models import User
from locations.core.extensions import db
from tests.builders import KAGAWA, login, make_user
from tests.mail import emails_to, link_in

NEW_PASSWORD = "a different sturdy passphrase 2027"
NEW_EMAIL = "new-producer@example.com"


@pytest.fixture
def people(app):
    made = [NEW_EMAIL]

    def make(role="producer", **options):
        with app.app_context():
            user = make_user(role, **options)
            db.session.commit()
            made.append(user.email)
            return user.email

    yield make


def sign_up(client, email, password="a long and uncommon passphrase"):
    return client.post("/signup?lang=en", data={"display_name": "新しい 制作者", "email": email, "password": password})


def without(text: str, email: str) -> str:
    return text.replace(email, "EMAIL")


def signed_in(client) -> bool:
    return client.get("/productions/").status_code == 200


def test_sign_up_answers_the_same_whether_or_not_the_email_exists(app, people):
    existing = people()
    taken = sign_up(app.test_client(), existing.upper())
    fresh = sign_up(app.test_client(), NEW_EMAIL)
    assert taken.status_code == fresh.status_code == 200
    assert without(taken.get_data(as_text=True), existing) == without(fresh.get_data(as_text=True), NEW_EMAIL)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.email == existing)) == 1
        notice, = emails_to(existing, "signup_existing")
        assert link_in(notice, "/login") and link_in(notice, "/password/forgot")
        assert emails_to(existing, "verify_email") == []
        assert len(emails_to(NEW_EMAIL, "verify_email")) == 1
        assert not db.session.scalar(select(User).where(User.email == NEW_EMAIL)).email_verified


def test_the_verification_link_confirms_the_address_once(app, client, people):
    sign_up(client, NEW_EMAIL)
    with app.app_context():
        link = link_in(emails_to(NEW_EMAIL, "verify_email")[0], "/verify-email/")
    assert client.get(link).status_code == 200
    with app.app_context():
        assert not db.session.scalar(select(User).where(User.email == NEW_EMAIL)).email_verified  # GET changes nothing
    assert client.post(link).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == NEW_EMAIL)).email_verified
    again = client.get(link + "?lang=en")
    assert again.status_code == 400 and "cannot be used again" in again.get_data(as_text=True)


def old_token(app, monkeypatch, make_token, email, seconds_ago: int) -> str:
    """A token signed ``seconds_ago``, as if the email had been sent then."""
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email))
        monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                            lambda self: int(time.time()) - seconds_ago)
        token = make_token(user)
        monkeypatch.undo()
        db.session.rollback()
    return token


def test_a_verification_link_expires_and_cannot_be_forged(app, client, people, monkeypatch):
    email = people(verified=False)
    link = "/verify-email/" + old_token(app, monkeypatch, account_mail.verification_token, email, 49 * 3600)
    expired = client.get(link + "?lang=en")
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    forged = client.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB") + "?lang=en")
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)


def test_unverified_producers_cannot_create_productions_or_ask_until_they_confirm(app, client, people):
    email = people(verified=False)
    login(client, email)
    listing = client.get("/productions/").get_data(as_text=True)
    assert 'id="resend-verification"' in listing and 'href="/productions/new"' not in listing
    for path in ("/productions/new", f"/commissions/{KAGAWA}/ask"):
        page = client.get(path + "?lang=en")
        assert page.status_code == 403 and 'id="resend-verification"' in page.get_data(as_text=True)
        assert client.post(path, data={"title": "x"}).status_code == 403
    assert client.post("/account/verify-email/send").status_code == 302
    with app.app_context():
        link = link_in(emails_to(email, "verify_email")[-1], "/verify-email/")
    client.post(link)
    assert client.get("/productions/new").status_code == 200
    assert client.get(f"/commissions/{KAGAWA}/ask").status_code == 200


def test_password_reset_by_email_ends_every_session_and_the_link_works_once(app, people):
    email = people()
    old_session = app.test_client()
    login(old_session, email)
    asked = app.test_client().post("/password/forgot?lang=en", data={"email": email.upper()})
    unknown = app.test_client().post("/password/forgot?lang=en", data={"email": NEW_EMAIL})
    assert asked.status_code == unknown.status_code == 200
    assert without(asked.get_data(as_text=True), email) == without(unknown.get_data(as_text=True), NEW_EMAIL)
    with app.app_context():
        assert emails_to(NEW_EMAIL) == []
        link = link_in(emails_to(email, "password_reset")[0], "/password/reset/")
    client = app.test_client()
    assert client.get(link).status_code == 200
    assert client.post(link, data={"password": "password1234"}).status_code == 400
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302
    assert not signed_in(old_session)
    used = client.post(link + "?lang=en", data={"password": "yet another sturdy passphrase 2028"})
    assert used.status_code == 400 and "already been used" in used.get_data(as_text=True)
    assert login(app.test_client(), email).status_code == 401
    assert login(app.test_client(), email, NEW_PASSWORD).status_code == 302
    with app.app_context():
        assert len(emails_to(email, "password_changed")) == 1


def test_a_reset_link_expires(app, people, monkeypatch):
    email = people()
    link = "/password/reset/" + old_token(app, monkeypatch, account_mail.reset_token, email, 61 * 60)
    response = app.test_client().post(link + "?lang=en", data={"password": NEW_PASSWORD})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert login(app.test_client(), email).status_code == 302


def test_a_reset_lifts_a_lockout(app, people):
    email = people()
    for _ in range(5):
        login(app.test_client(), email, "wrong password")
    assert login(app.test_client(), email).status_code == 429
    app.test_client().post("/password/forgot", data={"email": email})
    with app.app_context():
        link = link_in(emails_to(email, "password_reset")[0], "/password/reset/")
    app.test_client().post(link, data={"password": NEW_PASSWORD})
    assert login(app.test_client(), email, NEW_PASSWORD).status_code == 302


def test_admins_create_users_with_the_same_checks_as_the_command_line(app, runner, people):
    admin = people("admin")
    existing = people("fc_staff")
    client = app.test_client()
    login(client, admin)
    twice = client.post("/admin/users?lang=en", data={"display_name": "x", "email": existing, "role": "producer",
                                                      "password": NEW_PASSWORD})
    assert twice.status_code == 400 and "An account with this email already exists." in twice.get_data(as_text=True)
    unbound = client.post("/admin/users?lang=en", data={"display_name": "x", "email": NEW_EMAIL, "role": "fc_staff",
                                                        "password": NEW_PASSWORD})
    assert "FC staff must belong to a film commission." in unbound.get_data(as_text=True)
    result = runner.invoke(args=["create-user", "--email", existing, "--role", "producer", "--password", NEW_PASSWORD])
    assert result.exit_code != 0 and "already exists" in result.output
    assert client.post("/admin/users", data={"display_name": "x", "email": NEW_EMAIL, "role": "producer",
                                             "password": NEW_PASSWORD}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == NEW_EMAIL)).email_verified


def test_enable_user_command(app, runner, people):
    email = people(active=False)
    result = runner.invoke(args=["enable-user", email.upper()])
    assert result.exit_code == 0 and f"Enabled {email}." in result.output
    assert login(app.test_client(), email).status_code == 302
    missing = runner.invoke(args=["enable-user", "no-such-person@example.com"])
    assert missing.exit_code != 0 and "no account" in missing.output


def test_an_admin_cannot_disable_their_own_account(app, people):
    admin = people("admin")
    client = app.test_client()
    login(client, admin)
    with app.app_context():
        own_id = db.session.scalar(select(User.id).where(User.email == admin))
    response = client.post(f"/admin/users/{own_id}/disable?lang=en", follow_redirects=True)
    assert "You cannot disable your own account." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, own_id).active
    assert signed_in(client)


def test_disabling_asks_first_says_so_and_keeps_the_account(app, people):
    admin, producer = people("admin"), people()
    client = app.test_client()
    login(client, admin)
    with app.app_context():
        target = db.session.scalar(select(User.id).where(User.email == producer))
    listing = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert 'data-confirm="Disable producer' in listing and f"({producer})? They are signed out everywhere" in listing
    page = client.post(f"/admin/users/{target}/disable?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "is disabled and signed out everywhere; the account and its records are kept." in page
    with app.app_context():
        assert db.session.get(User, target) is not None and not db.session.get(User, target).active
    page = client.post(f"/admin/users/{target}/enable?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "can sign in again." in page


def test_an_admin_signs_a_user_out_everywhere_without_disabling(app, people):
    admin, producer = people("admin"), people()
    producer_client = app.test_client()
    login(producer_client, producer)
    client = app.test_client()
    login(client, admin)
    with app.app_context():
        target = db.session.scalar(select(User.id).where(User.email == producer))
    assert client.post(f"/admin/users/{target}/end-sessions").status_code == 302
    assert not signed_in(producer_client)
    assert login(app.test_client(), producer).status_code == 302


def test_role_labels_are_shown_in_the_users_language(app, people):
    admin = people("admin")
    client = app.test_client()
    login(client, admin)
    japanese = client.get("/admin/users?lang=ja").get_data(as_text=True)
    english = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert "<td>管理者</td>" in japanese and "<td>Administrator</td>" in english
    assert "<td>admin</td>" not in japanese and ">fc_staff<" not in english
