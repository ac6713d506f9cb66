"""The map, its popups and the location search, in Chromium against the seeded database.

Every test ends with ``browser_log.assert_clean()``: no request left 127.0.0.1, no uncaught
JavaScript error, nothing logged as an error in the console, no exception in a view.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Response, expect
from sqlalchemy import func, select

from locations.core.extensions import db
from locations.directory.models import FilmCommission, Prefecture
from locations.library.models import Location

# Central Takamatsu, where the seeded locations are densest: at street zoom the viewport API
# answers with a dozen points, fewer than the live server's MAP_POINT_CAP, so no clusters.
TAKAMATSU = (34.34, 134.05)
STREET_ZOOM = 16
WATERFALL = "不動の滝"


@dataclass(frozen=True)
class Seeded:
    prefectures: int
    commissions: int
    locations: int


@pytest.fixture(scope="module")
def seeded(seeded_app) -> Seeded:
    """Counts read from the database, so the expectations follow the seed files."""
    with seeded_app.app_context():
        counts = Seeded(
            prefectures=db.session.scalar(select(func.count(Prefecture.id))),
            commissions=db.session.scalar(select(func.count(FilmCommission.id))),
            locations=db.session.scalar(
                select(func.count(Location.id)).where(Location.status == "published")),
        )
        db.session.remove()
    return counts


def the_map(page: Page):
    return page.locator(".folium-map")


def map_name(page: Page) -> str:
    # folium names the Leaflet map's global variable after its container's id (map_<hex>).
    name = the_map(page).get_attribute("id")
    assert name and re.fullmatch(r"map_[0-9a-f]+", name)
    return name


def is_viewport(response: Response) -> bool:
    """An answer of the locations layer's viewport API (the only /api/locations call with a bbox)."""
    parts = urlsplit(response.url)
    return parts.path == "/api/locations" and "bbox" in parse_qs(parts.query)


def viewport_args(response: Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.url).query).items()}


def wait_for_layers(page: Page, seeded: Seeded, *, viewport: bool = True) -> None:
    """Waits until maps.js has drawn the outlines, the film commissions and (if asked) the
    locations of the visible box, and checks that no layer failed to load."""
    fmap = the_map(page)
    expect(fmap).to_have_class(re.compile(r"\bleaflet-container\b"))
    expect(fmap).to_have_attribute("data-loaded-outlines", str(seeded.prefectures))
    expect(fmap).to_have_attribute("data-loaded-points", str(seeded.commissions))
    if viewport:
        expect(fmap).to_have_attribute("data-viewport-state", "ready")
    assert fmap.get_attribute("data-error") is None


def viewport_counts(page: Page) -> dict[str, int]:
    fmap = the_map(page)
    return {key: int(fmap.get_attribute(f"data-viewport-{key}") or "-1")
            for key in ("clusters", "points", "total")}


def move_map(page: Page, script: str, arg, zoom: int) -> Response:
    """Runs ``script`` (which moves the map) and returns the viewport API answer that the move
    caused, once maps.js has drawn it."""
    with page.expect_response(lambda r: is_viewport(r) and viewport_args(r)["zoom"] == str(zoom)) as answer:
        page.evaluate(script, arg)
    assert answer.value.status == 200
    expect(the_map(page)).to_have_attribute("data-viewport-state", "ready")
    return answer.value


# Unanimated, so the move ends (and maps.js refetches) before evaluate returns.
SET_VIEW = "([name, lat, lon, zoom]) => { window[name].setView([lat, lon], zoom, {animate: false}); }"
PAN_BY = "([name, dx, dy]) => { window[name].panBy([dx, dy], {animate: false}); }"


def open_street_map(page: Page, seeded: Seeded) -> Response:
    """/map in English, zoomed to central Takamatsu where single locations are shown."""
    page.goto("/map?lang=en")
    wait_for_layers(page, seeded)
    return move_map(page, SET_VIEW, [map_name(page), *TAKAMATSU, STREET_ZOOM], STREET_ZOOM)


# Tags one location marker (a circle marker of the marker-cluster group, which the film
# commissions are not in) that is drawn on its own and not covered by anything else, so that
# Playwright clicks it like a user would. `pick` chooses the one nearest the map's centre (its
# popup fits without moving the map) or nearest the top edge (the map must pan to show it).
TAG_LOCATION_MARKER = """([name, pick]) => {
  const map = window[name];
  let group = null;
  map.eachLayer(layer => { if (layer instanceof L.MarkerClusterGroup) { group = layer; } });
  const box = map.getContainer().getBoundingClientRect();
  const candidates = group.getLayers().filter(marker => map.hasLayer(marker)).map(marker => {
    const r = marker.getElement().getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const score = pick === "top" ? y - box.top
      : Math.hypot(x - (box.left + box.width / 2), y - (box.top + box.height / 2));
    return {marker, score, hit: document.elementFromPoint(x, y) === marker.getElement()};
  }).filter(c => c.hit).sort((a, b) => a.score - b.score);
  if (candidates.length === 0) { return 0; }
  candidates[0].marker.getElement().setAttribute("data-test-target", "");
  return candidates.length;
}"""


def test_map_page_draws_outlines_commissions_and_clusters(page, browser_log, seeded):
    with page.expect_response(is_viewport) as first:
        response = page.goto("/map?lang=en")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en")
    wait_for_layers(page, seeded)
    assert page.evaluate("() => L.version").startswith("1.")
    assert viewport_args(first.value)["zoom"] == "5"

    # The whole country is in view: every location is counted, all of them inside clusters.
    counts = viewport_counts(page)
    assert counts["clusters"] > 0
    assert counts["points"] == 0
    assert counts["total"] == seeded.locations
    clusters = page.locator(".leaflet-marker-icon.map-cluster")
    expect(clusters).to_have_count(counts["clusters"])
    assert sum(int(text) for text in clusters.all_text_contents()) == seeded.locations
    expect(clusters.first).to_have_attribute("title", re.compile(r"^\d+ locations here: zoom in to see them$"))
    for layer in ("Prefectures", "Film commissions", "Locations"):
        expect(page.locator(".leaflet-control-layers-overlays")).to_contain_text(layer)
    browser_log.assert_clean()


def test_zooming_and_panning_fetch_the_new_viewport(page, browser_log, seeded):
    with page.expect_response(is_viewport) as first:
        page.goto("/map?lang=en")
    wait_for_layers(page, seeded)
    name = map_name(page)
    start_zoom = page.evaluate("(name) => window[name].getZoom()", name)
    answers = [first.value]

    # A click on the biggest cluster zooms in by two around it, as its title promises.
    clusters = page.locator(".leaflet-marker-icon.map-cluster")
    sizes = [int(text) for text in clusters.all_text_contents()]
    with page.expect_response(lambda r: is_viewport(r) and viewport_args(r)["zoom"] == str(start_zoom + 2)) as clicked:
        clusters.nth(sizes.index(max(sizes))).click()
    assert clicked.value.status == 200
    expect(the_map(page)).to_have_attribute("data-viewport-state", "ready")
    answers.append(clicked.value)

    # Down to a few streets of Takamatsu: few enough locations to be sent one by one.
    answers.append(move_map(page, SET_VIEW, [name, *TAKAMATSU, STREET_ZOOM], STREET_ZOOM))
    counts = viewport_counts(page)
    assert counts["clusters"] == 0
    assert 0 < counts["points"] == counts["total"]
    expect(page.locator(".leaflet-marker-icon.map-cluster")).to_have_count(0)

    # Panning east at the same zoom asks for the box further east.
    answers.append(move_map(page, PAN_BY, [name, 400, 0], STREET_ZOOM))
    boxes = [viewport_args(a)["bbox"] for a in answers]
    assert len(set(boxes)) == len(boxes), boxes
    west_before, west_after = (float(box.split(",")[0]) for box in boxes[-2:])
    assert west_after > west_before
    assert viewport_args(answers[-1])["zoom"] == str(STREET_ZOOM)
    browser_log.assert_clean()


def test_location_popup_links_to_its_page(page, browser_log, seeded):
    answer = open_street_map(page, seeded)
    features = {f["properties"]["url"]: f["properties"] for f in answer.json()["features"]}
    assert page.evaluate(TAG_LOCATION_MARKER, [map_name(page), "centre"]) > 0

    page.locator("[data-test-target]").click()
    link = page.locator(".leaflet-popup-content .map-popup a")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert re.fullmatch(r"/locations/[a-z0-9][a-z0-9-]*", href), href
    props = features[href]
    # The English page labels locations with their English name, else the Japanese one.
    name = props["name_en"] or props["name_ja"]
    expect(link).to_have_text(name)

    with page.expect_response(lambda r: r.request.is_navigation_request()) as visited:
        link.click()
    assert visited.value.status == 200
    assert urlsplit(visited.value.url).path == href
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    # A place without an English name is headed by its romanised name, with the Japanese one beside it.
    expect(page.locator("h1")).to_contain_text(name)
    # The language chosen on the map page is remembered without ?lang=.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The detail page's own map: its prefecture's outline and the locations around it.
    fmap = the_map(page)
    expect(fmap).to_have_attribute("data-loaded-outlines", "1")
    expect(fmap).to_have_attribute("data-loaded-points", re.compile(r"^[1-9]\d*$"))
    assert fmap.get_attribute("data-error") is None
    browser_log.assert_clean()


class PopupClosed(AssertionError):
    """A popup that panned the map to fit closed again: the refetch replaced its marker (fixed bug)."""


def test_popup_near_the_edge_stays_open_after_the_map_pans_to_fit_it(page, browser_log, seeded):
    open_street_map(page, seeded)
    name = map_name(page)
    assert page.evaluate(TAG_LOCATION_MARKER, [name, "top"]) > 0
    page.evaluate("""(name) => {
      const map = window[name];
      map.once("popupopen", () => { window.testPopupOpened = true; });
      map.once("popupclose", () => { window.testPopupClosed = true; });
      window.testPanned = new Promise(resolve => map.once("autopanstart", () => map.once("moveend", resolve)));
    }""", name)

    page.locator("[data-test-target]").click()
    page.wait_for_function("() => window.testPopupOpened === true")
    # Resolves once the popup's own pan has ended (and maps.js has reacted to that move).
    page.evaluate("() => window.testPanned.then(() => true)")
    expect(the_map(page)).to_have_attribute("data-viewport-state", "ready")
    # Leaflet fades a closing popup out before removing it, so ask Leaflet rather than the DOM.
    if page.evaluate("() => window.testPopupClosed === true"):
        raise PopupClosed("the popup closed when the map refetched its points after panning to show it")
    expect(page.locator(".leaflet-popup-content .map-popup a")).to_be_visible()
    browser_log.assert_clean()


LANGUAGES = [
    pytest.param({"lang": "ja", "search": "検索"}, id="ja"),
    pytest.param({"lang": "en", "search": "Search", "heading": "Find locations",
                  "labels": {"q": "Words", "near": "Near a place", "radius_km": "Within (km)"}}, id="en"),
]


def open_search(page: Page, ui: dict, seeded: Seeded) -> None:
    response = page.goto(f"/locations?lang={ui['lang']}")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", ui["lang"])
    if "heading" in ui:
        expect(page.locator("h1")).to_have_text(ui["heading"])
    for field_id, text in ui.get("labels", {}).items():
        expect(page.locator(f"label[for={field_id}]")).to_have_text(text)
    wait_for_layers(page, seeded)


def submit_search(page: Page, ui: dict) -> Response:
    with page.expect_response(lambda r: r.request.is_navigation_request()) as answer:
        page.get_by_role("button", name=ui["search"], exact=True).click()
    assert urlsplit(answer.value.url).path == "/locations"
    page.wait_for_url(re.compile(r"/locations\?"))
    return answer.value


@pytest.mark.parametrize("ui", LANGUAGES)
def test_search_by_words(page, browser_log, seeded, ui):
    open_search(page, ui, seeded)
    page.locator("#q").fill("滝")
    assert submit_search(page, ui).status == 200

    # The form does not carry lang=: the language cookie keeps the results in the same language.
    expect(page.locator("html")).to_have_attribute("lang", ui["lang"])
    expect(page.locator("#q")).to_have_value("滝")
    names = page.locator(".results .result strong")
    expect(names.filter(has_text=WATERFALL)).not_to_have_count(0)
    # The map shows the same search: its locations layer counts what the list lists.
    wait_for_layers(page, seeded)
    assert viewport_counts(page)["total"] == names.count()
    browser_log.assert_clean()


@pytest.mark.parametrize("ui", LANGUAGES)
def test_search_near_a_place(page, browser_log, seeded, ui):
    open_search(page, ui, seeded)
    page.locator("#near").fill("高松市")
    page.locator("#radius_km").fill("2")
    assert submit_search(page, ui).status == 200

    expect(page.locator("#near")).to_have_value("高松市")
    distances = page.locator(".results .result .distance")
    expect(distances).not_to_have_count(0)
    for text in distances.all_text_contents():
        match = re.fullmatch(r"(\d+\.\d) km", text)
        assert match and float(match.group(1)) <= 2.0, text
    if ui["lang"] == "en":
        expect(page.locator(".result-count")).to_contain_text(re.compile(r"within 2 km of \S*高松市"))
    expect(page.get_by_role("alert")).to_have_count(0)
    wait_for_layers(page, seeded)
    browser_log.assert_clean()


@pytest.mark.parametrize("ui", LANGUAGES)
def test_search_near_an_unknown_place_explains_itself(page, browser_log, seeded, ui):
    open_search(page, ui, seeded)
    page.locator("#near").fill("Atlantis")
    # A place the gazetteer does not know is the user's mistake, not a server error.
    assert submit_search(page, ui).status == 200

    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Atlantis")
    if ui["lang"] == "en":
        expect(alert).to_contain_text("No place called “Atlantis” was found")
    # Still the search page, with the form filled in for another try.
    expect(page.locator("#near")).to_have_value("Atlantis")
    wait_for_layers(page, seeded)
    browser_log.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("path", "has_map"), [("/", True), ("/commissions", False)])
def test_directory_pages_run_without_errors(page, browser_log, seeded, path, has_map, lang):
    response = page.goto(f"{path}?lang={lang}")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    if has_map:
        wait_for_layers(page, seeded, viewport=False)
    else:
        expect(the_map(page)).to_have_count(0)
    browser_log.assert_clean()
