"""Shortlists (issue 14, point 5): named lists with notes, kept by their owner only, a read-only link that
can be revoked, a printable sheet with a map and photos, and FC staff answering an inquiry with one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from locations.collaboration.models import InquiryMessage, Shortlist, inquiry_location
from locations.core.extensions import db
from tests.builders import commission, login, make_inquiry, make_user, published_location


@pytest.fixture
def keepers(app):
    with app.app_context():
        kagawa = commission("kagawa-film-commission")
        producer, other, staff = make_user("producer"), make_user("producer"), make_user("fc_staff")
        location = published_location(kagawa)
        inquiry = make_inquiry(kagawa, producer)
        db.session.commit()
        made = {
            "producer": producer.email,
            "other": other.email,
            "staff": staff.email,
            "slug": location.slug,
            "inquiry": inquiry.id,
            "producer_id": producer.id,
        }
    clients = {}
    for key in ("producer", "other", "staff"):
        clients[key] = app.test_client()
        login(clients[key], made[key])
    yield made, clients


def _new_list(client, name="Harbour scouting") -> int:
    response = client.post("/shortlists", data={"name": name})
    assert response.status_code == 302
    return int(re.search(r"/shortlists/(\d+)", response.headers["Location"]).group(1))


def test_a_producer_collects_notes_shares_and_revokes(app, client, keepers):
    made, clients = keepers
    me = clients["producer"]
    list_id = _new_list(me)
    answer = me.post(
        "/shortlists/add",
        data={"shortlist": str(list_id), "location": made["slug"], "note": "Night scene by the water"},
    )
    assert answer.status_code == 302
    page = me.get(f"/shortlists/{list_id}?lang=en").get_data(as_text=True)
    assert "Night scene by the water" in page and made["slug"] in page
    # Nobody else sees it, nor changes it.
    assert clients["other"].get(f"/shortlists/{list_id}").status_code == 404
    assert clients["other"].post(f"/shortlists/{list_id}/share").status_code == 404
    assert client.get(f"/shortlists/{list_id}").status_code == 302  # anonymous: sign in first
    # A read-only link for the team: the sheet with the map, the note, no editing.
    me.post(f"/shortlists/{list_id}/share")
    with app.app_context():
        token = db.session.get(Shortlist, list_id).share_token
    assert token
    sheet = client.get(f"/s/{token}?lang=zh_Hans")
    text = sheet.get_data(as_text=True)
    assert sheet.status_code == 200 and "Night scene by the water" in text and "只读" in text
    assert "map-frame" in text and "/shortlists/" not in text.split("<main", 1)[1].split("</main>")[0].replace(
        f"/s/{token}", ""
    )
    # Revoked: the link is dead.
    me.post(f"/shortlists/{list_id}/share", data={"revoke": "1"})
    assert client.get(f"/s/{token}").status_code == 404
    assert client.get("/s/not-a-token").status_code == 404


def test_names_are_required_and_errors_rerender(keepers):
    _, clients = keepers
    response = clients["producer"].post("/shortlists?lang=en", data={"name": "  "})
    assert response.status_code == 400 and "Give the shortlist a name." in response.get_data(as_text=True)


def test_notes_change_and_items_go(app, keepers):
    made, clients = keepers
    me = clients["producer"]
    list_id = _new_list(me)
    me.post("/shortlists/add", data={"shortlist": str(list_id), "location": made["slug"]})
    with app.app_context():
        item_id = db.session.get(Shortlist, list_id).items[0].id
    me.post(f"/shortlists/{list_id}/items/{item_id}", data={"note": "Parking behind"})
    with app.app_context():
        assert db.session.get(Shortlist, list_id).items[0].note == "Parking behind"
    me.post(f"/shortlists/{list_id}/items/{item_id}", data={"remove": "1"})
    with app.app_context():
        assert db.session.get(Shortlist, list_id).items == []
    assert me.post(f"/shortlists/{list_id}/items/999999", data={"note": "x"}).status_code == 404


def test_fc_staff_answer_an_inquiry_with_a_shortlist(app, keepers):
    made, clients = keepers
    staff = clients["staff"]
    list_id = _new_list(staff, "For the port inquiry")
    staff.post("/shortlists/add", data={"shortlist": str(list_id), "location": made["slug"], "note": "Quiet at 6am"})
    assert "Send as a reply to an inquiry" in staff.get(f"/shortlists/{list_id}?lang=en").get_data(as_text=True)
    response = staff.post(f"/shortlists/{list_id}/send", data={"inquiry": str(made["inquiry"])})
    assert response.status_code == 302
    with app.app_context():
        shortlist = db.session.get(Shortlist, list_id)
        assert shortlist.share_token  # shared so the asker can open it
        [reply] = db.session.scalars(select(InquiryMessage).where(InquiryMessage.inquiry_id == made["inquiry"])).all()
        assert not reply.internal and f"/s/{shortlist.share_token}" in reply.body and "Quiet at 6am" in reply.body
        proposed = db.session.execute(
            select(inquiry_location.c.location_id).where(
                inquiry_location.c.inquiry_id == made["inquiry"], inquiry_location.c.proposed.is_(True)
            )
        ).all()
        assert len(proposed) == 1
    # Producers cannot send; staff cannot send to an inquiry their FC does not hold.
    assert clients["producer"].post(f"/shortlists/{list_id}/send", data={"inquiry": "1"}).status_code == 403
    assert staff.post(f"/shortlists/{list_id}/send", data={"inquiry": "999999"}).status_code == 404


def test_the_location_page_offers_the_form_to_keepers_only(keepers, client):
    made, clients = keepers
    assert 'id="add-to-shortlist"' in clients["producer"].get(f"/locations/{made['slug']}").get_data(as_text=True)
    assert 'id="add-to-shortlist"' not in client.get(f"/locations/{made['slug']}").get_data(as_text=True)
    response = clients["producer"].post(
        "/shortlists/add", data={"shortlist": "new", "name": "Quick list", "location": made["slug"]}
    )
    assert response.status_code == 302
