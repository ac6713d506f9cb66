"""Uploads on the open internet: pixel budgets checked before decoding, files that follow their rows
(deleted with them, gone when the upload fails), hostile document names, metadata stripped from image
documents, and what caches may keep."""
import io
import struct
import zlib
from datetime import timedelta

import pytest
from PIL import ExifTags, Image, ImageFile, PngImagePlugin
from sqlalchemy import select

from locations.cases import documents as step_documents
from locations.cases.models import PermitStep, StepDocument
from locations.core.clock import now, today_jst
from locations.core.extensions import db
from locations.directory.models import FilmCommission
from locations.library.editing import UNDO_DAYS, purge_deleted
from locations.library.models import Location, LocationCategory, Photo
from tests.builders import PDF, login, make_user

SLUG = "uploads-test-place"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` RGBA pixels in a few bytes, like the review's 155 KB flood."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def jpeg(size, exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[ExifTags.Base.Make] = "SecretCam"
        data[ExifTags.Base.Orientation] = 6  # the camera was turned: shown rotated 90°
        gps = data.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (34.0, 20.0, 30.0)
        options["exif"] = data
    image.save(out, format="JPEG", comment=b"home of the location owner", **options)
    return out.getvalue()


def png(size, text: str = "") -> bytes:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    Image.new("RGB", size, (10, 200, 10)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
def folder(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def place(app):
    """A draft location of the Kagawa FC and a signed-in client of its staff."""
    with app.app_context():
        fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
        park = db.session.scalar(select(LocationCategory.id).where(LocationCategory.code == "park"))
        db.session.add(Location(slug=SLUG, commission_id=fc.id, name_ja="試験広場", category_id=park,
                                prefecture_id=fc.prefecture_id, lat=34.34, lon=134.05, status="draft", source="test",
                                last_verified=today_jst()))
        email = make_user("fc_staff").email
        db.session.commit()
    client = app.test_client()
    login(client, email)
    return client


def upload(client, data: bytes, name: str = "photo.jpg"):
    return client.post(f"/commission/locations/{SLUG}/photos?lang=en", content_type="multipart/form-data",
                       data={"photo": (io.BytesIO(data), name)}, follow_redirects=True)


def photo_rows(app) -> list[Photo]:
    with app.app_context():
        return list(db.session.scalars(select(Photo).join(Location).where(Location.slug == SLUG)))


# --- pixel budgets --------------------------------------------------------------------------------------

def test_pixel_flood_is_refused_from_the_header_without_decoding(app, place, folder, file_storage, monkeypatch):
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image.size))
    page = upload(place, png_header_only(6320, 6320), "flood.png").get_data(as_text=True)
    assert "too many pixels (39.9 megapixels; at most 16.0)" in page
    assert decoded == [] and photo_rows(app) == [] and file_storage() == []


def test_a_large_jpeg_photo_decodes_at_a_reduced_scale(app, place, folder, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_MAX_PIXELS", 1_000_000)
    decoded = []
    load = ImageFile.ImageFile.load

    def spy(image):
        decoded.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    assert "Photo added" in upload(place, jpeg((1800, 1200))).get_data(as_text=True)
    assert decoded and all(w * h <= 1_000_000 for w, h in decoded)
    assert [(p.width, p.height) for p in photo_rows(app)] == [(900, 600)]
    # Up to four times the budget only: beyond it even half scale is too big.
    assert "too many pixels" in upload(place, jpeg((2100, 2000))).get_data(as_text=True)
    # Other formats cannot decode at a reduced scale, so the budget itself is their limit.
    assert "too many pixels" in upload(place, png((1100, 1000)), "wide.png").get_data(as_text=True)
    assert len(photo_rows(app)) == 1


def test_a_cmyk_jpeg_photo_is_stored_as_rgb(app, place, folder, file_storage):
    out = io.BytesIO()
    Image.new("CMYK", (300, 200), (10, 200, 30, 0)).save(out, format="JPEG")
    assert "Photo added" in upload(place, out.getvalue()).get_data(as_text=True)
    with place.get(f"/photos/{photo_rows(app)[0].id}") as response, Image.open(io.BytesIO(response.data)) as kept:
        assert kept.mode == "RGB"


# --- files follow their rows ------------------------------------------------------------------------------

def test_deleting_a_location_keeps_its_photo_files_until_the_purge(app, place, folder, file_storage):
    assert "Photo added" in upload(place, jpeg((640, 480))).get_data(as_text=True)
    assert "Photo added" in upload(place, png((300, 200)), "b.png").get_data(as_text=True)
    assert len(file_storage()) == 4  # two originals, two thumbnails
    # Kept in the configured place only.
    assert len([p for p in folder.rglob("*") if p.is_file()]) == (4 if file_storage.mode == "filesystem" else 0)
    assert place.post(f"/commission/locations/{SLUG}/delete").status_code == 302
    # Deleted, but undoable: rows and files stay until the undo period is over.
    assert len(file_storage()) == 4 and len(photo_rows(app)) == 2
    with app.app_context():
        assert purge_deleted(now() + timedelta(days=UNDO_DAYS - 1)) == 0
        assert purge_deleted(now() + timedelta(days=UNDO_DAYS + 1)) == 1
        db.session.commit()
    assert file_storage() == [] and photo_rows(app) == []


def test_a_delete_that_rolls_back_keeps_the_files(app, place, folder, file_storage):
    upload(place, jpeg((640, 480)))
    with app.app_context():
        photo = db.session.scalar(select(Photo).join(Location).where(Location.slug == SLUG))
        db.session.delete(photo)
        db.session.flush()
        db.session.rollback()
    assert len(file_storage()) == 2 and len(photo_rows(app)) == 1


def test_a_failed_photo_upload_leaves_no_files(app, place, folder, file_storage, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr("locations.library.views.workspace.audit.record", broken)
    with pytest.raises(RuntimeError):
        upload(place, jpeg((640, 480)))
    assert file_storage() == [] and photo_rows(app) == []


def test_a_document_whose_row_cannot_be_saved_writes_no_file(app, people, case, file_storage, monkeypatch):
    def refused():
        raise ValueError("PostgreSQL: text fields cannot contain NUL")

    monkeypatch.setattr(step_documents.db.session, "flush", refused)
    with pytest.raises(ValueError):
        people["clients"]["producer"].post(case["url"]("road") + "/documents", content_type="multipart/form-data",
                                           data={"doc-file": (io.BytesIO(PDF), "a.pdf")})
    assert file_storage() == []


def test_a_document_upload_failing_after_the_file_is_written_removes_it(app, people, case, file_storage,
                                                                       monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr("locations.cases.views.steps.cases.note_document", broken)
    with pytest.raises(RuntimeError):
        people["clients"]["producer"].post(case["url"]("road") + "/documents", content_type="multipart/form-data",
                                           data={"doc-file": (io.BytesIO(PDF), "a.pdf")})
    assert file_storage() == []
    with app.app_context():
        assert db.session.scalar(select(StepDocument).where(StepDocument.step_id == case["road"])) is None


def test_a_deleted_steps_documents_go_with_it_once_committed(app, people, case, file_storage):
    """A shoot with documents can only be withdrawn; the ORM cascade (a production's deletion) is what removes
    them, and it must take the stored files along, in either store."""
    send_document(people, case, PDF, "plan.pdf")
    assert len(file_storage()) == 1
    with app.app_context():
        db.session.delete(db.session.get(PermitStep, case["road"]))
        db.session.commit()
    assert file_storage() == []


# --- step documents -------------------------------------------------------------------------------------

def send_document(people, case, data: bytes, name: str, who: str = "producer"):
    return people["clients"][who].post(case["url"]("road") + "/documents?lang=en", content_type="multipart/form-data",
                                       data={"doc-file": (io.BytesIO(data), name)})


def only_document(app, case) -> StepDocument:
    with app.app_context():
        return db.session.scalar(select(StepDocument).where(StepDocument.step_id == case["road"]))


@pytest.mark.parametrize("uploaded, shown", [
    ("nul\x00.pdf", "nul.pdf"),
    ("許可\u202egpj.pdf", "許可gpj.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:/Users/me/申請\t書 (2).pdf", "申請書 (2).pdf"),
    ("\x00\x00.pdf", "document.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_hostile_document_names_are_cleaned_and_download(app, people, case, uploaded, shown):
    assert send_document(people, case, PDF, uploaded).status_code == 302
    document = only_document(app, case)
    assert document.original_name == shown
    response = people["clients"]["authority"].get(f"{case['url']('road')}/documents/{document.id}")
    assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "\x00" not in disposition and "\r" not in disposition
    response.close()


def test_display_names_drop_windows_folders_and_invisible_characters():
    assert step_documents.display_name("C:\\Users\\me\\計画\u200b書.PDF") == "計画書.PDF"
    assert step_documents.display_name("ｶﾀｶﾅ\u2066.pdf") == "ｶﾀｶﾅ.pdf"


def test_documents_download_sandboxed_privately(app, people, case, file_storage):
    send_document(people, case, PDF, "plan.pdf")
    response = people["clients"]["fc_staff"].get(f"{case['url']('road')}/documents/{only_document(app, case).id}")
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'; sandbox"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    response.close()


def test_image_documents_lose_their_metadata_and_keep_their_pixels(app, people, case, file_storage):
    assert send_document(people, case, jpeg((400, 300), exif=True), "site.jpg").status_code == 302
    document = only_document(app, case)
    response = people["clients"]["authority"].get(f"{case['url']('road')}/documents/{document.id}")
    kept = Image.open(io.BytesIO(response.data))
    response.close()
    exif = kept.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif
    assert b"SecretCam" not in response.data and b"home of the location owner" not in response.data
    assert kept.size == (300, 400)  # turned upright, since the orientation tag is gone
    assert document.size == len(response.data)


def test_png_documents_lose_their_text_chunks(app, people, case):
    assert send_document(people, case, png((200, 100), text="GPS 34.34,134.05"), "map.png").status_code == 302
    response = people["clients"]["producer"].get(f"{case['url']('road')}/documents/{only_document(app, case).id}")
    assert b"GPS 34.34" not in response.data and Image.open(io.BytesIO(response.data)).size == (200, 100)
    response.close()


@pytest.mark.parametrize("data, name, reason", [
    (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "page.png", "does not match its type"),
    (png_header_only(6320, 6320), "flood.png", "too many pixels"),
])
def test_image_documents_that_are_not_images_or_too_big_are_refused(app, people, case, data, name, reason):
    response = send_document(people, case, data, name)
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert only_document(app, case) is None


# --- caching --------------------------------------------------------------------------------------------

def test_draft_photos_are_not_cached_and_published_ones_are(app, place, folder, file_storage):
    upload(place, jpeg((640, 480)))
    photo_id = photo_rows(app)[0].id
    for path in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumb"):
        response = place.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
        assert "Expires" not in response.headers
        response.close()
    place.post(f"/commission/locations/{SLUG}/publish")
    visitor = app.test_client()
    response = visitor.get(f"/photos/{photo_id}")
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    assert response.headers["Content-Length"] == str(len(response.data)) and response.mimetype == "image/jpeg"
    response.close()
    # A browser that has it asks again with its ETag and gets no body.
    again = visitor.get(f"/photos/{photo_id}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    again.close()


def test_pages_for_signed_in_users_are_not_cached(app, client, people):
    producer = people["clients"]["producer"]
    for path in ("/productions/", "/notifications", "/commissions", "/locations?q=滝"):
        response = producer.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path
    assert people["clients"]["fc_staff"].get("/commission/").headers["Cache-Control"] == "private, no-store"
    # A visitor without an account gets the public pages as before, and static files keep their own rules.
    assert "no-store" not in client.get("/commissions").headers.get("Cache-Control", "")
    assert "no-store" not in producer.get("/api/prefectures").headers["Cache-Control"]


def test_upload_and_export_limits_come_from_the_environment():
    from locations.core.config import from_environment

    settings = from_environment({"IMAGE_MAX_PIXELS": "16000000", "EXPORT_PAGE_ROWS": "100",
                                 "EXPORT_RATE_LIMIT": "5 per minute"})
    assert settings == {"IMAGE_MAX_PIXELS": 16_000_000, "EXPORT_PAGE_ROWS": 100, "EXPORT_RATE_LIMIT": "5 per minute"}
