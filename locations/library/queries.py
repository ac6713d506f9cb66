"""Finding locations: filters, text and distance search, map viewports with clusters (no request, no commit).

The result lists and the map viewports stay together because they share the filters, the index filter tokens
and the caps; the grid cells the clusters come from are in ``cells``."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple, Optional

from geopy.distance import great_circle
from sqlalchemy import Select, String, and_, case, cast, func, select, text
from sqlalchemy.orm import joinedload, load_only, selectinload

from ..core import fulltext as search
from ..core.extensions import db
from ..directory.models import FilmCommission, Prefecture, RegionalBlock
from .cells import CLUSTER_ZOOMS, cell_index, cell_size, cells_in, visible_total
from .models import Location, LocationCategory, Photo

KM_PER_DEGREE = 111.195  # mean great-circle km per degree of latitude
# Search counts at most COUNT_CAP matches (the page then says "more than 10,000") and ranks at most
# RANK_CAP of them (the first ones in index order), so a query's cost is bounded by the page and not by its
# hits: ranking costs 1.5–3 µs per match, and 山 matches a sixth of the rows. Below the caps, counts and results
# are exactly those of a full count and ranking (tests/library/test_bounded_search.py). At 100k rows, ranking
# 1,000 instead of 2,000 took 2.5–3 ms off a search on SQLite and 3–8 ms on PostgreSQL; 50 pages of 20 still
# reach them.
COUNT_CAP = 10_000
RANK_CAP = 1_000
# A map viewport filtered by words clusters at most this many matches in the box; beyond it the answer
# says so ("capped") and the map asks to zoom in or to add words.
VIEWPORT_SCAN_CAP = 5_000


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_km: float
    label: str = ""


@dataclass(frozen=True)
class LocationFilter:
    text: str = ""
    category: Optional[str] = None
    prefecture: Optional[str] = None
    block: Optional[str] = None
    commission: Optional[str] = None
    facilities: tuple[str, ...] = ()
    near: Optional[Near] = None

    @property
    def is_empty(self) -> bool:
        return self == LocationFilter()


@dataclass
class SearchPage:
    results: list[tuple[Location, Optional[float]]]  # (location, distance in km or None)
    total: int  # exact unless ``capped``
    page: int
    per_page: int
    cap: int = COUNT_CAP
    capped: bool = False  # more than ``cap`` matches: show "more than cap"
    reachable: Optional[int] = None  # how many results the pages reach (RANK_CAP when ranking was bounded)

    @property
    def pages(self) -> int:
        # Pages go as far as the caps: past the 1,000th ranked match, more words help more than more pages.
        reach = min(self.total, self.cap if self.reachable is None else self.reachable)
        return max(1, math.ceil(reach / self.per_page))


def index_text_for(location: Location) -> str:
    return build_index_text(
        location.name_ja, location.name_en, location.description_ja, location.description_en,
        location.tags, location.address, location.category, location.municipality, location.prefecture,
        name_romaji=location.name_romaji,
    )


def build_index_text(name_ja, name_en, description_ja, description_en, tags, address,
                     category, municipality, prefecture, name_romaji=None) -> str:
    """The searchable text of a location: its own words (and romanised name) plus its category and place names."""
    return search.index_text(
        name_ja, name_en, name_romaji, description_ja, description_en, tags, address,
        category.name_ja if category else None, category.name_en if category else None,
        municipality.name_ja if municipality else None, municipality.name_romaji if municipality else None,
        prefecture.name_ja if prefecture else None, prefecture.name_en if prefecture else None,
    )


# A result list shows names, category, prefecture, address and a thumbnail: the wide text columns
# (descriptions, access, notes, search text) stay in the database until something reads one (20% of a
# 100-result API page was building them).
_LIST_LOADS = (
    load_only(Location.id, Location.slug, Location.name_ja, Location.name_en, Location.name_romaji,
              Location.address, Location.lat, Location.lon, Location.is_synthetic, Location.category_id,
              Location.prefecture_id, Location.commission_id),
    # Each row has one of these: joined in the same statement rather than read by three more.
    joinedload(Location.category, innerjoin=True), joinedload(Location.prefecture, innerjoin=True),
    joinedload(Location.commission, innerjoin=True), selectinload(Location.photos),
)


def _index_filters(filters: LocationFilter) -> Optional[list[list[str]]]:
    """The filters as groups of index tokens (one of each group must be present), or None when a filter is
    not in the index (commission, facilities, near): the query then joins the table. An empty group (an
    unknown code) matches nothing, as the table would."""
    if filters.commission or filters.facilities or filters.near:
        return None
    groups = []
    if filters.category:
        found = db.session.scalar(select(LocationCategory.id).where(LocationCategory.code == filters.category))
        groups.append([search.filter_token("c", found)] if found is not None else [])
    if filters.prefecture:
        found = db.session.scalar(select(Prefecture.id).where(Prefecture.code == filters.prefecture))
        groups.append([search.filter_token("p", found)] if found is not None else [])
    if filters.block:
        ids = db.session.scalars(select(Prefecture.id).join(Prefecture.block).where(RegionalBlock.code == filters.block)
                                 .order_by(Prefecture.id)).all()
        groups.append([search.filter_token("p", i) for i in ids])
    return groups


def _filtered(base: Select, filters: LocationFilter) -> Select:
    """Published locations narrowed by every filter except text and distance."""
    query = base.where(Location.status == "published", Location.hidden_stale.is_(False))
    if filters.category:
        query = query.where(Location.category_id == select(LocationCategory.id).where(
            LocationCategory.code == filters.category).scalar_subquery())
    if filters.prefecture:
        query = query.where(Location.prefecture_id == select(Prefecture.id).where(
            Prefecture.code == filters.prefecture).scalar_subquery())
    if filters.block:
        query = query.where(Location.prefecture_id.in_(
            select(Prefecture.id).join(Prefecture.block).where(RegionalBlock.code == filters.block)))
    if filters.commission:
        query = query.where(Location.commission_id == select(FilmCommission.id).where(
            FilmCommission.slug == filters.commission).scalar_subquery())
    for name in filters.facilities:
        query = query.where(getattr(Location, f"has_{name}").is_(True))
    return query


def _near_bounds(near: Near) -> tuple[float, float, float, float]:
    dlat = near.radius_km / KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(near.lat)), 0.01)
    return near.lat - dlat, near.lat + dlat, near.lon - dlon, near.lon + dlon


def _squared_degrees(near: Near):
    """Squared equirectangular distance in degrees of latitude: plain arithmetic that every SQL
    engine runs and that orders points as the great-circle distance does at these scales."""
    scale = math.cos(math.radians(near.lat))
    dx = (Location.lon - near.lon) * scale
    dy = Location.lat - near.lat
    return dx * dx + dy * dy


def _matching(base: Select, filters: LocationFilter):
    """``base`` narrowed by every filter, with the text rank and squared distance (or None)."""
    query, rank, distance = _filtered(base, filters), None, None
    words = search.query_words(filters.text)
    if words:
        query, rank = search.apply_text_search(query, Location.id, Location.search_text, words, db.engine.dialect.name)
    if filters.near:
        lat_min, lat_max, lon_min, lon_max = _near_bounds(filters.near)
        distance = _squared_degrees(filters.near)
        query = query.where(Location.lat.between(lat_min, lat_max), Location.lon.between(lon_min, lon_max),
                            distance <= (filters.near.radius_km / KM_PER_DEGREE) ** 2)
    return query, rank, distance


def _capped_count(query: Select, cap: int) -> int:
    """How many rows ``query`` has, counting no further than ``cap + 1``."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).limit(cap + 1).subquery())) or 0


def search_locations(filters: LocationFilter, page: int = 1, per_page: int = 20, sort: str = "relevance",
                     cap: int = COUNT_CAP, rank_cap: int = RANK_CAP, points: bool = False) -> SearchPage:
    """One page of matching published locations, by relevance or (with ``near``) by distance; counting stops
    at ``cap`` matches and ranking at ``rank_cap``. With ``points``, the results are MapPoints (plain columns,
    what the API lists) instead of Location objects."""
    words = search.query_words(filters.text)
    offset = (page - 1) * per_page
    required = _index_filters(filters) if words else None
    if required is not None:
        # Words, with or without category / prefecture / block: the index holds exactly the visible locations
        # and their filter tokens, so it counts and ranks alone.
        if not all(required):
            return SearchPage(results=[], total=0, page=page, per_page=per_page, cap=cap)
        total, ids = search.index_page(words, per_page, offset, cap, rank_cap, db.engine.dialect.name, required)
        found = _points_by_id(ids) if points else {
            loc.id: loc for loc in db.session.scalars(select(Location).where(Location.id.in_(ids)).options(*_LIST_LOADS))}
        return SearchPage(results=[(found[i], None) for i in ids if i in found], total=min(total, cap), page=page,
                          per_page=per_page, cap=cap, capped=total > cap,
                          reachable=rank_cap if total > rank_cap else None)
    query, rank, distance = _matching(select(Location), filters)
    order = [term for term in (rank, distance) if term is not None]
    if distance is not None and (sort == "distance" or rank is None):
        order = [distance] + [t for t in order if t is not distance]
    order.append(Location.id)
    total = visible_total() if filters.is_empty else _capped_count(_matching(select(Location.id), filters)[0], cap)
    capped = total > cap and not filters.is_empty
    reachable = rank_cap if rank is not None and total > rank_cap else None
    if offset >= min(total, cap, reachable or cap):
        return SearchPage(results=[], total=min(total, cap) if capped else total, page=page, per_page=per_page,
                          cap=cap, capped=capped, reachable=reachable)
    if reachable:
        # Rank only the first ``rank_cap`` matches (in whatever order the index yields them).
        candidates, rank, distance = _matching(select(Location.id), filters)
        columns = [c for c in (rank, distance) if c is not None]
        bounded = candidates.add_columns(*(c.label(f"o{i}") for i, c in enumerate(columns))).limit(rank_cap).subquery()
        keys = [bounded.c[f"o{i}"] for i in range(len(columns))]
        if distance is not None and sort == "distance":
            keys = keys[::-1]
        query = select(Location).join(bounded, bounded.c.id == Location.id)
        order = [*keys, Location.id]
    query = query.order_by(*order).limit(per_page).offset(offset)
    if points:
        ids = db.session.scalars(query.with_only_columns(Location.id)).all()
        found = _points_by_id(ids)
        rows = [found[i] for i in ids]
    else:
        rows = db.session.scalars(query.options(*_LIST_LOADS)).all()
    near = filters.near
    results = [(loc, great_circle((near.lat, near.lon), (loc.lat, loc.lon)).km if near else None) for loc in rows]
    return SearchPage(results=results, total=min(total, cap) if capped else total, page=page, per_page=per_page,
                      cap=cap, capped=capped, reachable=reachable)


# --- map viewports ---------------------------------------------------------------------------

def refresh_statistics() -> None:
    """Update the query planner's statistics after bulk changes (see the planner_statistics migration).

    PostgreSQL's statistics are shared by every session (and invalidate cached plans). SQLite's are read
    per connection: the bumped user_version tells every pooled connection, in any process, to reload them
    (core.extensions._reload_statistics)."""
    if db.engine.dialect.name != "sqlite":
        db.session.execute(text("ANALYZE location"))
        db.session.execute(text("ANALYZE location_search"))
        # Rows written in bulk wait in the GIN indexes' pending lists until a vacuum merges them, and every
        # search scans those lists in full (13.8 ms instead of 1.5 ms for 山 at 100k): merge them now.
        for index in ("ix_location_search_vector", "ix_location_search_words"):
            db.session.execute(text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"), {"index": index})
        return
    db.session.execute(text("ANALYZE"))
    epoch = db.session.execute(text("PRAGMA user_version")).scalar_one()
    db.session.execute(text(f"PRAGMA user_version = {(int(epoch) + 1) % 2_000_000_000}"))


class MapPoint(NamedTuple):
    """What a map marker needs, read as plain columns: no ORM objects on the hot path."""

    id: int
    slug: str
    name_ja: str
    name_en: Optional[str]
    lat: float
    lon: float
    is_synthetic: bool
    category: str
    category_ja: str
    category_en: str
    photo_id: Optional[int]


@dataclass
class Viewport:
    points: list[MapPoint] = field(default_factory=list)
    clusters: list[tuple[float, float, int]] = field(default_factory=list)  # lat, lon, count
    total: int = 0
    capped: bool = False  # more than VIEWPORT_SCAN_CAP matches: clusters of the first ones only


def viewport(bbox: tuple[float, float, float, float], zoom: int, filters: LocationFilter, cap: int) -> Viewport:
    """What a map shows in ``bbox`` (west, south, east, north): up to ``cap`` points, else clusters."""
    capped, ids = False, None
    if filters.is_empty and zoom in CLUSTER_ZOOMS:
        total, clusters = cells_in(bbox, zoom)
    else:
        words = search.query_words(filters.text)
        required = _index_filters(filters) if words else None
        if required is not None and all(required):
            # Counted and clustered in the database: 5,001 matches of 山 no longer cross into Python as rows
            # (26 ms a viewport at 100k, 10 of them fetching and clustering the rows).
            matches = search.word_matches_in_box(words, bbox, required, db.engine.dialect.name)
        else:
            matches = _matching(select(Location.lat, Location.lon, Location.id), filters)[0].where(_in_box(bbox))
        total, clusters, ids = _live_clusters(matches, zoom, cap)
        if total > VIEWPORT_SCAN_CAP:
            # Too many matches to cluster per request: the first ones in index order, and the answer says so.
            total, capped = VIEWPORT_SCAN_CAP, True
    if total > cap:
        return Viewport(clusters=clusters, total=total, capped=capped)
    if total == 0:
        return Viewport()  # the sea, or a box with nothing in it: no query for points
    columns = _point_columns()
    if ids is not None:
        # The matches the clusters were counted from, not every match of the words in Japan again (100 ms for
        # a box with 18 of the 39,000 matches of 公園 at 1M rows), nor the same matches a second time.
        query = columns.where(Location.id.in_(ids))
    else:
        query, _, _ = _matching(columns, filters)
        query = query.where(_in_box(bbox))
    # At most ``total`` (<= cap) rows are in the box, so no LIMIT: with one, PostgreSQL walked the primary key
    # through a million rows looking for ``cap`` of them in a box that had a few (450 ms at 1M).
    rows = db.session.execute(query.order_by(Location.id)).all()[:cap]
    return Viewport(points=[MapPoint(*row) for row in rows], total=total)


def _in_box(bbox: tuple[float, float, float, float]):
    west, south, east, north = bbox
    return and_(Location.lat.between(south, north), Location.lon.between(west, east))


def _point_columns() -> Select:
    """What a MapPoint holds, for a query that adds its own conditions."""
    first_photo = (
        select(Photo.id).where(Photo.location_id == Location.id, Photo.deleted_at.is_(None))
        .order_by(Photo.position, Photo.id).limit(1).correlate(Location).scalar_subquery()
    )
    return select(
        Location.id, Location.slug, Location.name_ja, Location.name_en, Location.lat, Location.lon,
        Location.is_synthetic, LocationCategory.code, LocationCategory.name_ja, LocationCategory.name_en, first_photo,
    ).join(Location.category)


def _points_by_id(ids: list[int]) -> dict[int, MapPoint]:
    if not ids:
        return {}
    return {row[0]: MapPoint(*row) for row in db.session.execute(_point_columns().where(Location.id.in_(ids)))}


def _live_clusters(matches: Select, zoom: int, cap: int) -> tuple[int, list[tuple[float, float, int]], Optional[list[int]]]:
    """(how many of ``matches`` there are, up to VIEWPORT_SCAN_CAP + 1; clusters of the first
    VIEWPORT_SCAN_CAP; their ids when there are no more than ``cap``), in one statement that reads the matches
    once: ``matches`` selects (lat, lon, id)."""
    sample = matches.limit(VIEWPORT_SCAN_CAP + 1).cte("sample")
    first = select(sample).limit(VIEWPORT_SCAN_CAP).subquery("first_matches")
    size = cell_size(min(zoom, max(CLUSTER_ZOOMS)))
    lat, lon, location_id = first.c[0], first.c[1], first.c[2]
    cy, cx = cell_index(lat, 90.0, size), cell_index(lon, 180.0, size)
    sampled = select(func.count()).select_from(sample).scalar_subquery()
    # Each cell's ids, so a box with few matches shows them without reading the index again (3.6 ms of 11 for
    # 451 matches of 公園 at 100k); a cell's ids are listed only while the box has no more than ``cap``.
    listed = func.aggregate_strings(case((sampled <= cap, cast(location_id, String))), ",")
    rows = db.session.execute(
        select(func.avg(lat), func.avg(lon), func.count(), sampled, listed).group_by(cy, cx)).all()
    total = rows[0][3] if rows else 0
    ids = [int(i) for *_, cell_ids in rows for i in cell_ids.split(",")] if total <= cap else None
    return total, [(lat, lon, n) for lat, lon, n, _, _ in rows], ids


def nearest(items, lat: float, lon: float, limit: int = 5) -> list[tuple[object, float]]:
    """The ``limit`` items (with .lat/.lon) closest to a point, with great-circle km."""
    placed = [(item, great_circle((lat, lon), (item.lat, item.lon)).km) for item in items if item.lat is not None]
    return sorted(placed, key=lambda pair: pair[1])[:limit]


def export_page(filters: LocationFilter, after: int, limit: int) -> tuple[list[int], bool]:
    """Ids of up to ``limit`` matching published locations with ids above ``after`` (keyset paging, so
    a page costs the same wherever it starts), and whether more follow."""
    query, _, _ = _matching(select(Location.id), filters)
    ids = list(db.session.scalars(query.where(Location.id > after).order_by(Location.id).limit(limit + 1)))
    return ids[:limit], len(ids) > limit


def locations_by_id(ids: list[int]) -> list[Location]:
    """These locations in id order, with what an export row shows loaded alongside."""
    query = select(Location).where(Location.id.in_(ids)).order_by(Location.id).options(
        selectinload(Location.category), selectinload(Location.prefecture),
        selectinload(Location.municipality), selectinload(Location.commission))
    return list(db.session.scalars(query))


def published_location_count(commission_id: int) -> int:
    """How many of a commission's locations are published (for directory pages)."""
    return db.session.scalar(select(func.count(Location.id)).where(
        Location.commission_id == commission_id, Location.status == "published")) or 0
