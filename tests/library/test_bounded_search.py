"""Search whose cost is bounded by the page: below the caps, counts, results and clusters are exactly those
of a full count and ranking (the reference below is the search as it was before the caps); above them the
count says "more than" and only the first matches are ranked. On SQLite and PostgreSQL alike."""
import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sa_text

from locations.core import fulltext as search
from locations.core.extensions import db
from locations.library import cells, queries
from locations.library.models import Location
from locations.library.queries import LocationFilter, Near, search_locations, viewport

TAKAMATSU = (34.3428, 134.0465)
KAGAWA_BOX = (133.4, 34.0, 134.5, 34.6)
FILTERS = [
    LocationFilter(text="公園"), LocationFilter(text="park"), LocationFilter(text="高松"), LocationFilter(text="滝"),
    LocationFilter(text="寺"), LocationFilter(text="公園", category="park"), LocationFilter(text="高松 公園"),
    LocationFilter(category="park"), LocationFilter(), LocationFilter(prefecture="37"),
    LocationFilter(text="公園", near=Near(*TAKAMATSU, radius_km=5)), LocationFilter(near=Near(*TAKAMATSU, radius_km=5)),
    # Words with filters the index answers by its filter tokens, and one it cannot (facilities): as the table says.
    LocationFilter(text="公園", prefecture="37"), LocationFilter(text="公園", prefecture="13"),
    LocationFilter(text="寺", block="SKK"), LocationFilter(text="公園", block="KNT"), LocationFilter(text="park", block="XYZ"),
    LocationFilter(text="寺", category="temple_shrine"), LocationFilter(text="寺", category="temple_shrine", prefecture="37"),
    LocationFilter(text="公園", category="nowhere"), LocationFilter(text="公園", facilities=("parking",)),
]


def reference(filters: LocationFilter, page: int, per_page: int, sort: str = "relevance"):
    """The search before the caps: count everything, rank everything (ties by id)."""
    query, rank, distance = queries._matching(select(Location), filters)
    order = [term for term in (rank, distance) if term is not None]
    if distance is not None and (sort == "distance" or rank is None):
        order = [distance] + [t for t in order if t is not distance]
    order.append(Location.id)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return total, [loc.id for loc in rows]


def reference_viewport(bbox, zoom, filters, cap):
    west, south, east, north = bbox
    ids, _, _ = queries._matching(select(Location.id), filters)
    ids = ids.where(Location.lat.between(south, north), Location.lon.between(west, east))
    total = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    if total <= cap:
        return total, sorted(db.session.scalars(ids))  # the points' ids
    # The clusters as they were computed before the bounded, one-pass query: every match, grouped by cell.
    size = cells.cell_size(min(zoom, max(cells.CLUSTER_ZOOMS)))
    cy, cx = cells.cell_index(Location.lat, 90.0, size), cells.cell_index(Location.lon, 180.0, size)
    rows = db.session.execute(select(func.avg(Location.lat), func.avg(Location.lon), func.count())
                              .where(Location.id.in_(ids)).group_by(cy, cx)).all()
    return total, sorted((lat, lon, n) for lat, lon, n in rows)


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_below_the_caps_everything_is_as_before(app_context, filters):
    for page, per_page in ((1, 20), (2, 20), (1, 400)):
        for sort in ("relevance", "distance"):
            found = search_locations(filters, page=page, per_page=per_page, sort=sort)
            total, ids = reference(filters, page, per_page, sort)
            assert not found.capped and found.total == total
            assert [loc.id for loc, _ in found.results] == ids, (page, per_page, sort)
    assert found.pages == max(1, -(-total // per_page))


# Kagawa (its south and a 2° grid line at 34.0, and 134.0 across it), central Takamatsu over 0.125° and
# 0.03125° lines, a box whose edges lie on 0.5° lines, and one of sea.
BOXES = [KAGAWA_BOX, (134.03, 34.31, 134.07, 34.36), (133.5, 34.0, 134.5, 34.5), (134.0, 34.25, 134.125, 34.375),
         (135.0, 33.0, 136.0, 33.5)]


@pytest.mark.parametrize("filters", [f for f in FILTERS if f.text], ids=repr)
def test_word_filtered_viewports_are_as_before(app_context, filters):
    for box in BOXES:
        for zoom, cap in ((5, 10), (10, 10), (12, 500), (15, 500)):
            view = viewport(box, zoom, filters, cap)
            total, clusters = reference_viewport(box, zoom, filters, cap)
            assert not view.capped and view.total == total, (box, zoom)
            if view.clusters:
                # The average of the same points, summed in another order.
                assert rounded(view.clusters) == rounded(clusters), (box, zoom)
            else:
                assert [point.id for point in view.points] == clusters, (box, zoom)


def test_a_box_with_few_matches_reads_the_text_index_once(app, client):
    from tests.permits.test_rulebook import count_statements

    path = "/api/locations?bbox=133.4,34.0,134.5,34.6&zoom=12&q=" + "公園"
    answers = []
    statements = count_statements(app, lambda: answers.append(client.get(path).get_json()))
    assert not answers[0]["clustered"] and 0 < answers[0]["total"] == len(answers[0]["features"])
    with app.app_context():
        index = "location_fts" if db.engine.dialect.name == "sqlite" else "location_search"
    assert len([s for s in statements if index in s]) == 1, statements


def test_the_grid_cells_cover_the_box_in_few_tokens():
    central = search.grid_cells((134.03, 34.31, 134.07, 34.36))  # 3 rows and 3 columns of 0.03125°
    assert len(central) == 9 and all(cell.startswith("xg3y") for cell in central)
    assert {search.grid_token(3, lat, lon) for lat in (34.31, 34.3428, 34.36) for lon in (134.03, 134.07)} <= set(central)
    japan = search.grid_cells((122.9, 24.0, 153.9, 45.6))
    assert japan is None  # the whole country: nothing to gain
    z8 = search.grid_cells((130.0, 33.0, 137.0, 35.8))
    assert z8[0].startswith("xg0y") and len(z8) == 4 * 2
    assert search.grid_cells((134.5, 34.0, 134.0, 34.5)) is None


def test_the_database_puts_each_location_in_the_cells_python_computes(app_context):
    # Points on grid lines (34.0 and 134.0 are on every grid's lines, 34.125 on the two finest) and beside one.
    spots = ((34.0, 134.0), (34.125, 134.03125), (34.3428, 134.0465), (33.99999999, 133.99999999))
    places = db.session.scalars(select(Location).where(Location.status == "published").order_by(Location.id)
                                .limit(len(spots))).all()
    for place, (lat, lon) in zip(places, spots):
        place.lat, place.lon = lat, lon
    db.session.flush()
    for place in places:
        stored = db.session.scalar(select(sa_text("filter_tokens")).select_from(Location).where(Location.id == place.id))
        grid = [t for t in stored.split() if t.startswith("xg")]
        assert grid == [search.grid_token(level, place.lat, place.lon) for level in range(len(search.GRID_SIZES))]
    db.session.rollback()


def test_a_moved_location_is_found_in_its_new_box(app_context):
    from tests.builders import commission, published_location

    place = published_location(commission())
    place.lat, place.lon = 34.3428, 134.0465
    db.session.flush()
    words = LocationFilter(text=place.name_ja[:2])
    takamatsu, tokyo = (134.03, 34.31, 134.07, 34.36), (139.7, 35.65, 139.8, 35.72)
    assert viewport(takamatsu, 15, words, 500).total >= 1
    before = viewport(tokyo, 15, words, 500).total
    place.lat, place.lon = 35.68, 139.76
    db.session.flush()
    assert viewport(tokyo, 15, words, 500).total == before + 1
    assert place.id not in {p.id for p in viewport(takamatsu, 15, words, 500).points}
    db.session.rollback()


def rounded(clusters):
    return sorted((round(lat, 9), round(lon, 9), n) for lat, lon, n in clusters)


def test_counts_and_ranking_stop_at_the_caps(app_context):
    filters = LocationFilter(text="高松")
    full_total, _ = reference(filters, 1, 20)
    assert full_total > 60
    capped = search_locations(filters, per_page=10, cap=50, rank_cap=30)
    assert capped.capped and capped.total == 50 and capped.pages == 3  # pages reach the 30 ranked matches
    assert len(capped.results) == 10
    assert search_locations(filters, page=4, per_page=10, cap=50, rank_cap=30).results == []
    # Ranked among the first 30 matches in index order: each result is a real match.
    _, every = reference(filters, 1, full_total)
    ranked = [loc.id for page in (1, 2, 3) for loc, _ in search_locations(
        filters, page=page, per_page=10, cap=50, rank_cap=30).results]
    assert len(ranked) == len(set(ranked)) == 30 and set(ranked) <= set(every)
    # Filters other than words take the other path, and stop at the caps the same way.
    mixed = search_locations(LocationFilter(text="高松", prefecture="37"), per_page=10, cap=50, rank_cap=30)
    assert mixed.capped and mixed.total == 50 and len(mixed.results) == 10
    assert search_locations(LocationFilter(prefecture="37"), cap=50).capped  # no words: counted, not ranked


def test_the_unfiltered_count_comes_from_the_map_cells(app_context):
    everything = search_locations(LocationFilter(), cap=10)
    shown = db.session.scalar(select(func.count()).where(Location.status == "published",
                                                         Location.hidden_stale.is_(False)))
    assert everything.total == shown and not everything.capped and everything.pages == 1  # 10 reachable / 20


def test_a_viewport_over_the_scan_cap_says_so(app_context, monkeypatch):
    monkeypatch.setattr(queries, "VIEWPORT_SCAN_CAP", 40)
    view = viewport(KAGAWA_BOX, 8, LocationFilter(text="高松"), 10)
    assert view.capped and view.total == 40 and sum(n for _, _, n in view.clusters) == 40


def test_the_page_and_the_api_show_more_than(client, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 5)
    monkeypatch.setattr(search_locations, "__defaults__", (1, 20, "relevance", 5, 5, False))
    html = client.get("/locations?q=高松&lang=en").get_data(as_text=True)
    assert 'data-capped="5"' in html and "More than 5 locations" in html
    ja = client.get("/locations?q=高松&lang=ja").get_data(as_text=True)
    assert "5件以上" in ja
    data = client.get("/api/locations?q=高松").get_json()
    assert data["total"] == 5 and data["total_capped"] is True and data["pages"] == 1


def test_query_words_are_unchanged_by_the_caps():
    assert search.query_words("高松 公園") == [["高", "松"], ["公", "園"]]


def test_the_filter_tokens_follow_a_change_of_category_and_prefecture(app_context):
    from tests.builders import commission, published_location

    place = published_location(commission())
    words = place.name_ja[:2]
    before = LocationFilter(text=words, category=place.category.code)
    assert place.id in {loc.id for loc, _ in search_locations(before, per_page=400).results}
    other = db.session.scalar(select(queries.LocationCategory).where(queries.LocationCategory.code == "museum"))
    place.category_id = other.id
    db.session.flush()
    assert place.id not in {loc.id for loc, _ in search_locations(before, per_page=400).results}
    after = LocationFilter(text=words, category="museum", prefecture="37")
    assert place.id in {loc.id for loc, _ in search_locations(after, per_page=400).results}
    db.session.rollback()
