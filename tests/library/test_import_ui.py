"""Importing and exporting in the FC workspace and the admin pages."""
import io

from sqlalchemy import delete, func, select

from locations.accounts.models import User
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.library.models import Location
from locations.library.cells import rebuild_cells
from tests.builders import login, make_user

HEADER = "name_ja,category,address,lat,lon,status,source\n"


def signed_in(app, role):
    client = app.test_client()
    with app.app_context():
        user = make_user(role)
        db.session.commit()
        email = user.email
    login(client, email)
    return client, email


def upload(client, path, text, dry_run):
    data = {"file": (io.BytesIO(text.encode()), "places.csv")}
    if dry_run:
        data["dry_run"] = "y"
    return client.post(path, data=data, content_type="multipart/form-data")


def test_dry_run_then_import_then_export(app):
    client, email = signed_in(app, "fc_staff")
    rows = "".join(f"インポート試験{i}🎬,park,,34.3{i},134.0{i},published,UI test\n" for i in range(5))
    try:
        with app.app_context():
            before = db.session.scalar(select(func.count(Location.id)))
        preview = upload(client, "/commission/import?lang=en", HEADER + rows, dry_run=True)
        assert preview.status_code == 200 and "would create 5" in preview.get_data(as_text=True)
        bad = upload(client, "/commission/import?lang=en", HEADER + rows + "壊れた行,spaceport,,34,134,draft,x\n",
                     dry_run=False)
        html = bad.get_data(as_text=True)
        assert bad.status_code == 400 and "nothing was written" in html and "spaceport" in html
        with app.app_context():
            assert db.session.scalar(select(func.count(Location.id))) == before
        done = upload(client, "/commission/import?lang=en", HEADER + rows, dry_run=False)
        assert done.status_code == 302
        with app.app_context():
            assert db.session.scalar(select(func.count(Location.id))) == before + 5
            assert db.session.scalar(select(func.count(AuditEvent.id)).where(
                AuditEvent.detail == "import", AuditEvent.actor == email)) == 5
        exported = client.get("/commission/export?format=csv").get_data(as_text=True)
        assert "インポート試験3🎬" in exported
        assert client.get("/commission/export?format=xml").status_code == 400
    finally:
        with app.app_context():
            db.session.execute(delete(Location).where(Location.source == "UI test"))
            db.session.execute(delete(User).where(User.email == email))
            rebuild_cells()
            db.session.commit()


def test_admin_checks_an_authorities_file(app):
    client, email = signed_in(app, "admin")
    try:
        exported = client.get("/admin/authorities/export?format=csv").get_data(as_text=True)
        assert "police-hq-37" in exported
        response = upload(client, "/admin/authorities/import?lang=en", exported, dry_run=True)
        assert response.status_code == 200 and "No problems found." in response.get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.execute(delete(User).where(User.email == email))
            db.session.commit()


def test_admin_edits_a_location_category(app):
    from locations.library.models import LocationCategory

    client, email = signed_in(app, "admin")
    try:
        bad = client.post("/admin/categories/park/edit?lang=en", data={
            "park-name_ja": "公園", "park-name_en": "Park", "park-typical_permits": "PARK_USE; NOPE"},
            follow_redirects=True)
        assert "unknown permit codes NOPE" in bad.get_data(as_text=True)
        ok = client.post("/admin/categories/park/edit", data={
            "park-name_ja": "公園・緑地", "park-name_en": "Park", "park-typical_permits": "PARK_USE; ROAD_USE"})
        assert ok.status_code == 302
        with app.app_context():
            park = db.session.scalar(select(LocationCategory).where(LocationCategory.code == "park"))
            assert park.name_ja == "公園・緑地" and park.typical_permits == "PARK_USE; ROAD_USE"
            assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "location_category")
                                     .order_by(AuditEvent.id.desc())).actor == email
    finally:
        with app.app_context():
            park = db.session.scalar(select(LocationCategory).where(LocationCategory.code == "park"))
            park.name_ja, park.typical_permits = "公園", "PARK_USE"
            db.session.execute(delete(User).where(User.email == email))
            db.session.commit()
