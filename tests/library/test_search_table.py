"""PostgreSQL's narrow search table holds exactly the locations producers see, with their words and position,
whatever changes them; and a bulk refresh leaves no rows waiting in the GIN indexes' pending lists."""
import pytest
from sqlalchemy import text

from locations.core.extensions import db
from locations.library.queries import LocationFilter, refresh_statistics, search_locations, viewport
from tests.builders import commission, published_location

@pytest.fixture(autouse=True)
def postgresql_only(app_context):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the narrow search table exists on PostgreSQL only (SQLite's FTS5 table plays its part)")


def copy_of(location_id: int):
    return db.session.execute(text("SELECT vector::text, lat, lon FROM location_search WHERE id = :id"),
                              {"id": location_id}).one_or_none()


def test_the_copy_follows_every_change_that_matters():
    place = published_location(commission())
    assert copy_of(place.id) is not None
    place.hidden_stale = True
    db.session.flush()
    assert copy_of(place.id) is None
    place.hidden_stale = False
    place.lat, place.lon = 43.06, 141.35  # moved to Sapporo
    place.search_text = "試 験 の 灯 籠"
    db.session.flush()
    words, lat, lon = copy_of(place.id)
    assert (lat, lon) == (43.06, 141.35) and "'灯'" in words
    near_sapporo = (141.0, 42.8, 141.7, 43.3)
    found = viewport(near_sapporo, 16, LocationFilter(text="灯籠"), 500)
    assert [p.id for p in found.points] == [place.id]
    assert [loc.id for loc, _ in search_locations(LocationFilter(text="灯籠")).results] == [place.id]
    place.status = "draft"
    db.session.flush()
    assert copy_of(place.id) is None and search_locations(LocationFilter(text="灯籠")).total == 0
    place.status = "published"
    db.session.flush()
    db.session.delete(place)
    db.session.flush()
    assert copy_of(place.id) is None


def test_the_copy_holds_the_visible_locations_only():
    counts = db.session.execute(text(
        "SELECT (SELECT count(*) FROM location_search), "
        "(SELECT count(*) FROM location WHERE status = 'published' AND hidden_stale IS FALSE)")).one()
    assert counts[0] == counts[1] > 0


def test_a_bulk_refresh_merges_the_pending_lists():
    db.session.execute(text("UPDATE location SET search_text = search_text || ' 再' WHERE status = 'published'"))
    refresh_statistics()
    for index in ("ix_location_search_vector", "ix_location_search_words"):
        left = db.session.execute(text("SELECT gin_clean_pending_list(CAST(:i AS regclass))"), {"i": index}).scalar()
        assert left == 0, index
