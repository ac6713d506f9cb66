"""Who may change inquiries and know-how notes: every POST route of the area × role × own/other entity.

"Own" is the signed-in user's side: an inquiry held by their FC (Kagawa) or asked by them (producers),
a note they wrote. "Other" is an inquiry of another FC (Sapporo) asked by another producer, and a note by
another author of their block.
"""
from __future__ import annotations

import pytest

from locations.core.extensions import db
from tests.builders import KAGAWA, SAPPORO, commission, login, make_inquiry, make_note, make_user
from tests.core.test_authorization import ROLES, expected, outcome

# endpoint → (roles allowed, whether the route acts on an entity the user must own)
RULES = {
    "inquiries.ask": (set(ROLES), False),
    "inquiries.my_message": ({"producer"}, True),
    "inquiries.handling": ({"fc_staff"}, True),
    "inquiries.fc_message": ({"fc_staff"}, True),
    "inquiries.propose": ({"fc_staff"}, True),
    "inquiries.refer": ({"fc_staff"}, True),
    "board.new_note": ({"fc_staff"}, False),
    "board.edit_note": ({"fc_staff"}, True),
    "board.delete_note": ({"fc_staff"}, True),
}

URLS = {
    "inquiries.ask": "/commissions/{fc}/ask",
    "inquiries.my_message": "/inquiries/{inquiry}/messages",
    "inquiries.handling": "/commission/inquiries/{inquiry}/handling",
    "inquiries.fc_message": "/commission/inquiries/{inquiry}/messages",
    "inquiries.propose": "/commission/inquiries/{inquiry}/locations",
    "inquiries.refer": "/commission/inquiries/{inquiry}/referrals",
    "board.new_note": "/commission/board/new",
    "board.edit_note": "/commission/board/{note}/edit",
    "board.delete_note": "/commission/board/{note}/delete",
}


@pytest.fixture
def collab_clean(app):
    yield


def client_and_entities(app, role: str) -> tuple:
    """A client signed in as ``role`` and the ids of its own and another's inquiry and note."""
    client = app.test_client()
    with app.app_context():
        user = None if role == "anonymous" else make_user(role)
        kagawa, sapporo = commission(KAGAWA), commission(SAPPORO)
        colleague = make_user("fc_staff", commission=kagawa)
        own_inquiry = make_inquiry(kagawa, user if role == "producer" else None)
        other_inquiry = make_inquiry(sapporo, make_user("producer"))
        own_note = make_note(user if role == "fc_staff" else colleague)
        other_note = make_note(colleague)
        ids = {"own": {"inquiry": own_inquiry.id, "note": own_note.id, "fc": KAGAWA},
               "other": {"inquiry": other_inquiry.id, "note": other_note.id, "fc": KAGAWA}}
        email = user.email if user else None
        db.session.commit()
    if email:
        assert login(client, email).status_code == 302
    return client, ids


CASES = [(e, r, o) for e in sorted(RULES) for r in ROLES for o in (("own", "other") if RULES[e][1] else ("own",))]


@pytest.mark.parametrize("endpoint, role, ownership", CASES)
def test_collaboration_route_by_role_and_ownership(app, collab_clean, endpoint, role, ownership):
    client, ids = client_and_entities(app, role)
    response = client.post(URLS[endpoint].format(**ids[ownership]), data={})
    assert outcome(response) == expected(endpoint, role, ownership, RULES), (endpoint, role, ownership,
                                                                        response.status_code)


def test_the_urls_here_are_the_registered_ones(app):
    registered = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules() if rule.endpoint in RULES}
    for endpoint, url in URLS.items():
        assert registered[endpoint].replace("<id:inquiry_id>", "{inquiry}").replace(
            "<id:note_id>", "{note}").replace("<slug>", "{fc}") == url
