"""No silent loss in the library: a deleted location or photo is hidden at once, can be restored for
UNDO_DAYS (with an audit entry both ways), and only the daily purge removes it for good."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from locations.core.clock import now
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.library.editing import UNDO_DAYS, purge_deleted
from locations.library.models import Location, LocationCell, Photo
from tests.core.test_uploads import SLUG, folder, place  # noqa: F401 (fixtures)


def _publish(client):
    assert client.post(f"/commission/locations/{SLUG}/publish").status_code == 302


def _cell_total(app) -> int:
    with app.app_context():
        return sum(db.session.scalars(select(LocationCell.count).where(LocationCell.zoom == 5)))


def _status(client, url: str) -> int:
    response = client.get(url)
    response.close()  # a file response holds the file open until closed
    return response.status_code


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_a_deleted_location_disappears_and_comes_back_with_its_status(app, place, folder):  # noqa: F811
    _publish(place)
    cells = _cell_total(app)
    form = place.get(f"/commission/locations/{SLUG}/edit?lang=en").get_data(as_text=True)
    assert 'data-confirm="Delete “試験広場” and its 0 photo(s)?' in form  # it asks first, saying what goes
    page = place.post(f"/commission/locations/{SLUG}/delete?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "You can undo this under “Recently deleted” for 30 days" in page and "Undo: restore" in page
    listing = place.get("/commission/locations?lang=en").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", listing, re.S).group(1)
    assert "recently-deleted" not in title and listing.count('id="recently-deleted"') == 1  # once, in the page
    assert place.get(f"/locations/{SLUG}").status_code == 404
    assert place.get(f"/commission/locations/{SLUG}/edit").status_code == 404
    assert _cell_total(app) == cells - 1  # off the map too
    assert place.post(f"/commission/locations/{SLUG}/restore").status_code == 302
    assert place.get(f"/locations/{SLUG}").status_code == 200
    assert _cell_total(app) == cells
    with app.app_context():
        location = db.session.scalar(select(Location).where(Location.slug == SLUG))
        assert location.status == "published" and location.deleted_at is None
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.entity_type == "location", AuditEvent.entity_id == location.id).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["delete", "restore"]


def test_only_the_purge_after_the_undo_period_removes_a_location(app, place, folder):  # noqa: F811
    assert place.post(f"/commission/locations/{SLUG}/delete").status_code == 302
    with app.app_context():
        assert purge_deleted(now() + timedelta(days=UNDO_DAYS - 1)) == 0
        db.session.commit()
    assert place.post(f"/commission/locations/{SLUG}/restore").status_code == 302
    assert place.post(f"/commission/locations/{SLUG}/delete").status_code == 302
    with app.app_context():
        assert purge_deleted(now() + timedelta(days=UNDO_DAYS + 1)) == 1
        db.session.commit()
        assert db.session.scalar(select(Location).where(Location.slug == SLUG)) is None
    assert place.post(f"/commission/locations/{SLUG}/restore").status_code == 404


def test_a_removed_photo_can_be_restored(app, place, folder):  # noqa: F811
    _publish(place)
    place.post(f"/commission/locations/{SLUG}/photos", content_type="multipart/form-data",
               data={"photo": (io.BytesIO(_jpeg()), "a.jpg")})
    with app.app_context():
        photo_id = db.session.scalar(select(Photo.id).join(Location).where(Location.slug == SLUG))
    assert f"/photos/{photo_id}" in place.get(f"/locations/{SLUG}").get_data(as_text=True)
    page = place.post(f"/commission/photos/{photo_id}/delete?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "You can undo this below for 30 days" in page and "Undo: restore photo" in page
    assert f"/photos/{photo_id}" not in place.get(f"/locations/{SLUG}").get_data(as_text=True)
    anyone = app.test_client()
    assert _status(anyone, f"/photos/{photo_id}") == 404
    assert _status(place, f"/photos/{photo_id}") == 200  # its FC still sees it, to decide
    assert place.post(f"/commission/photos/{photo_id}/restore").status_code == 302
    assert f"/photos/{photo_id}" in place.get(f"/locations/{SLUG}").get_data(as_text=True)
    assert _status(anyone, f"/photos/{photo_id}") == 200
