"""Search whose cost is bounded by the page: below the caps, counts, results and clusters are exactly those
of a full count and ranking (the reference below is the search as it was before the caps); above them the
count says "more than" and only the first matches are ranked. On SQLite and PostgreSQL alike."""
import pytest
from sqlalchemy import func, select

from locations.core import fulltext as search
from locations.core.extensions import db
from locations.library import queries
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
        return total, []
    # The clusters as they were computed before the bounded, one-pass query: every match, grouped by cell.
    size = queries.cell_size(min(zoom, max(queries.CLUSTER_ZOOMS)))
    cy, cx = queries._cell_index(Location.lat, 90.0, size), queries._cell_index(Location.lon, 180.0, size)
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


@pytest.mark.parametrize("filters", [f for f in FILTERS if f.text], ids=repr)
def test_word_filtered_viewports_are_as_before(app_context, filters):
    for zoom, cap in ((5, 10), (10, 10), (12, 500), (15, 500)):
        view = viewport(KAGAWA_BOX, zoom, filters, cap)
        total, clusters = reference_viewport(KAGAWA_BOX, zoom, filters, cap)
        assert not view.capped and view.total == total
        assert rounded(view.clusters) == rounded(clusters)  # the average of the same points, summed in another order


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
    monkeypatch.setattr(search_locations, "__defaults__", (1, 20, "relevance", 5, 5))
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
