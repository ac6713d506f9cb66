import pytest
from sqlalchemy import func, select

from locations.core.extensions import db
from locations.library.models import Location, LocationCell
from locations.library.cells import CLUSTER_ZOOMS, cell_of, count_in_cells, rebuild_cells
from locations.library.queries import LocationFilter, Near, search_locations, viewport

TAKAMATSU = (34.34, 134.05)
JAPAN = (122.0, 20.0, 154.0, 46.0)


@pytest.mark.parametrize("text, expected", [("滝", "不動の滝"), ("神社", None), ("寺", "法然寺"), ("公園", "松島公園"),
                                            ("栗林", "特別名勝　栗林公園"), ("takamatsu", None), ("park", None)])
def test_text_search_finds_short_japanese_queries(app_context, text, expected):
    page = search_locations(LocationFilter(text=text), per_page=400)
    names = [loc.name_ja for loc, _ in page.results]
    assert page.total == len(names)
    if expected:
        assert expected in names
    for loc, _ in page.results:
        assert text.lower() in loc.search_text.replace(" ", "") or text.lower() in loc.search_text


def test_no_match_is_an_empty_page(app_context):
    page = search_locations(LocationFilter(text="存在しないロケ地名"))
    assert page.total == 0 and page.results == [] and page.pages == 1


def test_near_search_is_sorted_by_distance_and_within_radius(app_context):
    page = search_locations(LocationFilter(near=Near(*TAKAMATSU, radius_km=3)), per_page=100)
    distances = [d for _, d in page.results]
    assert distances == sorted(distances)
    assert page.total > 10 and all(d <= 3.0 for d in distances)


def test_filters_combine(app_context):
    parks = search_locations(LocationFilter(category="park"), per_page=1).total
    parks_with_text = search_locations(LocationFilter(category="park", text="松島")).total
    assert parks >= 300 and 0 < parks_with_text < parks
    assert search_locations(LocationFilter(prefecture="13")).total == 0
    assert search_locations(LocationFilter(block="SKK")).total == search_locations(LocationFilter()).total
    assert search_locations(LocationFilter(commission="kagawa-film-commission")).total >= 362
    parking = search_locations(LocationFilter(facilities=("parking",)), per_page=100)
    assert parking.total > 0 and all(loc.has_parking for loc, _ in parking.results)


def test_pagination(app_context):
    first, second = (search_locations(LocationFilter(category="park"), page=p, per_page=20) for p in (1, 2))
    assert len(first.results) == 20 and len(second.results) == 20
    assert not {loc.id for loc, _ in first.results} & {loc.id for loc, _ in second.results}
    assert first.pages == -(-first.total // 20)


def test_country_view_clusters_and_city_view_lists_points(app_context):
    country = viewport(JAPAN, 5, LocationFilter(), cap=50)
    assert country.clusters and not country.points
    assert sum(n for _, _, n in country.clusters) == country.total >= 362
    city = viewport((134.03, 34.33, 134.06, 34.35), 15, LocationFilter(), cap=500)
    assert city.points and not city.clusters
    assert all(134.03 <= p.lon <= 134.06 and 34.33 <= p.lat <= 34.35 for p in city.points)


def test_filtered_viewport_clusters_live(app_context):
    view = viewport(JAPAN, 5, LocationFilter(category="park"), cap=10)
    assert view.clusters and view.total >= 300


def test_cells_match_a_full_rebuild_after_incremental_changes(app_context):
    before = {(c.zoom, c.cy, c.cx): c.count for c in db.session.scalars(select(LocationCell))}
    count_in_cells(*TAKAMATSU, 1)
    after_add = {(c.zoom, c.cy, c.cx): c.count for c in db.session.scalars(select(LocationCell))}
    for zoom in CLUSTER_ZOOMS:
        key = (zoom, *cell_of(*TAKAMATSU, zoom))
        assert after_add[key] == before.get(key, 0) + 1
    count_in_cells(*TAKAMATSU, -1)
    db.session.flush()
    assert {(c.zoom, c.cy, c.cx): c.count for c in db.session.scalars(select(LocationCell))} == before
    rebuild_cells()
    assert {(c.zoom, c.cy, c.cx): c.count for c in db.session.scalars(select(LocationCell))} == before
    published = db.session.scalar(select(func.count()).select_from(Location).where(Location.status == "published"))
    for zoom in CLUSTER_ZOOMS:
        assert sum(n for (z, _, _), n in before.items() if z == zoom) == published


def test_only_published_locations_are_in_the_text_index(app):
    from locations.directory.models import FilmCommission
    from locations.library.models import LocationCategory

    with app.app_context():
        owner = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
        loc = Location(slug="draft-test-place", commission_id=owner.id, name_ja="試験用の灯籠", category_id=db.session.scalar(
            select(LocationCategory.id).where(LocationCategory.code == "park")), prefecture_id=owner.prefecture_id,
            lat=34.3, lon=134.0, status="draft", source="test", search_text="試 験 用 の 灯 籠")
        db.session.add(loc)
        db.session.commit()
        try:
            assert search_locations(LocationFilter(text="灯籠")).total == 0
            loc.status = "published"
            db.session.commit()
            page = search_locations(LocationFilter(text="灯籠"))
            assert [loc.slug for loc, _ in page.results] == ["draft-test-place"]
            loc.search_text = "別 の 名 前"
            db.session.commit()
            assert search_locations(LocationFilter(text="灯籠")).total == 0
            assert search_locations(LocationFilter(text="名前")).total == 1
            loc.status = "draft"
            db.session.commit()
            assert search_locations(LocationFilter(text="名前")).total == 0
        finally:
            db.session.delete(loc)
            db.session.commit()
        assert search_locations(LocationFilter(text="名前")).total == 0


def test_sqlite_plans_use_the_text_and_position_indexes(app_context):
    """Guards the planner statistics: without them SQLite scanned every row via the status index."""
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    plan = " ".join(row[-1] for row in db.session.execute(text(
        "EXPLAIN QUERY PLAN SELECT location.id FROM location WHERE location.status = 'published' "
        "AND location.lat BETWEEN 34.3 AND 34.4 AND location.lon BETWEEN 134.0 AND 134.1")))
    assert "ix_location_lat_lon" in plan
    assert db.session.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar() > 0


def test_sqlite_word_filtered_viewports_read_positions_from_the_covering_index(app_context):
    """At 100k rows SQLite reads a word's matches from the text index first and joins each to its position
    by id; that join read the whole location row (11.5 ms for 5,001 matches of 山), ix_location_point
    makes it an index-only read (4.2 ms). The seeded database is too small for SQLite to pick that order
    itself, so CROSS JOIN fixes it."""
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite query plans")
    assert [row[2] for row in db.session.execute(text("PRAGMA index_info(ix_location_point)"))] == ["id", "lat", "lon"]
    plan = " ".join(row[-1] for row in db.session.execute(text(
        "EXPLAIN QUERY PLAN SELECT location.lat, location.lon, location.id FROM location_fts CROSS JOIN location "
        "ON location.id = location_fts.rowid WHERE location_fts MATCH '\"公園\"' "
        "AND location.lat BETWEEN 20 AND 46 AND location.lon BETWEEN 122 AND 154")))
    assert "SEARCH location USING COVERING INDEX ix_location_point" in plan, plan
