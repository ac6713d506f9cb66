from sqlalchemy import delete

from locations.core.extensions import db
from locations.directory.models import FilmCommission
from tests.builders import make_commission

HOSTILE = '<script>alert("x")</script>'


def test_data_values_are_escaped_in_pages_and_api(app, client):
    with app.app_context():
        make_commission(slug="hostile-fc", name_en=HOSTILE, name_ja=HOSTILE, area_ja=HOSTILE,
                        website="javascript:alert(1)", source=HOSTILE)
        db.session.commit()
    try:
        for path in ("/commissions/hostile-fc?lang=en", "/commissions?lang=en", "/prefectures/13?lang=en"):
            html = client.get(path).get_data(as_text=True)
            assert HOSTILE not in html, path
            assert "&lt;script&gt;" in html, path
        # The API returns the raw value as JSON data; maps.js renders it with textContent.
        features = client.get("/api/commissions?prefecture=13").get_json()["features"]
        assert HOSTILE in [f["properties"]["name_en"] for f in features]
    finally:
        with app.app_context():
            db.session.execute(delete(FilmCommission).where(FilmCommission.slug == "hostile-fc"))
            db.session.commit()
