"""The workspace import's mapping step: an unrecognised file gets the mapping form with a preview, the mapping
(with the file's categories mapped to ours) is checked, saved and used again; the problems download as CSV."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete, select

from locations.accounts.models import User
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.library.models import ImportMapping, Location
from locations.library.cells import rebuild_cells
from tests.builders import login, make_user

FILE = ("spot;where;lat;lng;kind\n"
        "試験の庭園;香川県高松市栗林町1-20-16;34.32992;134.04576;garden\n"
        "試験の城跡;香川県高松市玉藻町2-1;34.35047;134.05191;castle\n"
        ";香川県高松市;34.3;134.0;garden\n"
        "ソウルの広場;;37.5665;126.978;garden\n")


@pytest.fixture
def client(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    client = app.test_client()
    with app.app_context():
        user = make_user("fc_staff")
        db.session.commit()
        email, commission_id = user.email, user.commission_id
    login(client, email)
    yield client
    with app.app_context():
        db.session.execute(delete(Location).where(Location.commission_id == commission_id,
                                                  Location.name_ja.like("試験の%")))
        db.session.execute(delete(ImportMapping).where(ImportMapping.commission_id == commission_id))
        db.session.execute(delete(AuditEvent).where(AuditEvent.actor == email))
        db.session.execute(delete(User).where(User.email == email))
        rebuild_cells()
        db.session.commit()


def csrf(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0] if 'name="csrf_token"' in html else ""


def token(html: str) -> str:
    return html.split('name="token" value="', 1)[1].split('"', 1)[0]


def test_unknown_columns_get_the_mapping_step_then_import_with_mapped_categories(client, app, file_storage):
    page = client.post("/commission/import?lang=en", data={"file": (io.BytesIO(FILE.encode()), "spots.csv"),
                                                           "dry_run": "y"}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Match your columns to ours" in html and "These columns were not" in html
    assert 'value="kind"' in html and 'value="lng"' in html
    step = {"csrf_token": csrf(html), "token": token(html), "filename": "spots.csv", "mapped": "1",
            "map-name_ja": "spot", "map-address": "where", "map-lat": "lat", "map-lon": "lng",
            "map-category": "kind", "default-category": "park", "default-source": "試験データ"}
    checked = client.post("/commission/import?lang=en", data=step | {"action": "map"})
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Preview: the first rows" in html
    assert "garden" in html and "castle" in html  # their categories, to map to ours
    assert "2 rows will be skipped" in html and "not in Japan" in html and "高松市" in html
    mapped = step | {"cat-garden": "park", "cat-castle": "castle_historic"}
    problems = client.post("/commission/import", data=mapped | {"action": "problems"})
    rows = list(csv.reader(io.StringIO(problems.get_data(as_text=True))))
    assert problems.mimetype == "text/csv" and rows[0] == ["line", "field", "problem"] and len(rows) == 3
    done = client.post("/commission/import", data=mapped | {"action": "apply", "save_as": "spots"})
    assert done.status_code == 302
    with app.app_context():
        stored = {loc.name_ja: loc for loc in db.session.scalars(select(Location).where(
            Location.name_ja.like("試験の%")))}
        assert stored["試験の庭園"].category.code == "park"
        assert stored["試験の城跡"].category.code == "castle_historic"
        assert stored["試験の城跡"].municipality.name_ja == "高松市" and stored["試験の城跡"].source == "試験データ"
        saved = db.session.scalar(select(ImportMapping).where(ImportMapping.name == "spots"))
        assert saved is not None and '"castle": "castle_historic"' in saved.mapping
    # The same file again with the saved mapping changes nothing.
    page = client.post("/commission/import?lang=en", data={"file": (io.BytesIO(FILE.encode()), "spots.csv"),
                                                           "dry_run": "y"}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert "<option>spots</option>" in html
    again = client.post("/commission/import?lang=en", data={"csrf_token": csrf(html), "token": token(html),
                                                            "filename": "spots.csv", "saved": "spots",
                                                            "action": "map"})
    assert "leave 2 unchanged" in again.get_data(as_text=True)


def test_a_recognised_open_data_file_shows_its_preset_and_preview_in_japanese(client):
    body = ("名称,名称_カナ,住所,緯度,経度,説明,アクセス方法,駐車場情報,料金（基本）\n"
            "試験の庭園,シケンノテイエン,香川県高松市栗林町1-20-16,34.32992,134.04576,庭園,,,無料\n")
    page = client.post("/commission/import?lang=ja", data={"file": (io.BytesIO(body.encode("cp932")), "t.csv"),
                                                           "dry_run": "y"}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "観光施設一覧" in html and "高松市" in html
    assert "Match your columns" not in html


def test_an_expired_or_foreign_token_is_refused(client):
    page = client.get("/commission/import")
    response = client.post("/commission/import", data={"csrf_token": csrf(page.get_data(as_text=True)),
                                                       "token": "0" * 32, "action": "apply"})
    assert response.status_code == 400
