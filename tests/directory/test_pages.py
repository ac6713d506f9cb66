import re

import pytest
from babel.support import Translations

from locations import create_app

PAGES = [
    "/",
    "/commissions",
    "/commissions?q=札幌",
    "/commissions?block=SKK",
    "/commissions?prefecture=37",
    "/commissions/sapporo-film-commission",
    "/blocks/KNT",
    "/blocks/okn",
    "/prefectures/37",
    "/prefectures/13",
    "/guideline",
    "/permit-types",
    "/permit-types/DRONE_FLIGHT",
    "/about",
    "/locations",
    "/locations?q=滝&category=waterfall",
    "/locations?near=34.34,134.05&radius_km=2&sort=distance",
    "/locations?facility=parking&page=2",
    "/map",
]
MAP_PAGES = ["/", "/commissions/sapporo-film-commission", "/blocks/KNT", "/prefectures/37", "/map", "/locations"]


@pytest.fixture(scope="module")
def ja():
    app = create_app({"TESTING": True})
    return Translations.load(f"{app.root_path}/translations", ["ja"])


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders_in_language(client, ja, path, lang):
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    english, japanese = "Skip to content", ja.gettext("Skip to content")
    assert japanese != english
    assert (japanese if lang == "ja" else english) in html
    assert (english if lang == "ja" else japanese) not in html


def test_language_choice_is_remembered(client):
    client.get("/about?lang=en")
    assert '<html lang="en">' in client.get("/guideline").get_data(as_text=True)
    client.get("/about?lang=ja")
    assert '<html lang="ja">' in client.get("/guideline").get_data(as_text=True)


@pytest.mark.parametrize(
    "header, expected", [("en-US,en;q=0.9", "en"), ("ja,en;q=0.5", "ja"), ("fr-FR", "ja"), (None, "ja")]
)
def test_default_language_follows_accept_language(client, header, expected):
    headers = {"Accept-Language": header} if header else {}
    html = client.get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html


def test_unknown_lang_parameter_is_ignored(client):
    response = client.get("/about?lang=xx", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_language_links_keep_other_arguments(client):
    html = client.get("/commissions?block=KNT&lang=en").get_data(as_text=True)
    assert 'href="/commissions?block=KNT&amp;lang=ja"' in html


@pytest.mark.parametrize(
    "path",
    ["/nope", "/commissions/no-such-fc", "/blocks/XXX", "/prefectures/48", "/prefectures/abc", "/permit-types/NOPE"],
)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_not_found_pages_in_both_languages(client, ja, path, lang):
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    expected = ja.gettext("Page not found") if lang == "ja" else "Page not found"
    assert expected in html


def test_method_not_allowed_is_an_error_page(client):
    response = client.post("/about")
    assert response.status_code == 405
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", MAP_PAGES)
def test_map_pages_use_no_external_js_or_css(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "folium-map" in html
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", html):
        for url in re.findall(r'(?:src|href)="([^"]+)"', tag):
            assert url.startswith("/"), f"{path} loads {url}"
    assert "cdn" not in html.lower()
    assert "jquery" not in html.lower()


def test_map_page_does_not_inline_commissions(client):
    """Markers come from the GeoJSON API, so the page does not grow with the number of FCs."""
    html = client.get("/?lang=en").get_data(as_text=True)
    features = client.get("/api/commissions").get_json()["features"]
    assert len(features) >= 70
    inlined = [f for f in features if f["properties"]["name_en"] in html or f["properties"]["name_ja"] in html]
    assert inlined == []
    assert "/api/commissions" in html and "/api/prefectures" in html


def test_commission_page_shows_flags_and_source(client):
    html = client.get("/commissions/hakodate-film-commission?lang=en").get_data(as_text=True)
    assert "はこだてフィルムコミッション" in html
    assert "unverified" in html
    assert "Approximate position: the municipality office" in html
    assert "函館市" in html


def test_commission_search_filters(client):
    html = client.get("/commissions?q=Kagawa&lang=en").get_data(as_text=True)
    assert "Kagawa Film Commission" in html
    assert "Sapporo Film Commission" not in html
    html = client.get("/commissions?q=zzzz-nothing&lang=en").get_data(as_text=True)
    assert "No film commission matches these filters." in html


def test_commission_search_treats_wildcards_literally(client):
    html = client.get("/commissions?q=%25&lang=en").get_data(as_text=True)
    assert "No film commission matches these filters." in html


def test_permit_type_page_marks_estimates(client):
    html = client.get("/permit-types/NATIONAL_FOREST?lang=en").get_data(as_text=True)
    assert 'class="badge badge-estimate"' in html
    html = client.get("/permit-types/ROAD_USE?lang=en").get_data(as_text=True)
    assert "道路交通法第77条" in html
    assert 'class="badge badge-estimate"' not in html


def test_guideline_has_every_phase_and_actor(client):
    html = client.get("/guideline?lang=en").get_data(as_text=True)
    assert html.count('class="phase-no"') == 8
    for actor in ("Producer", "Film commission", "Permit authority"):
        assert f'<th scope="col">{actor}</th>' in html
    assert "No task shown for this actor at this phase." in html


def test_prefecture_page_lists_municipalities_and_authorities(client):
    html = client.get("/prefectures/37?lang=ja").get_data(as_text=True)
    assert "高松市" in html and "香川県警察本部" in html and "高松市北消防署" in html


def test_about_page_credits_every_dataset(client):
    html = client.get("/about").get_data(as_text=True)
    assert "国土数値情報（行政区域データ）" in html
    assert "出典：高松市オープンデータ" in html
    assert "code4fukui/localgovjp" in html


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_location_detail_page(client, ja, lang):
    slug = client.get("/api/locations?q=不動の滝").get_json()["features"][0]["properties"]["slug"]
    html = client.get(f"/locations/{slug}?lang={lang}").get_data(as_text=True)
    assert "不動の滝" in html and "香川県高松市" in html
    assert ("Nearest film commissions" if lang == "en" else ja.gettext("Nearest film commissions")) in html
    assert "香川フィルム・コミッション" in html or "Kagawa Film Commission" in html
    assert " km" in html
    assert "出典：高松市オープンデータ" in html


def test_unpublished_or_unknown_location_is_404(client):
    assert client.get("/locations/no-such-place").status_code == 404


def test_location_search_page_shows_distances_and_pages(client):
    html = client.get("/locations?near=34.34,134.05&radius_km=2&lang=en").get_data(as_text=True)
    assert 'class="distance"' in html and "within 2 km" in html
    html = client.get("/locations?category=park&lang=en").get_data(as_text=True)
    assert 'rel="next"' in html


def test_bad_filter_on_search_page_is_a_400_page_not_an_error(client):
    response = client.get("/locations?radius_km=-5&lang=en")
    assert response.status_code == 400
    assert "radius_km" in response.get_data(as_text=True)


def test_unknown_place_keeps_the_other_filters_on_the_map(client):
    html = client.get("/locations?q=%E6%BB%9D&near=Atlantis&lang=en").get_data(as_text=True)
    assert "No place called “Atlantis” was found" in html
    layer_urls = re.findall(r'"url": "(/api/locations[^"]*)"', html)
    assert layer_urls and all("q=" in url and "near=" not in url for url in layer_urls)


def test_commission_page_links_its_locations(client):
    html = client.get("/commissions/kagawa-film-commission?lang=en").get_data(as_text=True)
    assert 'href="/locations?commission=kagawa-film-commission"' in html and "(362)" in html
    listed = client.get("/locations?commission=kagawa-film-commission&lang=en").get_data(as_text=True)
    assert "362 locations" in listed
    assert 'name="commission" value="kagawa-film-commission"' in listed


def test_search_form_errors_are_in_the_page_language(app, client, ja):
    html = client.get("/locations?radius_km=-5&lang=ja").get_data(as_text=True)
    assert "radius_km: " + ja.gettext("must be more than 0 and at most %(max)s") % {"max": "500"} in html
    # A program that states no language gets English.
    api = app.test_client().get("/api/locations?radius_km=-5").get_json()
    assert api["errors"] == ["radius_km: must be more than 0 and at most 500"]


def test_source_links_stop_at_japanese_punctuation(app):
    from locations.directory.views import source_links

    parts = source_links("出典：高松市オープンデータ（https://opendata.takamatsu-fact.com/） park; https://a.example/x, y")
    assert [p for p, is_url in parts if is_url] == ["https://opendata.takamatsu-fact.com/", "https://a.example/x"]
