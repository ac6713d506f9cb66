"""Owner and manager contacts of a location (issue 14, point 6): the owning FC's staff alone see and edit
them, choose per field what signed-in producers see, and every change is audited without the values."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from locations.core.extensions import db
from locations.core.models import AuditEvent
from tests.builders import commission, login, make_user, published_location

CONTACT = {
    "name": "山田 花子",
    "organisation": "栗林公園観光事務所",
    "phone": "087-833-7411",
    "email": "yamada@example.jp",
    "note": "平日 9-17時",
}


@pytest.fixture
def world(app):
    with app.app_context():
        location = published_location(commission("kagawa-film-commission"))
        users = {
            "staff": make_user("fc_staff"),
            "other_staff": make_user("fc_staff", commission=commission("sapporo-film-commission")),
            "producer": make_user("producer"),
            "unverified": make_user("producer", verified=False),
        }
        db.session.commit()
        made = {"slug": location.slug, "location_id": location.id, **{k: u.email for k, u in users.items()}}
    clients = {}
    for key in ("staff", "other_staff", "producer", "unverified"):
        clients[key] = app.test_client()
        login(clients[key], made[key])
    return made, clients


def test_the_owning_fc_shares_chosen_fields_with_producers(app, client, world):
    made, clients = world
    url = f"/commission/locations/{made['slug']}/contact"
    assert clients["other_staff"].get(url).status_code == 404
    assert clients["producer"].get(url).status_code == 403
    form = {**CONTACT, "share_organisation": "y", "share_phone": "y"}
    assert clients["staff"].post(url, data=form).status_code == 302
    page = f"/locations/{made['slug']}?lang=en"
    shown = clients["producer"].get(page).get_data(as_text=True)
    assert "栗林公園観光事務所" in shown and "087-833-7411" in shown
    assert "山田 花子" not in shown and "yamada@example.jp" not in shown and "平日 9-17時" not in shown
    # The FC's own staff see everything; anonymous readers, unconfirmed accounts and other FCs see nothing.
    own = clients["staff"].get(page).get_data(as_text=True)
    assert all(value in own for value in CONTACT.values())
    for reader in (client, clients["unverified"], clients["other_staff"]):
        assert "087-833-7411" not in reader.get(page).get_data(as_text=True)
    # Audited: which fields changed and the sharing choices, never the values.
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "location_contact").order_by(AuditEvent.id.desc())
        ).first()
        changes = json.loads(event.changes)
        assert changes["share_phone"] == [False, True] and changes["phone"] == [None, "(changed)"]
        assert "087-833-7411" not in event.changes and "yamada" not in event.changes
        assert event.entity_label is None
    # Taking a field back hides it at once.
    assert clients["staff"].post(url, data={**CONTACT, "share_organisation": "y"}).status_code == 302
    assert "087-833-7411" not in clients["producer"].get(page).get_data(as_text=True)


def test_bad_values_rerender_with_errors(world):
    made, clients = world
    response = clients["staff"].post(
        f"/commission/locations/{made['slug']}/contact?lang=en", data={"phone": "call me", "email": "not-an-email"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Use digits, spaces, +, - and brackets only." in page and 'value="call me"' in page
