import csv
import io
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TAKAMATSU_BOX = "133.9,34.1,134.2,34.4"


def test_viewport_points_are_rfc7946_features(client):
    data = client.get(f"/api/locations?bbox={TAKAMATSU_BOX}&zoom=12").get_json()
    assert data["type"] == "FeatureCollection" and not data["clustered"]
    assert data["total"] == len(data["features"]) >= 300
    feature = data["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    assert 133.9 <= lon <= 134.2 and 34.1 <= lat <= 34.4
    assert {"slug", "name_ja", "category", "url", "thumbnail"} <= feature["properties"].keys()


def test_viewport_clusters_when_over_the_cap(client):
    data = client.get(f"/api/locations?bbox={TAKAMATSU_BOX}&zoom=8&limit=20").get_json()
    assert data["clustered"]
    assert all(f["properties"]["cluster"] for f in data["features"])
    assert sum(f["properties"]["count"] for f in data["features"]) == data["total"]


def test_search_mode_pages_and_distances(client):
    data = client.get("/api/locations?near=34.34,134.05&radius_km=1&per_page=5").get_json()
    assert len(data["features"]) == 5 and data["total"] > 5
    distances = [f["properties"]["distance_km"] for f in data["features"]]
    assert distances == sorted(distances) and distances[-1] <= 1.0


@pytest.mark.parametrize("query", [
    "q=公園", "q=park&per_page=7&page=2", "q=滝&category=waterfall", "q=公園&prefecture=37&per_page=5", "near=34.34,134.05&radius_km=2",
    "near=34.34,134.05&radius_km=2&q=公園&sort=distance", "facilities=parking&per_page=50", "per_page=30&page=3",
])
def test_result_lists_are_the_features_of_the_locations_found(app, client, query):
    """The API lists plain columns; each feature is what the location's own feature says, in the same order."""
    from werkzeug.datastructures import MultiDict

    from locations.api.views import location_feature
    from locations.library.filters import parse_filters
    from locations.library.queries import search_locations

    args = MultiDict([pair.split("=") for pair in query.split("&")])
    data = client.get("/api/locations?" + query).get_json()
    with app.test_request_context():
        page = search_locations(parse_filters(args).filters, page=int(args.get("page", 1)),
                                per_page=int(args.get("per_page", 100)))
        expected = [location_feature(loc, km) for loc, km in page.results]
    assert expected and data["features"] == expected


def test_csv_export(client):
    response = client.get("/api/locations?q=滝&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert "不動の滝" in [r["name_ja"] for r in rows]
    assert rows[0]["source"].startswith("出典：高松市オープンデータ")


def test_location_detail(client):
    slug = client.get("/api/locations?q=不動の滝").get_json()["features"][0]["properties"]["slug"]
    data = client.get(f"/api/locations/{slug}").get_json()
    assert data["properties"]["address"].startswith("香川県高松市")
    assert data["properties"]["commission"] == "kagawa-film-commission"
    assert set(data["properties"]["facilities"]) == {"parking", "power", "toilets", "green_room", "wifi", "large_vehicles"}


def test_unknown_location_is_json_404(client):
    response = client.get("/api/locations/no-such-place")
    assert response.status_code == 404 and response.get_json()["errors"]


@pytest.mark.parametrize(
    "query, reason",
    [
        ("bbox=1,2,3", "bbox: expected four numbers"),
        ("bbox=a,b,c,d", "bbox: 'a' is not a number"),
        ("bbox=170,20,-170,40", "antimeridian"),
        ("bbox=130,40,135,30", "south is north of north"),
        ("bbox=130,30,190,40", "within -180..180"),
        ("bbox=nan,30,135,40", "finite"),
        ("radius_km=-1", "radius_km: must be more than 0"),
        ("radius_km=1000", "radius_km"),
        ("zoom=99", "zoom: must be between 0 and 22"),
        ("zoom=x", "zoom"),
        ("category=spaceport", "unknown category"),
        ("prefecture=99", "prefecture"),
        ("facility=pool", "facility"),
        ("format=xml", "format"),
        ("near=Atlantis", "near: no place called"),
        ("q=" + "x" * 201, "q: longer than 200"),
        ("q=" + "x" * 10_000, "query string is too long"),
    ],
)
def test_bad_parameters_get_400_with_a_reason(client, query, reason):
    response = client.get(f"/api/locations?{query}")
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert any(reason in e for e in errors), errors


def test_unknown_place_comes_with_suggestions(client):
    data = client.get("/api/locations?near=Takamatsy").get_json()
    assert "suggestions" in data and isinstance(data["suggestions"], list)


PARAM_NAMES = ["bbox", "zoom", "q", "category", "prefecture", "block", "commission", "facility", "near",
               "radius_km", "limit", "page", "per_page", "format"]
values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits + ",.-eE", max_size=30),
    st.sampled_from(["133.9,34.1,134.2,34.4", "-180,-90,180,90", "0,0,0,0", "park", "13", "KNT", "csv", "滝", "1e308"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(PARAM_NAMES), values, max_size=6))
def test_no_parameters_make_the_api_fail(client, params):
    response = client.get("/api/locations", query_string=params)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    assert response.is_json or response.mimetype == "text/csv"
    if response.status_code == 400:
        assert response.get_json()["errors"]
