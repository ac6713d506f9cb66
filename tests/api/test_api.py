import pytest


def test_commissions_geojson(client):
    response = client.get("/api/commissions")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    data = response.get_json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) >= 70
    feature = data["features"][0]
    lon, lat = feature["geometry"]["coordinates"]  # RFC 7946 order
    assert 122 <= lon <= 154 and 20 <= lat <= 46
    assert {"slug", "name_ja", "name_en", "prefecture", "block", "approximate", "url"} <= feature["properties"].keys()


def test_commissions_filters(client):
    kagawa = client.get("/api/commissions?prefecture=37").get_json()["features"]
    assert {f["properties"]["prefecture"] for f in kagawa} == {"37"}
    shikoku = client.get("/api/commissions?block=SKK").get_json()["features"]
    assert {f["properties"]["block"] for f in shikoku} == {"SKK"}
    assert len(shikoku) > len(kagawa)


def test_prefecture_outlines(client):
    everything = client.get("/api/prefectures").get_json()["features"]
    assert len(everything) == 47
    assert {f["geometry"]["type"] for f in everything} <= {"Polygon", "MultiPolygon"}
    kanto = client.get("/api/prefectures?block=KNT").get_json()["features"]
    assert sorted(f["properties"]["code"] for f in kanto) == ["08", "09", "10", "11", "12", "13", "14", "19"]
    one = client.get("/api/prefectures?prefecture=01").get_json()["features"]
    assert [f["properties"]["name_en"] for f in one] == ["Hokkaido"]


@pytest.mark.parametrize(
    "path",
    ["/api/commissions?prefecture=48", "/api/commissions?prefecture=1", "/api/commissions?block=knt",
     "/api/prefectures?block=K'NT", "/api/prefectures?prefecture=%00"],
)
def test_bad_parameters_are_json_errors(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["errors"][0]


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["errors"]
