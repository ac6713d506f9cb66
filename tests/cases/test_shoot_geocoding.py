"""Shoots entered by address use the library's geocoder (the town block first) and say how approximate they are."""
import pytest
from sqlalchemy import select

from locations.cases.models import Shoot
from locations.core.extensions import db
from tests.cases.test_case_views import create_production, shoot_form


def save_shoot(app, client, address, lang="en"):
    production_id = create_production(app, client)
    response = client.post(f"/productions/{production_id}/shoots/new?lang={lang}", data=shoot_form(address=address))
    return production_id, response


def stored_shoot(app, production_id) -> Shoot:
    with app.app_context():
        shoot = db.session.scalar(select(Shoot).where(Shoot.production_id == production_id))
        db.session.expunge(shoot)
        return shoot


@pytest.mark.parametrize(("address", "precision", "note"), [
    ("香川県高松市サンポート2-1", "town", "placed from the address, to the town block"),
    ("石川県七尾市藤橋町ア部6番地4", "town", "placed from the address, to the town block"),
    ("高松市", "municipality", "placed from the address, at the municipality"),
    ("Sakaide", "municipality", "placed from the address, at the municipality"),  # 坂出市, in the FC's prefecture
    ("香川県", "prefecture", "placed from the address, at the prefecture"),
])
def test_a_shoot_placed_from_its_address_stores_and_shows_how_precise(app, people, address, precision, note):
    client = people["clients"]["producer"]
    production_id, response = save_shoot(app, client, address)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    shoot = stored_shoot(app, production_id)
    assert shoot.position_precision == precision and shoot.address == address
    page = client.get(f"/productions/{production_id}?lang=en").get_data(as_text=True)
    assert "approximate position" in page and note in page


def test_the_town_block_is_the_point_not_the_city_hall(app, people):
    production_id, _ = save_shoot(app, people["clients"]["producer"], "香川県高松市サンポート2-1")
    shoot = stored_shoot(app, production_id)
    assert (round(shoot.lat, 4), round(shoot.lon, 4)) == (34.3544, 134.0464)  # the サンポート point
    assert shoot.municipality_id is not None


def test_the_precision_note_is_translated(app, people):
    client = people["clients"]["producer"]
    production_id, _ = save_shoot(app, client, "高松市", lang="ja")
    page = client.get(f"/productions/{production_id}?lang=ja").get_data(as_text=True)
    assert "approximate position" not in page and "placed from the address" not in page
    assert "位置は概略" in page or "おおよその位置" in page


@pytest.mark.parametrize("address", ["China", "SOMA", "Mine", "Golden Gate Bridge"])
def test_foreign_words_never_match_a_japanese_town(app, people, address):
    production_id, response = save_shoot(app, people["clients"]["producer"], address)
    assert response.status_code == 400
    assert f"No place called “{address}” was found." in response.get_data(as_text=True)


def test_a_point_on_the_map_is_exact(app, people):
    client = people["clients"]["producer"]
    production_id = create_production(app, client)
    response = client.post(f"/productions/{production_id}/shoots/new?lang=en",
                           data=shoot_form(where="point", lat="34.3404", lon="134.0434"))
    assert response.status_code == 302
    assert stored_shoot(app, production_id).position_precision == "exact"
    assert "approximate position" not in client.get(f"/productions/{production_id}?lang=en").get_data(as_text=True)
