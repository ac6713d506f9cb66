import io

import pytest
from PIL import Image
from sqlalchemy import select

from locations.core.extensions import db
from locations.library.models import Location, Photo
from locations.library.photos import PhotoError, save_photo


def image_bytes(kind="JPEG", size=(1200, 800), exif=False) -> io.BytesIO:
    image = Image.new("RGB", size, (30, 120, 200))
    buffer = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        options["exif"] = data
    image.save(buffer, format=kind, **options)
    buffer.seek(0)
    return buffer


@pytest.fixture
def location(app):
    with app.app_context():
        yield db.session.scalar(select(Location).where(Location.name_ja == "不動の滝"))


@pytest.fixture
def instance_dir(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def test_photo_is_stored_thumbnailed_stripped_and_served(app, client, instance_dir, file_storage):
    with app.app_context():
        loc = db.session.scalar(select(Location).where(Location.name_ja == "不動の滝"))
        photo = save_photo(loc, image_bytes(exif=True), caption_ja="滝の全景", caption_en="The falls", credit="Kagawa FC")
        db.session.commit()
        photo_id, slug, name = photo.id, loc.slug, photo.filename
    try:
        with client.get(f"/photos/{photo_id}") as original:
            assert original.status_code == 200 and original.mimetype == "image/jpeg"
            assert original.headers["X-Content-Type-Options"] == "nosniff"
            stored = Image.open(io.BytesIO(original.data))
        assert "SecretCam" not in str(dict(stored.getexif()))
        with client.get(f"/photos/{photo_id}/thumb") as response:
            thumb = Image.open(io.BytesIO(response.data))
        assert max(thumb.size) <= 480
        page = client.get(f"/locations/{slug}?lang=en").get_data(as_text=True)
        assert f"/photos/{photo_id}/thumb" in page and "The falls" in page and "Kagawa FC" in page
        feature = client.get(f"/api/locations/{slug}").get_json()
        assert feature["properties"]["photos"][0]["caption_ja"] == "滝の全景"
        assert file_storage() == [f"photos/{name}", f"photos/thumbs/{name}"]
        assert (instance_dir / "photos" / name).exists() == (file_storage.mode == "filesystem")
    finally:
        with app.app_context():
            db.session.delete(db.session.get(Photo, photo_id))
            db.session.commit()


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a readable"),
        (b"GIF89a" + b"\0" * 100, "not a readable"),
        (image_bytes("GIF").getvalue(), "only JPEG, PNG and WebP"),
        (b"\xff\xd8\xff" + b"\0" * 50, "not a readable"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(app, location, instance_dir, file_storage, payload, message):
    with pytest.raises(PhotoError, match=message):
        save_photo(location, io.BytesIO(payload))
    db.session.rollback()
    assert file_storage() == []


def test_oversized_upload_is_refused(app, location, instance_dir):
    app.config["MAX_PHOTO_BYTES"] = 1000
    try:
        with pytest.raises(PhotoError, match="larger than"):
            save_photo(location, image_bytes())
    finally:
        app.config["MAX_PHOTO_BYTES"] = 10 * 1024 * 1024


def test_unknown_photo_is_404(client):
    assert client.get("/photos/999999").status_code == 404
