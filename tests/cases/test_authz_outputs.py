"""Who may use the notification and calendar actions: every role × own/other entity."""
from __future__ import annotations

import pytest

from locations.accounts.notifications import notify
from locations.core.extensions import db
from tests.builders import login, make_case, make_user
from tests.core.test_authorization import ROLES, expected, outcome

SIGNED_IN = {"producer", "authority", "fc_staff", "admin"}

# endpoint → (roles allowed, whether the route acts on an entity someone owns)
RULES = {
    "cases.rotate_calendar": ({"producer"}, True),
    "accounts.read_all_notifications": (SIGNED_IN, False),
    "accounts.read_notification": (SIGNED_IN, True),
}


def url_for_case(endpoint: str, role: str, ownership: str, app) -> tuple[object, str]:
    """A client signed in as ``role`` and the URL of its own (or someone else's) entity."""
    client = app.test_client()
    with app.app_context():
        me = make_user(role if role != "anonymous" else "producer")
        stranger = make_user("producer")
        owner = me if ownership == "own" else stranger
        if endpoint == "cases.rotate_calendar":
            url = f"/productions/{make_case(owner).id}/calendar/rotate"
        elif endpoint == "accounts.read_notification":
            note = notify([owner], "inquiry_status", {"subject": "S", "to": "closed"}, "/inquiries/1")[0]
            url = f"/notifications/{note.id}/read"
        else:
            url = "/notifications/read-all"
        db.session.commit()
        email = me.email
    if role != "anonymous":
        assert login(client, email).status_code == 302
    return client, url


@pytest.fixture
def clean(app):
    yield


CASES = [(e, r, o) for e in sorted(RULES) for r in ROLES for o in (("own", "other") if RULES[e][1] else ("own",))]


@pytest.mark.parametrize("endpoint, role, ownership", CASES)
def test_outputs_actions_by_role_and_ownership(app, clean, endpoint, role, ownership):
    client, url = url_for_case(endpoint, role, ownership, app)
    response = client.post(url, data={})
    assert outcome(response) == expected(endpoint, role, ownership, RULES), (endpoint, role, ownership, response.status_code)


def test_rules_name_registered_routes(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert set(RULES) <= registered
