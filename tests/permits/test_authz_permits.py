"""Who may change an authority's record: every role × own/other office.

"Own" is the officer's own office (the builders link officers to the Kagawa police HQ), "other" an office they
do not act for (the Hokkaido police HQ). Admins reach every office: for them no office is another's.
"""
from __future__ import annotations

import pytest

from locations.core.extensions import db
from tests.builders import authority, signed_in
from tests.core.test_authorization import ROLES, expected, outcome

# endpoint → (roles allowed, whether the route acts on an office someone owns)
RULES = {
    "permits.edit_authority": ({"admin", "authority"}, True),
}

CASES = [(e, r, o) for e in sorted(RULES) for r in ROLES for o in ("own", "other")]


@pytest.mark.parametrize("endpoint, role, ownership", CASES)
def test_authority_edits_by_role_and_ownership(app, endpoint, role, ownership):
    with app.app_context():
        office_id = authority("police-hq-37" if ownership == "own" else "police-hq-01").id
        db.session.remove()
    client = app.test_client() if role == "anonymous" else signed_in(app, role=role)
    response = client.post(f"/authorities/{office_id}/edit", data={})
    want = "allowed" if role == "admin" else expected(endpoint, role, ownership, RULES)
    assert outcome(response) == want, (endpoint, role, ownership, response.status_code)


def test_rules_name_registered_routes(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert set(RULES) <= registered
