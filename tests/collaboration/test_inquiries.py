"""Inquiries: asking (anonymous and signed in), handling by FC staff, referral and copy within the block
and nationwide, what producers see, and who may see what."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from locations import create_app
from locations.accounts.models import Notification, User
from locations.collaboration.inquiries import access, parse_location_slugs
from locations.collaboration.models import Inquiry, InquiryReferral
from locations.core.extensions import db
from locations.core.models import AuditEvent
from tests.builders import EHIME, KAGAWA, SAPPORO, commission, make_inquiry, make_user, published_location, signed_in
from tests.conftest import make_test_config


@pytest.fixture
def world(app):
    """Two Kagawa staff, one Ehime (same block), one Sapporo (another block), two producers, an admin."""
    with app.app_context():
        users = {
            "kagawa": make_user("fc_staff", commission=commission(KAGAWA)),
            "kagawa2": make_user("fc_staff", commission=commission(KAGAWA)),
            "ehime": make_user("fc_staff", commission=commission(EHIME)),
            "sapporo": make_user("fc_staff", commission=commission(SAPPORO)),
            "producer": make_user("producer"),
            "other_producer": make_user("producer"),
            "admin": make_user("admin"),
        }
        made = {key: user.email for key, user in users.items()}
        made["ids"] = {key: user.id for key, user in users.items()}
        made["location"] = published_location(commission(KAGAWA)).slug
        db.session.commit()
    yield made


def new_inquiry(app, world, producer=True, holder=KAGAWA) -> int:
    with app.app_context():
        producer_user = db.session.get(User, world["ids"]["producer"]) if producer else None
        inquiry = make_inquiry(commission(holder), producer_user)
        db.session.commit()
        return inquiry.id


def notifications(app, user_id, kind):
    with app.app_context():
        return [(json.loads(n.params), n.link) for n in db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind))]


ASK = {"contact_name": "山田花子", "contact_email": "Hanako@Example.com", "subject": "港での夜間撮影",
       "body": "フェリー乗り場付近で夜の撮影を検討しています", "where_text": "高松港", "date_from": "2027-03-01",
       "date_to": "2027-03-03"}


def test_anonymous_asker_reaches_the_fc_staff(app, client, world):
    data = dict(ASK, locations=f"/locations/{world['location']}")
    response = client.post(f"/commissions/{KAGAWA}/ask", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/commissions/{KAGAWA}")
    with app.app_context():
        inquiry = db.session.scalar(select(Inquiry).where(Inquiry.contact_email == "hanako@example.com"))
        assert inquiry.producer_id is None and inquiry.commission.slug == KAGAWA and inquiry.status == "new"
        assert [loc.slug for loc in inquiry.interested_locations] == [world["location"]]
        assert inquiry.proposed_locations == []
        inquiry_id = inquiry.id
    for staff in ("kagawa", "kagawa2"):
        assert notifications(app, world["ids"][staff], "inquiry_new") == [
            ({"subject": "港での夜間撮影", "from": "山田花子"}, f"/commission/inquiries/{inquiry_id}")]
    assert notifications(app, world["ids"]["ehime"], "inquiry_new") == []


@pytest.mark.parametrize("change, field_hint", [
    ({"contact_email": ""}, "contact_email"),
    ({"contact_email": "not-an-address"}, "contact_email"),
    ({"contact_name": ""}, "contact_name"),
    ({"subject": ""}, "subject"),
    ({"date_to": "2027-02-01"}, "date_to"),
    ({"date_from": "March"}, "date_from"),
    ({"locations": "no-such-place"}, "no-such-place"),
])
def test_bad_questions_come_back_with_errors(app, client, world, change, field_hint):
    response = client.post(f"/commissions/{KAGAWA}/ask", data=dict(ASK, **change))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html and field_hint in html
    with app.app_context():
        assert db.session.scalar(select(Inquiry).where(Inquiry.subject == ASK["subject"])) is None


def test_asking_an_unknown_commission_is_404(client):
    assert client.get("/commissions/no-such-fc/ask").status_code == 404


def test_a_signed_in_producer_finds_the_form_filled_and_follows_the_inquiry(app, world):
    client = signed_in(app, world["producer"])
    page = client.get(f"/commissions/{KAGAWA}/ask?location={world['location']}").get_data(as_text=True)
    assert f'value="{world["producer"]}"' in page and world["location"] in page
    response = client.post(f"/commissions/{KAGAWA}/ask", data=dict(ASK, contact_email=world["producer"]))
    assert response.status_code == 302
    with app.app_context():
        inquiry = db.session.scalar(select(Inquiry).where(Inquiry.producer_id == world["ids"]["producer"]))
        assert inquiry is not None
    assert response.headers["Location"].endswith(f"/inquiries/{inquiry.id}")
    listing = client.get("/inquiries/").get_data(as_text=True)
    assert ASK["subject"] in listing


def test_refer_hands_the_inquiry_over_with_history_and_notifications(app, world):
    inquiry_id = new_inquiry(app, world)
    kagawa = signed_in(app, world["kagawa"])
    with app.app_context():
        kagawa_fc, ehime_fc = commission(KAGAWA), commission(EHIME)
        names = (kagawa_fc.name_ja, kagawa_fc.name_en)
        kagawa_id, ehime_id = kagawa_fc.id, ehime_fc.id
        db.session.get(Inquiry, inquiry_id).assigned_to_id = world["ids"]["kagawa2"]
        db.session.commit()
    page = kagawa.get(f"/commission/inquiries/{inquiry_id}").get_data(as_text=True)
    # The neighbours of the block come before the rest of the country.
    assert page.index(f'value="{EHIME}"') < page.index(f'value="{SAPPORO}"')
    response = kagawa.post(f"/commission/inquiries/{inquiry_id}/referrals",
                           data={"to_commission": EHIME, "mode": "refer", "note": "松山城周辺の撮影なので"})
    assert response.status_code == 302
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        assert inquiry.commission_id == ehime_id
        assert inquiry.assigned_to_id is None  # Kagawa's staff member no longer works on it
        [referral] = inquiry.referrals
        assert (referral.mode, referral.from_commission_id, referral.to_commission_id, referral.note,
                referral.by_user_id) == ("refer", kagawa_id, ehime_id, "松山城周辺の撮影なので",
                                         world["ids"]["kagawa"])
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "inquiry",
                                                           AuditEvent.entity_id == inquiry_id,
                                                           AuditEvent.action == "refer"))
        assert json.loads(event.changes) == {"commission": [KAGAWA, EHIME],
                                             "assigned_to_id": [world["ids"]["kagawa2"], None]}
        subject = inquiry.subject
    assert notifications(app, world["ids"]["ehime"], "inquiry_referred") == [
        ({"subject": subject, "from_fc_ja": names[0], "from_fc_en": names[1], "note": "松山城周辺の撮影なので"},
         f"/commission/inquiries/{inquiry_id}")]
    assert notifications(app, world["ids"]["kagawa2"], "inquiry_referred") == []

    # The sender keeps read-only access; the receiver acts on it.
    page = kagawa.get(f"/commission/inquiries/{inquiry_id}").get_data(as_text=True)
    assert 'id="read-only"' in page and 'id="refer-form"' not in page and "松山城周辺の撮影なので" in page
    assert kagawa.post(f"/commission/inquiries/{inquiry_id}/messages",
                       data={"body": "x", "send_reply": "1"}).status_code == 403
    assert f"/commission/inquiries/{inquiry_id}" in kagawa.get(
        "/commission/inquiries?scope=referred").get_data(as_text=True)
    ehime = signed_in(app, world["ehime"])
    page = ehime.get(f"/commission/inquiries/{inquiry_id}").get_data(as_text=True)
    assert 'id="refer-form"' in page and 'data-mode="refer"' in page
    assert f"/commission/inquiries/{inquiry_id}" in ehime.get("/commission/inquiries").get_data(as_text=True)
    assert ehime.post(f"/commission/inquiries/{inquiry_id}/messages",
                      data={"body": "お手伝いします", "send_reply": "1"}).status_code == 302


def test_refer_needs_a_note_and_another_fc(app, world):
    inquiry_id = new_inquiry(app, world)
    kagawa = signed_in(app, world["kagawa"])
    url = f"/commission/inquiries/{inquiry_id}/referrals"
    assert kagawa.post(url, data={"to_commission": EHIME, "mode": "refer", "note": " "}).status_code == 400
    assert kagawa.post(url, data={"to_commission": KAGAWA, "mode": "copy"}).status_code == 400
    assert kagawa.post(url, data={"to_commission": "no-such-fc", "mode": "copy"}).status_code == 400
    assert kagawa.post(url, data={"to_commission": EHIME, "mode": "sideways"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(InquiryReferral).where(InquiryReferral.inquiry_id == inquiry_id)) is None
        assert db.session.get(Inquiry, inquiry_id).commission.slug == KAGAWA


def test_copy_nationwide_lets_both_fcs_work_on_it(app, world):
    inquiry_id = new_inquiry(app, world)
    kagawa = signed_in(app, world["kagawa"])
    response = kagawa.post(f"/commission/inquiries/{inquiry_id}/referrals",
                           data={"to_commission": SAPPORO, "mode": "copy", "note": ""})
    assert response.status_code == 302
    [(params, link)] = notifications(app, world["ids"]["sapporo"], "inquiry_copied")
    assert params["note"] == "" and link == f"/commission/inquiries/{inquiry_id}"
    # Copying again to the same FC is refused.
    assert kagawa.post(f"/commission/inquiries/{inquiry_id}/referrals",
                       data={"to_commission": SAPPORO, "mode": "copy"}).status_code == 400
    sapporo = signed_in(app, world["sapporo"])
    assert f"/commission/inquiries/{inquiry_id}" in sapporo.get("/commission/inquiries").get_data(as_text=True)
    assert sapporo.post(f"/commission/inquiries/{inquiry_id}/messages",
                        data={"body": "北海道でも撮れます", "add_note": "1"}).status_code == 302
    # Only the holder refers; a copied FC may not take it away from them.
    assert sapporo.post(f"/commission/inquiries/{inquiry_id}/referrals",
                        data={"to_commission": EHIME, "mode": "refer", "note": "n"}).status_code == 400
    with app.app_context():
        assert db.session.get(Inquiry, inquiry_id).commission.slug == KAGAWA
    assert [p["by"] for p, _ in notifications(app, world["ids"]["kagawa"], "inquiry_message")] == [
        make_name(app, world["ids"]["sapporo"])]


def make_name(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).display_name


def test_other_commissions_and_producers_get_404(app, world):
    inquiry_id = new_inquiry(app, world)
    for who, url in (("sapporo", f"/commission/inquiries/{inquiry_id}"),
                     ("ehime", f"/commission/inquiries/{inquiry_id}"),
                     ("other_producer", f"/inquiries/{inquiry_id}")):
        client = signed_in(app, world[who])
        assert client.get(url).status_code == 404, who
        assert f"/inquiries/{inquiry_id}" not in client.get(
            "/commission/inquiries" if who != "other_producer" else "/inquiries/").get_data(as_text=True)
    assert signed_in(app, world["other_producer"]).post(
        f"/inquiries/{inquiry_id}/messages", data={"body": "x"}).status_code == 404
    assert signed_in(app, world["producer"]).get("/commission/inquiries").status_code == 403


def test_producer_reads_replies_but_not_internal_notes(app, world):
    inquiry_id = new_inquiry(app, world)
    kagawa = signed_in(app, world["kagawa"])
    url = f"/commission/inquiries/{inquiry_id}/messages"
    assert kagawa.post(url, data={"body": "候補地を三つ探しました", "send_reply": "1"}).status_code == 302
    assert kagawa.post(url, data={"body": "港湾課に確認中(内部)", "add_note": "1"}).status_code == 302
    assert kagawa.post(url, data={"body": "", "send_reply": "1"}).status_code == 400
    producer = signed_in(app, world["producer"])
    page = producer.get(f"/inquiries/{inquiry_id}").get_data(as_text=True)
    assert "候補地を三つ探しました" in page and "港湾課に確認中" not in page
    with app.app_context():
        kagawa_fc = commission(KAGAWA)
        reply = {"fc_ja": kagawa_fc.name_ja, "fc_en": kagawa_fc.name_en}
    [(params, link)] = notifications(app, world["ids"]["producer"], "inquiry_reply")
    assert params == dict(reply, subject=params["subject"]) and link == f"/inquiries/{inquiry_id}"
    # Internal notes reach the other staff of the FC, not the producer.
    assert len(notifications(app, world["ids"]["kagawa2"], "inquiry_message")) == 1
    assert notifications(app, world["ids"]["producer"], "inquiry_message") == []
    # The producer writes back: the FC staff hear of it.
    assert producer.post(f"/inquiries/{inquiry_id}/messages", data={"body": "ありがとうございます"}).status_code == 302
    assert producer.post(f"/inquiries/{inquiry_id}/messages", data={"body": ""}).status_code == 400
    assert len(notifications(app, world["ids"]["kagawa"], "inquiry_message")) == 1
    assert "ありがとうございます" in kagawa.get(f"/commission/inquiries/{inquiry_id}").get_data(as_text=True)


def test_status_and_assignment_are_recorded_notified_and_locked(app, world):
    inquiry_id = new_inquiry(app, world)
    kagawa = signed_in(app, world["kagawa"])
    url = f"/commission/inquiries/{inquiry_id}/handling"
    data = {"status": "in_progress", "assigned_to": str(world["ids"]["kagawa2"]), "version": "1"}
    assert kagawa.post(url, data=data).status_code == 302
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        assert (inquiry.status, inquiry.assigned_to_id, inquiry.version) == ("in_progress", world["ids"]["kagawa2"], 2)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "inquiry",
                                                           AuditEvent.entity_id == inquiry_id,
                                                           AuditEvent.action == "update"))
        assert json.loads(event.changes)["status"] == ["new", "in_progress"]
    assert [p["to"] for p, _ in notifications(app, world["ids"]["producer"], "inquiry_status")] == ["in_progress"]
    # A second editor still holding version 1 gets the conflict page, with both values.
    stale = kagawa.post(url + "?lang=en", data={"status": "declined", "assigned_to": "", "version": "1"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "In progress" in html and "Declined" in html
    # Any move is allowed, backwards too; staff of another FC cannot be assigned.
    assert kagawa.post(url, data={"status": "new", "assigned_to": "", "version": "2"}).status_code == 302
    assert kagawa.post(url, data={"status": "closed", "assigned_to": str(world["ids"]["sapporo"]),
                                  "version": "3"}).status_code == 400
    assert kagawa.post(url, data={"status": "lost", "assigned_to": "", "version": "3"}).status_code == 400
    assert kagawa.post(url, data={"status": "closed", "assigned_to": "", "version": "x"}).status_code == 400
    with app.app_context():
        assert db.session.get(Inquiry, inquiry_id).status == "new"


def test_propose_published_locations(app, world):
    inquiry_id = new_inquiry(app, world)
    kagawa = signed_in(app, world["kagawa"])
    url = f"/commission/inquiries/{inquiry_id}/locations"
    assert kagawa.post(url, data={"locations": "nowhere-at-all"}).status_code == 400
    as_url = f"http://x.test/locations/{world['location']}?lang=ja"
    assert kagawa.post(url, data={"locations": as_url}).status_code == 302
    assert kagawa.post(url, data={"locations": world["location"]}).status_code == 302  # twice: still once
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        assert [loc.slug for loc in inquiry.proposed_locations] == [world["location"]]
        assert inquiry.interested_locations == []
    page = signed_in(app, world["producer"]).get(f"/inquiries/{inquiry_id}").get_data(as_text=True)
    assert f"/locations/{world['location']}" in page


def test_fc_list_filters_by_status_and_admin_only_reads(app, world):
    first, second = new_inquiry(app, world), new_inquiry(app, world, producer=False)
    with app.app_context():
        db.session.get(Inquiry, second).status = "closed"
        db.session.commit()
    kagawa = signed_in(app, world["kagawa"])
    page = kagawa.get("/commission/inquiries").get_data(as_text=True)
    assert page.index(f"/commission/inquiries/{second}") < page.index(f"/commission/inquiries/{first}")
    closed = kagawa.get("/commission/inquiries?status=closed").get_data(as_text=True)
    assert f"/commission/inquiries/{second}" in closed and f"/commission/inquiries/{first}" not in closed
    assert kagawa.get("/commission/inquiries?status=bogus").status_code == 400
    # Inquiries still held are not among those referred away.
    assert f"/commission/inquiries/{first}" not in kagawa.get(
        "/commission/inquiries?scope=referred").get_data(as_text=True)
    admin = signed_in(app, world["admin"])
    assert f"/commission/inquiries/{first}" in admin.get("/commission/inquiries").get_data(as_text=True)
    page = admin.get(f"/commission/inquiries/{first}").get_data(as_text=True)
    assert 'id="read-only"' in page and 'id="handling-form"' not in page
    assert admin.post(f"/commission/inquiries/{first}/messages",
                      data={"body": "x", "send_reply": "1"}).status_code == 403


def test_access_levels(app, world):
    inquiry_id = new_inquiry(app, world)
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        users = {key: db.session.get(User, uid) for key, uid in world["ids"].items()}
        assert access(users["kagawa"], inquiry) == "write"
        assert access(users["admin"], inquiry) == "read"
        assert access(users["ehime"], inquiry) is None
        assert access(users["producer"], inquiry) is None  # producers read through their own pages


def test_location_slugs_are_read_from_urls_and_lists():
    assert parse_location_slugs("/locations/a-b, c\nhttps://x.jp/locations/d-1?lang=en  a-b") == ["a-b", "c", "d-1"]
    assert parse_location_slugs("") == []


def test_anonymous_asking_is_rate_limited(database_url):
    app = create_app(make_test_config(database_url, LOGIN_RATE_LIMITED=True, INQUIRY_RATE_LIMIT="2 per minute"))
    client = app.test_client()
    statuses = [client.post(f"/commissions/{KAGAWA}/ask", data={}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    with app.app_context():
        db.engine.dispose()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=st.text(max_size=250), body=st.text(max_size=300), locations=st.text(max_size=80),
       email=st.one_of(st.just("asker@example.com"), st.text(max_size=40)))
def test_any_question_is_stored_or_refused_never_a_crash(app, world, subject, body, locations, email):
    response = app.test_client().post(f"/commissions/{KAGAWA}/ask", data={
        "contact_name": "テスト", "contact_email": email, "subject": subject, "body": body, "locations": locations})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        with app.app_context():
            stored = db.session.scalars(select(Inquiry).order_by(Inquiry.id.desc()).limit(1)).one()
            assert stored.subject == subject.strip() and stored.body == body.strip()


def test_the_commission_page_offers_to_ask(client):
    html = client.get(f"/commissions/{KAGAWA}").get_data(as_text=True)
    assert f'id="ask-commission" href="/commissions/{KAGAWA}/ask"' in html
    assert client.get(f"/commissions/{KAGAWA}/ask").status_code == 200
