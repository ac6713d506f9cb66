"""Who may use the account routes: every POST route of sign-in, sign-up, resets and /account × role.

"Own" for a session is one of the signed-in user's; "other" is another user's session, which answers 404.
The code steps of sign-in send anyone without a half-done sign-in back to the sign-in page.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from locations.accounts.models import User, UserSession
from locations.core.extensions import db
from tests.builders import login, make_user
from tests.core.test_authorization import ROLES, expected, outcome

SIGNED_IN = {"producer", "authority", "fc_staff", "admin"}

# endpoint → (roles allowed, whether the route acts on an entity the user must own)
RULES = {
    "accounts.two_step": (SIGNED_IN, False),
    "accounts.two_step_enrol": (SIGNED_IN, False),
    "accounts.change_password": (SIGNED_IN, False),
    "accounts.end_other_sessions": (SIGNED_IN, False),
    "accounts.end_session": (SIGNED_IN, True),
    "accounts.two_step_setup": (SIGNED_IN, False),
    "accounts.two_step_off": (SIGNED_IN, False),
    "accounts.new_recovery_codes": (SIGNED_IN, False),
    "accounts.resend_verification": (SIGNED_IN, False),
    "accounts.verify_email": (set(ROLES), False),
    "accounts.forgot_password": (set(ROLES), False),
    "accounts.reset_password": (set(ROLES), False),
}

URLS = {
    "accounts.two_step": "/login/code",
    "accounts.two_step_enrol": "/login/two-step-setup",
    "accounts.change_password": "/account/password",
    "accounts.end_other_sessions": "/account/sessions/end-others",
    "accounts.end_session": "/account/sessions/{session}/end",
    "accounts.two_step_setup": "/account/two-step",
    "accounts.two_step_off": "/account/two-step/off",
    "accounts.new_recovery_codes": "/account/two-step/recovery-codes",
    "accounts.resend_verification": "/account/verify-email/send",
    "accounts.verify_email": "/verify-email/not-a-token",
    "accounts.forgot_password": "/password/forgot",
    "accounts.reset_password": "/password/reset/not-a-token",
}


@pytest.fixture
def people(app):
    emails = []
    return emails


def client_and_sessions(app, role: str, emails: list) -> tuple:
    client = app.test_client()
    with app.app_context():
        other = make_user("producer")
        user = None if role == "anonymous" else make_user(role)
        emails.extend([other.email] + ([user.email] if user else []))
        db.session.commit()
        other_email, email = other.email, user.email if user else None
    assert login(app.test_client(), other_email).status_code == 302
    if email:
        assert login(client, email).status_code == 302
    with app.app_context():
        def newest(address):
            return db.session.scalar(select(UserSession.id).join(User).where(User.email == address)
                                     .order_by(UserSession.id.desc())) if address else 0
        # Anonymous visitors have no session of their own: they try someone else's (a real id).
        ids = {"own": newest(email) or newest(other_email), "other": newest(other_email)}
    return client, ids


CASES = [(e, r, o) for e in sorted(RULES) for r in ROLES for o in (("own", "other") if RULES[e][1] else ("own",))]


@pytest.mark.parametrize("endpoint, role, ownership", CASES)
def test_account_route_by_role(app, people, endpoint, role, ownership):
    client, ids = client_and_sessions(app, role, people)
    url = URLS[endpoint].format(session=ids[ownership])
    response = client.post(url, data={})
    assert outcome(response) == expected(endpoint, role, ownership, RULES), (endpoint, role, ownership, response.status_code)


def test_every_rule_has_a_url():
    assert set(RULES) == set(URLS)
