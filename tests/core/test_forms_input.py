"""Every form takes Japanese, emoji, markup and 10 kB strings without a server error, and escapes them."""
import pytest
from sqlalchemy import select

from locations.core.extensions import db
from locations.library.models import Location
from tests.builders import login, make_user

HUGE = ("撮影🎬<script>alert('x')</script>" * 400)[:10_240]

FORMS = [
    ("anonymous", "/signup", ["display_name", "email", "password"]),
    ("anonymous", "/login", ["email", "password", "next"]),
    ("fc_staff", "/commission/profile", ["version", "name_ja", "name_en", "address", "phone", "email", "website",
                                         "languages", "services_ja", "description_ja"]),
    ("fc_staff", "/commission/locations/new", ["name_ja", "name_en", "category", "description_ja", "tags", "address",
                                               "lat", "lon", "has_parking", "parking_note", "access_ja",
                                               "typical_permits", "source"]),
    ("admin", "/admin/users", ["display_name", "email", "role", "commission", "authority", "password"]),
    ("admin", "/admin/commissions/kagawa-film-commission/edit", ["version", "name_ja", "source", "website"]),
]


@pytest.fixture
def signed_in(app):
    clients = {}
    emails = []

    def get(role):
        if role not in clients:
            client = app.test_client()
            if role != "anonymous":
                with app.app_context():
                    user = make_user(role)
                    db.session.commit()
                    emails.append(user.email)
                login(client, user.email)
            clients[role] = client
        return clients[role]

    return get


@pytest.mark.parametrize("role, path, fields", FORMS, ids=[f[1] for f in FORMS])
@pytest.mark.parametrize("value", [HUGE, "🎬" * 50, "'; DROP TABLE location; --", "\x00\x01 nul"])
def test_hostile_input_is_refused_or_kept_never_an_error(signed_in, role, path, fields, value):
    client = signed_in(role)
    response = client.post(path, data={name: value for name in fields})
    assert response.status_code < 500
    html = response.get_data(as_text=True)
    assert "<script>alert('x')</script>" not in html


def test_long_japanese_text_is_accepted_where_the_field_allows_it(app, signed_in):
    client = signed_in("fc_staff")
    text = ("桜並木と石畳の参道🌸" * 1100)[:10_240]
    response = client.post("/commission/locations/new", data={
        "name_ja": "長文テスト🌸", "category": "1", "description_ja": text, "lat": "34.34", "lon": "134.05",
        "source": "forms test", "version": "0"})
    assert response.status_code == 302
    with app.app_context():
        loc = db.session.scalar(select(Location).where(Location.name_ja == "長文テスト🌸"))
        assert loc.description_ja == text
        db.session.delete(loc)
        db.session.commit()


@pytest.mark.parametrize("path", ["/api/locations?q=a%00b", "/locations?near=%00", "/commissions?q=%00"])
def test_nul_characters_in_queries_are_a_400(client, path):
    assert client.get(path).status_code == 400
