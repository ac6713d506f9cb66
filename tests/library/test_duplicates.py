"""The duplicate finder and merge: same name within a few tens of metres or the same address; merging keeps
photos, links and history (audit entries on both) and refreshes the map cells and statistics."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from locations.collaboration.models import Inquiry, inquiry_location
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.directory.models import FilmCommission
from locations.library.duplicates import find_duplicates, merge, normalised_address, normalised_name
from locations.library.importing import apply_plan
from locations.library.intake import plan_file
from locations.library.models import Location, Photo
from tests.builders import login, make_commission, make_inquiry, make_user

FILE = ("名称,住所,緯度,経度,説明\n"
        "栗林公園,香川県高松市栗林町1-20-16,34.32992,134.04576,\n"
        "栗林 公園,,34.33010,134.04590,特別名勝の庭園\n"  # ~25 m away, written with a space
        "栗林公園,,34.25000,134.04000,\n"  # same name, 9 km away: another place
        "高松市役所,香川県高松市番町一丁目8-15,34.3428,134.0467,\n"
        "市役所本庁舎,香川県高松市番町1丁目8番15号,34.3429,134.0468,\n")


@pytest.fixture
def fc(app_context):
    commission = make_commission()
    db.session.commit()
    yield commission
    db.session.rollback()
    ids = select(Location.id).where(Location.commission_id == commission.id)
    db.session.execute(delete(inquiry_location).where(inquiry_location.c.location_id.in_(ids)))
    db.session.execute(delete(Inquiry).where(Inquiry.commission_id == commission.id))
    db.session.execute(delete(Location).where(Location.commission_id == commission.id))
    db.session.execute(delete(AuditEvent).where(AuditEvent.commission_id == commission.id))
    db.session.execute(delete(FilmCommission).where(FilmCommission.id == commission.id))
    db.session.commit()


def imported(fc) -> dict[str, Location]:
    plan = plan_file(FILE.encode(), "d.csv", fc, {"columns": {"name_ja": "名称", "address": "住所", "lat": "緯度",
                                                               "lon": "経度", "description_ja": "説明"},
                                                   "defaults": {"category": "park", "source": "test"}})
    apply_plan(plan, fc)
    db.session.commit()
    return {f"{loc.name_ja}@{loc.lat}": loc for loc in db.session.scalars(select(Location).where(
        Location.commission_id == fc.id))}


def test_normalising_names_and_addresses():
    assert normalised_name("栗林 公園") == normalised_name("栗林公園") == normalised_name("栗林・公園")
    assert normalised_address("香川県高松市番町一丁目8-15") == normalised_address("香川県高松市番町1-8-15")
    assert normalised_address("香川県高松市") is None
    assert normalised_address("香川県高松市番町1丁目8番15号") == normalised_address("香川県高松市番町1-8-15")


def test_finds_the_same_name_nearby_and_the_same_address_but_not_a_namesake_far_away(fc):
    places = imported(fc)
    pairs = {(p.first.name_ja, p.second.name_ja, p.reason) for p in find_duplicates(fc.id)}
    assert ("栗林公園", "栗林 公園", "name") in pairs
    assert len([p for p in pairs if p[2] == "name"]) == 1
    assert ("高松市役所", "市役所本庁舎", "address") in pairs  # 番町一丁目8-15 = 番町1丁目8番15号
    assert len(places) == 5


def test_merging_keeps_photos_links_and_history(fc):
    places = imported(fc)
    keep, drop = places["栗林公園@34.32992"], places["栗林 公園@34.3301"]
    photo = Photo(location_id=drop.id, filename="dup-test.jpg", content_type="image/jpeg", width=1, height=1)
    db.session.add(photo)
    inquiry = make_inquiry(fc)
    db.session.execute(inquiry_location.insert().values(inquiry_id=inquiry.id, location_id=drop.id, proposed=True))
    db.session.commit()
    drop_id, drop_slug = drop.id, drop.slug
    changes = merge(keep, drop)
    db.session.commit()
    assert changes["description_ja"] == [None, "特別名勝の庭園"]
    assert db.session.get(Location, drop_id) is None
    assert [p.filename for p in keep.photos] == ["dup-test.jpg"]
    linked = db.session.execute(select(inquiry_location.c.location_id).where(
        inquiry_location.c.inquiry_id == inquiry.id)).scalars().all()
    assert linked == [keep.id]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "merge",
                                                         AuditEvent.commission_id == fc.id)).all()
    assert {(e.entity_id, e.detail) for e in events} == {(keep.id, f"merged {drop_slug}"),
                                                         (drop_id, f"merged into {keep.slug}")}
    assert [p for p in find_duplicates(fc.id) if p.reason == "name"] == []
    db.session.delete(keep.photos[0])
    db.session.commit()


def test_the_workspace_lists_and_merges_only_its_own(app):
    client = app.test_client()
    with app.app_context():
        user = make_user("fc_staff")
        db.session.commit()
        email = user.email
        other = make_commission()
        db.session.commit()
        plan = plan_file(FILE.encode(), "d.csv", other, {"columns": {"name_ja": "名称", "lat": "緯度", "lon": "経度"},
                                                          "defaults": {"category": "park", "source": "test"}})
        apply_plan(plan, other)
        db.session.commit()
        foreign = db.session.scalars(select(Location.id).where(Location.commission_id == other.id)).all()
        other_id = other.id
    try:
        login(client, email)
        page = client.get("/commission/duplicates?lang=ja")
        assert page.status_code == 200 and "重複" in page.get_data(as_text=True)
        assert client.post("/commission/duplicates/merge", data={"keep": foreign[0], "drop": foreign[1]}).status_code == 404
        assert client.post("/commission/duplicates/merge", data={"keep": "x", "drop": "1"}).status_code == 400
    finally:
        with app.app_context():
            from locations.accounts.models import User

            db.session.execute(delete(Location).where(Location.commission_id == other_id))
            db.session.execute(delete(FilmCommission).where(FilmCommission.id == other_id))
            db.session.execute(delete(AuditEvent).where(AuditEvent.actor == email))
            db.session.execute(delete(User).where(User.email == email))
            db.session.commit()
