"""FILE_STORAGE: two web hosts with their own instance folders share one database and serve each other's
uploads when the files are in the database; `flask move-files` moves existing files either way, idempotently,
while they stay readable; keys cannot leave the store."""
import io
import os
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update

from locations import create_app
from locations.core import file_storage as storage
from locations.core.clock import now
from locations.core.extensions import db
from locations.core.models import StoredFile
from locations.library.models import Location, Photo
from locations.library.photos import save_photo
from tests.builders import commission, login, make_user, published_location
from tests.conftest import make_test_config


def jpeg(colour=(200, 40, 40)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, format="JPEG")
    out.seek(0)
    return out


def served(app, path: str) -> bytes:
    with app.test_client().get(path) as response:
        assert response.status_code == 200, path
        return response.data


def files_on_disk(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def hosts(app, database_url, tmp_path, monkeypatch):
    """Two app instances as two web hosts: each its own instance folder, both on the suite's database."""
    other = create_app(make_test_config(database_url, FILE_STORAGE="database"))
    monkeypatch.setitem(app.config, "FILE_STORAGE", "database")
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "host-a"))
    monkeypatch.setattr(other, "instance_path", str(tmp_path / "host-b"))
    yield app, other
    with other.app_context():
        db.engine.dispose()


def upload_through(client, slug: str, colour) -> None:
    response = client.post(f"/commission/locations/{slug}/photos?lang=en", content_type="multipart/form-data",
                           data={"photo": (jpeg(colour), "site.jpg")}, follow_redirects=True)
    assert "Photo added" in response.get_data(as_text=True)


def test_two_hosts_sharing_the_database_serve_each_others_photos(hosts, tmp_path):
    host_a, host_b = hosts
    with host_a.app_context():
        email = make_user("fc_staff").email
        slug = published_location(commission()).slug
        db.session.commit()
    a, b = host_a.test_client(), host_b.test_client()
    login(a, email)
    login(b, email)
    upload_through(a, slug, (200, 40, 40))
    upload_through(b, slug, (40, 40, 200))
    with host_a.app_context():
        ids = list(db.session.scalars(select(Photo.id).join(Location).where(Location.slug == slug)
                                      .order_by(Photo.id.desc()).limit(2)))[::-1]
    from_a, from_b = ids
    for photo_id, colour in ((from_a, (200, 40, 40)), (from_b, (40, 40, 200))):
        for visitor in (host_a.test_client(), host_b.test_client()):
            for path in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumb"):
                with visitor.get(path) as response:
                    assert response.status_code == 200 and response.mimetype == "image/jpeg", path
                    assert "public" in response.headers["Cache-Control"]
                    red, _green, blue = Image.open(io.BytesIO(response.data)).convert("RGB").getpixel((5, 5))
                    assert (red > blue) == (colour[0] > colour[2])
    # Neither host wrote a file of its own.
    assert files_on_disk(tmp_path) == []
    with host_b.app_context():
        for photo_id in ids:
            db.session.delete(db.session.get(Photo, photo_id))
        db.session.commit()
    assert host_a.test_client().get(f"/photos/{from_a}").status_code == 404


def test_an_import_uploaded_to_one_host_goes_on_at_the_other(hosts, tmp_path):
    """The upload waits for its mapping step in the storage, not in the first host's instance folder."""
    host_a, host_b = hosts
    with host_a.app_context():
        email = make_user("fc_staff").email
        db.session.commit()
    a, b = host_a.test_client(), host_b.test_client()
    login(a, email)
    login(b, email)
    table = "spot,where,lat,lng\n試験の広場,香川県高松市番町4-1-10,34.3401,134.0434\n"
    first = a.post("/commission/import?lang=en", data={"file": (io.BytesIO(table.encode()), "spots.csv"),
                                                       "dry_run": "y"}, content_type="multipart/form-data")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "Match your columns to ours" in html
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    step = {"token": token, "filename": "spots.csv", "mapped": "1", "map-name_ja": "spot", "map-address": "where",
            "map-lat": "lat", "map-lon": "lng", "default-category": "park", "default-source": "試験データ",
            "action": "map"}
    second = b.post("/commission/import?lang=en", data=step)
    assert second.status_code == 200 and "Preview: the first rows" in second.get_data(as_text=True)
    assert files_on_disk(tmp_path) == []


def test_move_files_moves_both_ways_once_and_files_stay_served(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    with app.app_context():
        location = published_location(commission())
        photo = save_photo(location, jpeg())
        db.session.commit()
        photo_id, name = photo.id, photo.filename
    keys = [f"photos/{name}", f"photos/thumbs/{name}"]
    original = served(app, f"/photos/{photo_id}")
    assert files_on_disk(tmp_path) == keys

    result = runner.invoke(args=["move-files", "--to", "database"])
    assert result.exit_code == 0, result.output
    assert "Moved 2 files into the database; 0 were there already" in result.output
    assert "set it to database on every host" in result.output
    assert files_on_disk(tmp_path) == []
    # Still "filesystem" in this app's settings: it reads the database when the file is not on disk.
    assert served(app, f"/photos/{photo_id}") == original
    with app.app_context():
        with storage.open_file(keys[0]) as handle:
            assert handle.read() == original
        with pytest.raises(FileNotFoundError):
            storage.open_file("photos/0000.jpg")
    monkeypatch.setitem(app.config, "FILE_STORAGE", "database")
    again = runner.invoke(args=["move-files", "--to", "database"])
    assert "Moved 0 files into the database; 2 were there already" in again.output
    assert "set it to" not in again.output
    with app.app_context():
        assert sorted(db.session.scalars(select(StoredFile.key))) == keys

    back = runner.invoke(args=["move-files", "--to", "filesystem"])
    assert back.exit_code == 0 and "Moved 2 files to the instance folder" in back.output
    assert files_on_disk(tmp_path) == keys
    with app.app_context():
        assert db.session.scalar(select(StoredFile.key)) is None
    assert served(app, f"/photos/{photo_id}") == original
    assert "Moved 0 files" in runner.invoke(args=["move-files", "--to", "filesystem"]).output
    with app.app_context():
        db.session.delete(db.session.get(Photo, photo_id))
        db.session.commit()
    assert files_on_disk(tmp_path) == []


def test_move_files_counts_rows_whose_files_are_gone(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    with app.app_context():
        photo = save_photo(published_location(commission()), jpeg())
        db.session.commit()
        name = photo.filename
    (tmp_path / "photos" / "thumbs" / name).unlink()
    result = runner.invoke(args=["move-files", "--to", "database"])
    assert "Moved 1 files into the database; 0 were there already; 1 rows have no file" in result.output


def test_kept_files_expire_in_either_place(app, request_context, tmp_path, monkeypatch, file_storage):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    storage.keep("imports/1-old", b"old upload")
    storage.keep("imports/1-new", b"new upload")
    day_ago = now() - timedelta(hours=25)
    if file_storage.mode == "database":
        db.session.execute(update(StoredFile).where(StoredFile.key == "imports/1-old").values(created_at=day_ago))
    else:
        os.utime(tmp_path / "imports" / "1-old", (day_ago.timestamp(), day_ago.timestamp()))
    storage.expire("imports", 24)
    db.session.commit()
    with pytest.raises(FileNotFoundError):
        storage.open_file("imports/1-old")
    with storage.open_file("imports/1-new") as handle:
        assert handle.read() == b"new upload"


@pytest.mark.parametrize("key", ["../secret_key", "photos/../../etc/passwd", "/etc/passwd", "photos/a b.jpg", ""])
def test_keys_cannot_leave_the_store(app_context, key):
    with pytest.raises(ValueError, match="not a stored file's key"):
        storage.path_of(key)


def test_an_unknown_storage_setting_is_refused_at_start(database_url):
    with pytest.raises(ValueError, match="FILE_STORAGE must be filesystem or database"):
        create_app(make_test_config(database_url, FILE_STORAGE="s3"))
