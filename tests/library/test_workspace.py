"""The FC workspace: editing in Japanese, conflicts, publishing, freshness, photos, audit."""
import io
import json
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.directory.models import FilmCommission
from locations.library.models import Location, LocationCategory
from tests.builders import login, make_user


@pytest.fixture
def fc_user(app):
    with app.app_context():
        user = make_user("fc_staff")
        db.session.commit()
        email = user.email
    return email


@pytest.fixture
def draft(app):
    """A draft location of the Kagawa FC, removed afterwards."""
    with app.app_context():
        fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
        park = db.session.scalar(select(LocationCategory).where(LocationCategory.code == "park"))
        loc = Location(slug="workspace-test-place", commission_id=fc.id, name_ja="試験公園", category_id=park.id,
                       prefecture_id=fc.prefecture_id, lat=34.34, lon=134.05, status="draft", source="test",
                       last_verified=today_jst())
        db.session.add(loc)
        db.session.commit()
    return "workspace-test-place"


def form_data(client, slug, **changes):
    """The edit form as the browser would send it, with ``changes`` applied."""
    html = client.get(f"/commission/locations/{slug}/edit").get_data(as_text=True)
    import re

    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    category = re.search(r'<option selected value="(\d+)"', html).group(1)
    data = {"version": version, "name_ja": "試験公園", "category": category, "lat": "34.34", "lon": "134.05",
            "source": "test"}
    data.update(changes)
    return data


def test_fc_staff_edit_in_japanese_is_saved_and_audited(app, client, fc_user, draft):
    assert login(client, fc_user).status_code == 302
    text = "桜並木と石畳の参道🌸" + "あ" * 5000
    response = client.post(f"/commission/locations/{draft}/edit",
                           data=form_data(client, draft, description_ja=text, name_en="Test Park"))
    assert response.status_code == 302
    with app.app_context():
        loc = db.session.scalar(select(Location).where(Location.slug == draft))
        assert loc.description_ja == text and loc.name_en == "Test Park" and loc.version == 2
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "location",
                                                           AuditEvent.entity_id == loc.id, AuditEvent.action == "update")
                                    .order_by(AuditEvent.id.desc()))
        changes = json.loads(event.changes)
        assert changes["name_en"] == [None, "Test Park"] and event.actor == fc_user and event.role == "fc_staff"
        assert event.at is not None


def test_second_save_from_the_same_version_gets_409_and_the_first_stands(app, fc_user, draft):
    first, second = app.test_client(), app.test_client()
    login(first, fc_user)
    login(second, fc_user)
    a = form_data(first, draft, name_en="First edit")
    b = form_data(second, draft, name_en="Second edit")
    assert first.post(f"/commission/locations/{draft}/edit", data=a).status_code == 302
    conflict = second.post(f"/commission/locations/{draft}/edit", data=b)
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "First edit" in html and "Second edit" in html
    with app.app_context():
        assert db.session.scalar(select(Location.name_en).where(Location.slug == draft)) == "First edit"


def test_bad_input_re_renders_with_errors_and_keeps_it(client, fc_user, draft):
    login(client, fc_user)
    response = client.post(f"/commission/locations/{draft}/edit",
                           data=form_data(client, draft, name_ja="", lat="95", description_ja="残す文章"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "残す文章" in html and 'class="field-error"' in html


def test_publish_makes_it_public_and_counts_it_on_the_map(app, client, fc_user, draft):
    login(client, fc_user)
    assert client.get(f"/locations/{draft}").status_code == 404
    with app.app_context():
        from locations.library.queries import LocationFilter, viewport

        before = viewport((122, 20, 154, 46), 5, LocationFilter(), cap=1).total
    client.post(f"/commission/locations/{draft}/publish")
    assert client.get(f"/locations/{draft}").status_code == 200
    with app.app_context():
        assert viewport((122, 20, 154, 46), 5, LocationFilter(), cap=1).total == before + 1
    client.post(f"/commission/locations/{draft}/unpublish")
    assert client.get(f"/locations/{draft}").status_code == 404
    with app.app_context():
        assert viewport((122, 20, 154, 46), 5, LocationFilter(), cap=1).total == before


def test_freshness_hides_and_verify_shows_again(app, client, runner, fc_user, draft):
    login(client, fc_user)
    client.post(f"/commission/locations/{draft}/publish")
    with app.app_context():
        loc = db.session.scalar(select(Location).where(Location.slug == draft))
        loc.last_verified = today_jst() - timedelta(days=400)
        db.session.commit()
    result = runner.invoke(args=["freshness"])
    assert result.exit_code == 0 and "newly hidden" in result.output
    assert client.get(f"/locations/{draft}").status_code == 404
    assert "試験公園" in client.get("/commission/").get_data(as_text=True)
    client.post(f"/commission/locations/{draft}/verify")
    assert client.get(f"/locations/{draft}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Location.last_verified).where(Location.slug == draft)) == today_jst()


def test_photo_upload_shows_on_the_public_page(app, client, fc_user, draft, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    login(client, fc_user)
    image = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 80, 40)).save(image, format="PNG")
    image.seek(0)
    response = client.post(f"/commission/locations/{draft}/photos", content_type="multipart/form-data",
                           data={"photo": (image, "写真.png"), "caption_ja": "参道の桜", "credit": "香川FC"})
    assert response.status_code == 302
    client.post(f"/commission/locations/{draft}/publish")
    html = client.get(f"/locations/{draft}?lang=ja").get_data(as_text=True)
    assert "参道の桜" in html and "/thumb" in html
    bad = client.post(f"/commission/locations/{draft}/photos?lang=en", content_type="multipart/form-data",
                      data={"photo": (io.BytesIO(b"not an image"), "x.jpg")}, follow_redirects=True)
    assert bad.status_code == 200 and "not a readable" in bad.get_data(as_text=True)


def test_fc_staff_cannot_set_sources_or_flags_on_their_profile(app, client, fc_user):
    login(client, fc_user)
    html = client.get("/commission/profile").get_data(as_text=True)
    assert 'name="source"' not in html and 'name="website_unverified"' not in html
    import re

    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    with app.app_context():
        fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
        source, unverified, phone = fc.source, fc.website_unverified, fc.phone
    try:
        response = client.post("/commission/profile", data={
            "version": version, "name_ja": "香川フィルム・コミッション", "name_en": "Kagawa Film Commission",
            "phone": "087-000-0000", "source": "forged", "website_unverified": ""})
        assert response.status_code == 302
        with app.app_context():
            fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
            assert fc.phone == "087-000-0000" and fc.source == source and fc.website_unverified == unverified
    finally:
        with app.app_context():
            fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
            fc.phone = phone
            db.session.commit()


def test_audit_rows_cannot_be_changed(app):
    with app.app_context():
        event = AuditEvent(action="test")
        db.session.add(event)
        db.session.commit()
        event.detail = "rewritten"
        with pytest.raises(RuntimeError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(RuntimeError):
            db.session.delete(db.session.get(AuditEvent, event.id))
            db.session.commit()
        db.session.rollback()


def test_history_shows_only_own_commission(app, client, fc_user):
    login(client, fc_user)
    with app.app_context():
        db.session.add(AuditEvent(action="update", entity_type="location", entity_label="よその場所",
                                  commission_id=db.session.scalar(select(FilmCommission.id).where(
                                      FilmCommission.slug == "sapporo-film-commission"))))
        db.session.commit()
    html = client.get("/commission/history").get_data(as_text=True)
    assert "よその場所" not in html
