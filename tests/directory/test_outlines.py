"""The maps' offline base: municipal outlines for the visible box, and the tile presets."""
from __future__ import annotations

from locations import create_app
from locations.core.extensions import db
from tests.conftest import make_test_config

TAKAMATSU_BOX = "133.9,34.2,134.2,34.45"


def test_municipal_outlines_for_a_box_with_romanised_names(client):
    response = client.get(f"/api/municipal-outlines?bbox={TAKAMATSU_BOX}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = response.get_json()["features"]
    takamatsu = [f for f in features if f["properties"]["code"] == "37201"]
    assert takamatsu and takamatsu[0]["properties"]["name_ja"] == "高松市"
    assert takamatsu[0]["properties"]["name_en"]  # romaji from the municipality table
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
    assert len(features) < 40


def test_a_whole_country_box_gets_no_municipal_outlines_and_bad_boxes_get_json_reasons(client):
    assert client.get("/api/municipal-outlines?bbox=122,24,146,46").get_json()["features"] == []
    bad = client.get("/api/municipal-outlines?bbox=1,2,3")
    assert bad.status_code == 400 and bad.get_json()["errors"]
    missing = client.get("/api/municipal-outlines")
    assert missing.status_code == 400 and missing.get_json()["errors"][0].startswith("bbox")


def _map_page(app_config: dict, database_url: str) -> tuple[str, str]:
    app = create_app(make_test_config(database_url, **app_config))
    try:
        response = app.test_client().get("/map")
        return response.get_data(as_text=True), response.headers["Content-Security-Policy"]
    finally:
        with app.app_context():
            db.engine.dispose()  # no connection of this extra app left open (PostgreSQL warns at exit)


def test_tile_presets_osm_gsi_and_none(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    html, policy = _map_page({"TILE_URL": None, "TILE_PRESET": "gsi"}, url)
    # The credit GSI asks for, 「地理院タイル」 linked to its list of tiles (JSON-escaped in the script).
    assert "cyberjapandata.gsi.go.jp/xyz/std" in html and "ichiran.html" in html and "\\u5730\\u7406\\u9662" in html
    assert "https://cyberjapandata.gsi.go.jp" in policy
    html, policy = _map_page({"TILE_URL": None, "TILE_PRESET": "osm"}, url)
    assert "tile.openstreetmap.org" in html and "openstreetmap.org/copyright" in html
    html, policy = _map_page({"TILE_URL": None, "TILE_PRESET": "none"}, url)
    assert "tile.openstreetmap.org" not in html and "cyberjapandata" not in html
    # Every map carries the offline base, whatever the tiles.
    assert '"kind": "base"' in html and "/api/municipal-outlines" in html
