"""Who may change shortlists: every POST route × role × own/other shortlist. Producers and FC staff keep
lists; another user's list answers 404; only FC staff send one to an inquiry their FC holds."""

from __future__ import annotations

import pytest

from locations.collaboration.models import Shortlist, ShortlistItem
from locations.core.extensions import db
from tests.builders import KAGAWA, commission, login, make_inquiry, make_user, published_location
from tests.core.test_authorization import ROLES, expected, outcome

KEEPERS = {"producer", "fc_staff"}
# endpoint → (roles allowed, whether the route acts on a shortlist the user must own)
RULES = {
    "shortlists.create": (KEEPERS, False),
    "shortlists.add": (KEEPERS, True),
    "shortlists.rename": (KEEPERS, True),
    "shortlists.update_item": (KEEPERS, True),
    "shortlists.share": (KEEPERS, True),
    "shortlists.delete": (KEEPERS, True),
    "shortlists.send": ({"fc_staff"}, True),
}
URLS = {
    "shortlists.create": "/shortlists",
    "shortlists.add": "/shortlists/add",
    "shortlists.rename": "/shortlists/{shortlist}/rename",
    "shortlists.update_item": "/shortlists/{shortlist}/items/{item}",
    "shortlists.share": "/shortlists/{shortlist}/share",
    "shortlists.delete": "/shortlists/{shortlist}/delete",
    "shortlists.send": "/shortlists/{shortlist}/send",
}


@pytest.fixture
def clean(app):
    yield


def _list(owner, location) -> tuple[int, int]:
    shortlist = Shortlist(owner_id=owner.id, name="authz")
    db.session.add(shortlist)
    db.session.flush()
    item = ShortlistItem(shortlist_id=shortlist.id, location_id=location.id, position=1)
    db.session.add(item)
    db.session.flush()
    return shortlist.id, item.id


CASES = [(e, r, o) for e in sorted(RULES) for r in ROLES for o in (("own", "other") if RULES[e][1] else ("own",))]


@pytest.mark.parametrize("endpoint, role, ownership", CASES)
def test_shortlist_route_by_role_and_ownership(app, clean, endpoint, role, ownership):
    client = app.test_client()
    with app.app_context():
        kagawa = commission(KAGAWA)
        location = published_location(kagawa)
        user = None if role == "anonymous" else make_user(role)
        stranger = make_user("producer")
        own = _list(user, location) if user is not None else (0, 0)
        other = _list(stranger, location)
        inquiry = make_inquiry(kagawa)
        db.session.commit()
        email, slug, inquiry_id = (user.email if user else None), location.slug, inquiry.id
    if email:
        assert login(client, email).status_code == 302
    shortlist_id, item_id = own if ownership == "own" else other
    url = URLS[endpoint].format(shortlist=shortlist_id or 1, item=item_id or 1)
    data = {"name": "x", "note": "n", "inquiry": str(inquiry_id), "location": slug, "shortlist": str(shortlist_id)}
    response = client.post(url, data=data)
    assert outcome(response) == expected(endpoint, role, ownership, RULES), (endpoint, role, ownership, response.status_code)
