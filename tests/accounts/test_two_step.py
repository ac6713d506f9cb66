"""Two-step sign-in: enrolment confirmed by a code, the code step after the password (expiring and
throttled), codes and recovery codes good once, and the roles that must enrol before anything else."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from locations.accounts.models import RecoveryCode, User
from locations.core.config import from_environment
from locations.core.extensions import db
from tests.builders import PASSWORD, enrol_totp, login, make_user, totp_code


@pytest.fixture
def people(app):
    made = []

    def make(role="producer", two_step=False):
        with app.app_context():
            user = make_user(role)
            secret = enrol_totp(user) if two_step else None
            db.session.commit()
            made.append(user.email)
            return user.email, secret

    yield make


@pytest.fixture
def required(app):
    """Two-step sign-in required of admins and officers, as in production."""
    before = app.config["TOTP_REQUIRED_ROLES"]
    app.config["TOTP_REQUIRED_ROLES"] = ("admin", "authority")
    yield
    app.config["TOTP_REQUIRED_ROLES"] = before


def signed_in(client) -> bool:
    return client.get("/productions/").status_code == 200


def user_of(email) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def secret_on_page(html: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


def codes_on_page(html: str) -> list[str]:
    return re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", html)


def test_enrolment_shows_a_server_drawn_qr_code_and_needs_a_code_to_turn_on(app, client, people):
    email, _ = people()
    login(client, email)
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "<svg" in page and "<path" in page
    assert "otpauth" not in page and "chart" not in page  # no third-party QR service, no URI in a link
    secret = secret_on_page(page)
    assert secret_on_page(client.get("/account/two-step").get_data(as_text=True)) == secret  # same on reload
    assert client.post("/account/two-step", data={"code": "000000"}).status_code == 400
    with app.app_context():
        assert not user_of(email).totp_enabled
    done = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()})
    codes = codes_on_page(done.get_data(as_text=True))
    assert done.status_code == 200 and len(set(codes)) == 10
    with app.app_context():
        user = user_of(email)
        assert user.totp_enabled
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
        assert len(stored) == 10 and not any(code.replace("-", "") in stored for code in codes)


def test_sign_in_asks_for_the_code_after_the_password(app, client, people):
    email, secret = people(two_step=True)
    response = login(client, email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert not signed_in(client)
    assert client.post("/login/code", data={"code": "123456"}).status_code == 401
    assert client.post("/login/code", data={"code": totp_code(secret, 0)}).status_code == 302
    assert signed_in(client)


def test_a_code_is_good_only_once(app, people):
    email, secret = people(two_step=True)
    code = totp_code(secret, 0)
    first = app.test_client()
    login(first, email)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    second = app.test_client()
    login(second, email)
    assert second.post("/login/code", data={"code": code}).status_code == 401
    assert second.post("/login/code", data={"code": totp_code(secret, 1)}).status_code == 302


def test_recovery_codes_stand_in_once_and_can_be_renewed(app, client, people):
    email, _ = people()
    login(client, email)
    secret = secret_on_page(client.get("/account/two-step").get_data(as_text=True))
    codes = codes_on_page(client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()})
                          .get_data(as_text=True))
    client.post("/logout")
    login(client, email)
    assert client.post("/login/code", data={"code": codes[0].upper().replace("-", " ")}).status_code == 302
    assert "9 unused recovery codes left." in client.get("/account?lang=en").get_data(as_text=True)
    client.post("/logout")
    login(client, email)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 401
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 302
    renewed = codes_on_page(client.post("/account/two-step/recovery-codes", data={"codes-password": PASSWORD})
                            .get_data(as_text=True))
    assert len(renewed) == 10 and not set(renewed) & set(codes)
    client.post("/logout")
    login(client, email)
    assert client.post("/login/code", data={"code": codes[2]}).status_code == 401


def test_wrong_codes_count_towards_the_account_lockout(app, client, people):
    email, secret = people(two_step=True)
    login(client, email)
    statuses = [client.post("/login/code", data={"code": f"00000{n}"}).status_code for n in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert client.post("/login/code", data={"code": totp_code(secret, 0)}).status_code == 429
    assert not signed_in(client)


def test_the_code_step_expires(app, client, people):
    email, secret = people(two_step=True)
    login(client, email)
    with client.session_transaction() as session:
        session["pending_sign_in"] = {**session["pending_sign_in"], "until": time.time() - 1}
    response = client.post("/login/code", data={"code": totp_code(secret, 0)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not signed_in(client)


def test_turning_two_step_off_needs_the_password(app, client, people):
    email, secret = people(two_step=True)
    login(client, email)
    client.post("/login/code", data={"code": totp_code(secret, 0)})
    client.post("/account/two-step/off", data={"off-password": "not the password"})
    with app.app_context():
        assert user_of(email).totp_enabled
    client.post("/account/two-step/off", data={"off-password": PASSWORD})
    with app.app_context():
        assert not user_of(email).totp_enabled
    client.post("/logout")
    assert login(client, email).headers["Location"].endswith("/")


@pytest.mark.parametrize("role, home", [("authority", "/authority/"), ("admin", "/admin/")])
def test_required_roles_enrol_right_after_the_password_and_can_do_nothing_else(app, client, people, required,
                                                                               role, home):
    email, _ = people(role)
    response = login(client, email)
    assert response.headers["Location"].endswith("/login/two-step-setup")
    assert client.get(home).status_code == 302 and not signed_in(client)
    assert client.get("/login/code").headers["Location"].endswith("/login/two-step-setup")
    page = client.get("/login/two-step-setup?lang=en").get_data(as_text=True)
    assert "Your role needs two-step sign-in." in page
    secret = secret_on_page(page)
    done = client.post("/login/two-step-setup", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and len(codes_on_page(done.get_data(as_text=True))) == 10
    assert client.get(home).status_code == 200
    client.post("/account/two-step/off", data={"off-password": PASSWORD})
    with app.app_context():
        assert user_of(email).totp_enabled
    client.post("/logout")
    assert login(client, email).headers["Location"].endswith("/login/code")


def test_roles_not_required_sign_in_with_the_password_alone(client, people, required):
    email, _ = people("fc_staff")
    assert login(client, email).headers["Location"].endswith("/commission/")


def test_operators_set_the_required_roles_and_proxy_hops_from_the_environment():
    settings = from_environment({"TOTP_REQUIRED_ROLES": "admin, fc_staff,", "TRUSTED_PROXY_HOPS": "1"})
    assert settings["TOTP_REQUIRED_ROLES"] == ("admin", "fc_staff") and settings["TRUSTED_PROXY_HOPS"] == 1
    assert from_environment({"TOTP_REQUIRED_ROLES": ""})["TOTP_REQUIRED_ROLES"] == ()
