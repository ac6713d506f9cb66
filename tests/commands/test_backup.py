"""flask backup / flask restore: the database and the uploaded files as one consistent set, on whichever
database the suite runs (SQLite, or PostgreSQL with TEST_DATABASE_URL); restoring ends every session and
refuses a backup that does not fit, changing nothing."""
import io
import json
import os

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.engine import make_url

from locations import backup
from locations.accounts.models import User
from locations.backup_postgres import libpq_connection
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.models import AuditEvent, StoredFile
from locations.directory.models import FilmCommission
from locations.library.models import Location, LocationCategory, Photo
from locations.library.photos import save_photo
from tests.builders import login, make_user

MARK = "backup-test"


def jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (90, 20, 160)).save(out, format="JPEG")
    out.seek(0)
    return out


def add_location(slug: str) -> Location:
    fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
    park = db.session.scalar(select(LocationCategory.id).where(LocationCategory.code == "park"))
    location = Location(slug=slug, commission_id=fc.id, name_ja="バックアップ試験", category_id=park, status="draft",
                        prefecture_id=fc.prefecture_id, lat=34.3, lon=134.0, source="test", last_verified=today_jst())
    db.session.add(location)
    db.session.flush()
    return location


def files_in(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    os.makedirs(app.instance_path)
    return tmp_path / "instance"


@pytest.fixture
def kept(app, instance):
    """A location with a photo, a signed-in producer, and a stray file that belongs to no row."""
    with app.app_context():
        photo = save_photo(add_location(f"{MARK}-kept"), jpeg())
        email = make_user("producer").email
        db.session.commit()
        photo_id, epoch = photo.id, db.session.scalar(select(User.session_epoch).where(User.email == email))
    os.makedirs(instance / "photos", exist_ok=True)
    (instance / "photos" / "0123abcd.jpg").write_bytes(b"orphan")
    return {"photo": photo_id, "email": email, "epoch": epoch}


def stored_files(app, instance) -> dict[str, bytes]:
    """Every kept file, on disk or in the database, by key."""
    with app.app_context():
        blobs = {key: data for key, data in db.session.execute(select(StoredFile.key, StoredFile.data))}
    return files_in(instance) | blobs


def test_round_trip_brings_back_rows_and_files_and_ends_sessions(app, runner, client, instance, kept, tmp_path,
                                                                   file_storage):
    login(client, kept["email"])
    assert client.get("/productions/").status_code == 200
    target = tmp_path / "backup"
    assert runner.invoke(args=["move-files", "--to", file_storage.mode]).exit_code == 0
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "manifest.json").read_text())
    with app.app_context():
        assert manifest["engine"] == db.engine.url.get_backend_name()
    assert (target / backup.DATABASE_FILES[manifest["engine"]]).is_file()
    backed_up = stored_files(app, instance)
    del backed_up["photos/0123abcd.jpg"]  # no row refers to it
    assert len(backed_up) == 2 and manifest["alembic_revision"] and manifest["app_version"]
    # In the database, the files travel inside its dump.
    in_files = sorted(backed_up) if file_storage.mode == "filesystem" else []
    assert sorted(f["path"] for f in manifest["files"]) == in_files and manifest["missing"] == []
    assert manifest["file_storage"] == file_storage.mode and manifest["files_in_database"] == 2 - len(in_files)

    # Life goes on after the backup: a new location, the photo deleted (with its files), a new upload.
    with app.app_context():
        add_location(f"{MARK}-later")
        db.session.delete(db.session.get(Photo, kept["photo"]))
        db.session.commit()
        save_photo(db.session.scalar(select(Location).where(Location.slug == f"{MARK}-later")), jpeg())
        db.session.commit()
    assert stored_files(app, instance) != backed_up | {"photos/0123abcd.jpg": b"orphan"}

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Every session was ended" in result.output
    with app.app_context():
        slugs = set(db.session.scalars(select(Location.slug).where(Location.slug.like(f"{MARK}%"))))
        assert slugs == {f"{MARK}-kept"} and db.session.get(Photo, kept["photo"]) is not None
        assert db.session.scalar(select(User.session_epoch).where(User.email == kept["email"])) == kept["epoch"] + 1
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "restore")) is not None
    assert stored_files(app, instance) == backed_up
    assert files_in(instance) == (backed_up if file_storage.mode == "filesystem" else {})
    # The cookie from before the backup no longer signs anyone in.
    assert client.get("/productions/").status_code == 302


def test_a_photo_deleted_or_added_while_the_backup_runs_stays_consistent(app, runner, instance, kept, tmp_path,
                                                                          file_storage):
    added = {}

    def meanwhile():
        # Between copying the files and the database snapshot: one photo goes, another comes.
        db.session.delete(db.session.get(Photo, kept["photo"]))
        added["photo"] = save_photo(db.session.scalar(select(Location).where(Location.slug == f"{MARK}-kept")), jpeg())
        db.session.commit()
        added["name"] = added["photo"].filename

    assert runner.invoke(args=["move-files", "--to", file_storage.mode]).exit_code == 0
    with app.app_context():
        outcome = backup.make_backup(str(tmp_path / "b"), between_passes=meanwhile)
    paths = {f["path"] for f in json.loads((tmp_path / "b" / "manifest.json").read_text())["files"]}
    added_keys = {f"photos/{added['name']}", f"photos/thumbs/{added['name']}"}
    assert paths == (added_keys if file_storage.mode == "filesystem" else set()) and outcome.missing == []
    assert set(stored_files(app, instance)) == added_keys | {"photos/0123abcd.jpg"}


@pytest.mark.parametrize("made_with, restored_with", [("filesystem", "database"), ("database", "filesystem")])
def test_a_backup_restores_into_the_other_storage_setting(app, runner, instance, kept, tmp_path, monkeypatch,
                                                          made_with, restored_with):
    monkeypatch.setitem(app.config, "FILE_STORAGE", made_with)
    assert runner.invoke(args=["move-files", "--to", made_with]).exit_code == 0
    before = stored_files(app, instance)
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    monkeypatch.setitem(app.config, "FILE_STORAGE", restored_with)
    result = runner.invoke(args=["restore", str(tmp_path / "b"), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Moved 2 files" in result.output
    del before["photos/0123abcd.jpg"]  # not in the backup: no row refers to it
    assert stored_files(app, instance) == before
    assert bool(files_in(instance)) == (restored_with == "filesystem")


def test_restore_drops_tables_the_backup_does_not_have(app, runner, instance, tmp_path):
    """A table added by a later migration, with a foreign key into the backup's tables, would otherwise stop
    them from being replaced."""
    from sqlalchemy import inspect, text

    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    with app.app_context():
        db.session.execute(text('CREATE TABLE later_probe (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "user"(id))'))
        db.session.commit()
    result = runner.invoke(args=["restore", str(tmp_path / "b"), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "later_probe" not in inspect(db.engine).get_table_names()


@pytest.mark.parametrize("damage, reason", [
    ("checksum", "does not match its checksum"),
    ("missing", "is missing from the backup"),
    ("engine", "this app uses"),
    ("revision", "unknown to this version"),
    ("path", "unexpected file"),
    ("manifest", "has no manifest.json"),
])
def test_a_backup_that_does_not_fit_is_refused_and_nothing_changes(app, runner, instance, kept, tmp_path,
                                                                    damage, reason):
    target = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    photo = target / manifest["files"][0]["path"]
    if damage == "checksum":
        photo.write_bytes(photo.read_bytes()[:-1] + b"x")
    elif damage == "missing":
        photo.unlink()
    elif damage == "engine":
        manifest["engine"] = "postgresql" if manifest["engine"] == "sqlite" else "sqlite"
    elif damage == "revision":
        manifest["alembic_revision"] = "ffffffffffff"
    elif damage == "path":
        manifest["files"][0]["path"] = "../../etc/passwd"
    elif damage == "manifest":
        manifest_path.unlink()
    if damage in ("engine", "revision", "path"):
        manifest_path.write_text(json.dumps(manifest))
    with app.app_context():
        add_location(f"{MARK}-after")
        db.session.commit()
    before = files_in(instance)
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0 and reason in result.output and "nothing was changed" in result.output
    assert files_in(instance) == before
    with app.app_context():
        assert db.session.scalar(select(Location.id).where(Location.slug == f"{MARK}-after")) is not None
        assert db.session.scalar(select(User.session_epoch).where(User.email == kept["email"])) == kept["epoch"]


def test_backup_refuses_a_directory_in_use_and_leaves_nothing_half_written(app, runner, instance, tmp_path,
                                                                           monkeypatch):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    result = runner.invoke(args=["backup", str(tmp_path / "used")])
    assert result.exit_code != 0 and "not an empty directory" in result.output
    assert os.listdir(tmp_path / "used") == ["notes.txt"]

    def fails(*args):
        raise backup.BackupError("pg_dump failed: disk full")

    monkeypatch.setattr(backup, "_sqlite_snapshot", fails)
    monkeypatch.setattr(backup, "_postgres_snapshot", fails)
    result = runner.invoke(args=["backup", str(tmp_path / "new")])
    assert result.exit_code != 0 and "disk full" in result.output
    assert not (tmp_path / "new").exists()


def test_restore_asks_before_replacing_everything(app, runner, instance, tmp_path):
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    result = runner.invoke(args=["restore", str(tmp_path / "b")], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output


def test_sqlite_backup_is_a_self_contained_file(app, runner, instance, tmp_path):
    with app.app_context():
        if db.engine.url.get_backend_name() != "sqlite":
            pytest.skip("the SQLite file format")
    import sqlite3

    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    copy = sqlite3.connect(f"file:{tmp_path / 'b' / 'database.sqlite3'}?mode=ro", uri=True)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()
    # Reading it left no -wal or -shm file beside it.
    assert sorted(os.listdir(tmp_path / "b")) == ["database.sqlite3", "manifest.json"]


@pytest.mark.parametrize("url, uri, env", [
    ("postgresql+psycopg://postgres@127.0.0.1:5432/sec_probe", "postgresql://postgres@127.0.0.1:5432/sec_probe", {}),
    ("postgresql+psycopg://app:s3cr%40t%20pw@db.example/locations?sslmode=require",
     "postgresql://app@db.example/locations?sslmode=require", {"PGPASSWORD": "s3cr@t pw"}),
    ("postgresql+psycopg://u%40corp@[::1]:6543/my%2Fdb", "postgresql://u%40corp@[::1]:6543/my%2Fdb", {}),
    ("postgresql+psycopg:///locations?host=/var/run/postgresql",
     "postgresql:///locations?host=%2Fvar%2Frun%2Fpostgresql", {}),
])
def test_sqlalchemy_urls_become_libpq_uris_with_the_password_kept_off_the_command_line(url, uri, env):
    assert libpq_connection(make_url(url)) == (uri, env)


def test_postgresql_backup_explains_a_missing_pg_dump(app, tmp_path, monkeypatch):
    from locations import backup_postgres

    monkeypatch.setattr(backup_postgres.shutil, "which", lambda name: None)
    with pytest.raises(backup_postgres.ToolFailed, match="apt-get install postgresql-client"):
        backup_postgres.dump(make_url("postgresql+psycopg://u@127.0.0.1/x"), str(tmp_path / "d"), None)
