"""Import and export the location library as CSV or GeoJSON: check every row first, then write in bulk.

The columns (CSV header = GeoJSON feature properties; in GeoJSON lat/lon are the Point geometry):

    slug            optional; made from the name when empty (stable: the same row gets the same slug)
    name_ja         required                         name_en, description_ja, description_en: optional text
    category        required; a LocationCategory code
    tags            comma-separated words            address: used to place the row when lat/lon are empty
    lat, lon        both or neither, inside Japan (lat 20–46, lon 122–154); neither → geocode address, else name_ja
    has_parking, has_power, has_toilets, has_green_room, has_wifi, has_large_vehicles
                    empty = unknown; true/false, 1/0, yes/no, はい/いいえ (GeoJSON: true/false/null too)
    parking_note, access_ja, access_en               optional text
    typical_permits ";"-separated PermitType codes (GeoJSON: a list is accepted too)
    status          draft | published (empty: draft)  last_verified: YYYY-MM-DD or empty
    source          required: where the facts come from

Text is limited to the model's column length (Text columns: 20,000 characters). Optional columns that
a file leaves out are left alone on update; a row without coordinates keeps the ones it has unless its
address changed. Parsing reads the database but never writes; apply_plan writes and the caller commits once.

It is long because checking, planning and the batched writes share the plan's types and the diff; reading other
layouts (presets, mappings) lives in intake.py, placement in placing.py.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Literal, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.sql import bindparam

from ..core import clock
from ..core.extensions import db
from ..core.fileformats import (
    N_,
    Change,
    Format,
    ImportResult,
    Invalid,
    RowError,
    codes_value,
    column_limit,
    coordinates,
    csv_cell,
    date_value,
    flag_value,
    in_japan,
    number_value,
    plain,
    read_records,
    text_value,
)
from ..core.seeding import slugify
from ..directory.geo import geocode, romanize_reading
from ..directory.models import FilmCommission
from ..directory.towns import PRECISION, foreign_text_allowed, geocode_address
from ..permits.models import PermitType
from .models import Location, LocationCategory
from .placing import Places, Spot
from .cells import rebuild_cells
from .queries import build_index_text, refresh_statistics

FACILITY_COLUMNS = ("has_parking", "has_power", "has_toilets", "has_green_room", "has_wifi", "has_large_vehicles")
COLUMNS = ("slug", "name_ja", "name_en", "description_ja", "description_en", "category", "tags", "address",
           "lat", "lon", *FACILITY_COLUMNS, "parking_note", "access_ja", "access_en", "typical_permits",
           "status", "last_verified", "source")
REQUIRED = ("name_ja", "category", "source")
# Written by the importer, not read from the app's own file: identity, romaji, how precise and where.
EXTRA_COLUMNS = ("source_ref", "name_romaji", "position_precision", "review_note")
BATCH = 2_000  # rows per executemany: large enough to be fast, small enough to show progress
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_T = Location.__table__


@dataclass
class PlanEntry:
    line: int
    slug: str
    values: dict[str, Any]  # import columns the row sets, already checked and converted
    action: Literal["create", "update", "unchanged"] = "create"  # as of parsing
    changes: dict[str, list[Any]] = field(default_factory=dict)
    geocoded: bool = False  # lat/lon were found from the address or name: approximate, show it
    geocoded_as: Optional[str] = None
    spot: Optional[Spot] = None  # municipality and prefecture, found when the file was checked


@dataclass
class ImportPlan:
    commission_id: int
    entries: list[PlanEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # any of these: nothing is written
    skipped: list[RowError] = field(default_factory=list)  # rows left out of a mapped file, with the reason
    rows_read: int = 0
    mapping: Optional[str] = None  # the preset or saved mapping used; "own" for the app's own columns
    headers: list[str] = field(default_factory=list)
    chosen: Any = None  # the mapping.Mapping a mapped file was read with
    preview: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # the file's first rows, as read

    @property
    def problems(self) -> list[RowError]:
        return sorted(self.errors + self.skipped, key=lambda e: e.line)

    @property
    def review(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.spot is not None and e.spot.review_note]

    def count(self, action: str) -> int:
        return sum(1 for e in self.entries if e.action == action)

    @property
    def geocoded(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.geocoded]


# --- parsing --------------------------------------------------------------------------------------------

@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    ok: bool
    slug: Optional[str] = None


def parse_locations(data: bytes, fmt: Format, commission: FilmCommission) -> ImportPlan:
    """Check every row of a file against the library; collect every problem; write nothing."""
    records, errors = read_records(data, fmt, COLUMNS, REQUIRED if fmt == "csv" else ())
    categories = set(db.session.scalars(select(LocationCategory.code)))
    permits = set(db.session.scalars(select(PermitType.code)))
    rows = []
    for line, raw in records:
        # A CSV header without a required column was reported once; a GeoJSON feature reports its own.
        values, row_errors = _check_row(raw, categories, permits, absent_is_error=fmt != "csv")
        errors += [RowError(line, name, reason) for name, reason in row_errors]
        rows.append(_Row(line, values, not row_errors))
    _assign_slugs(rows, commission, errors)
    existing = _existing_rows([r.slug for r in rows if r.slug])
    plan = ImportPlan(commission.id, rows_read=len(records), mapping="own")
    places: dict[str, Any] = {}  # one geocoder call per distinct address within this file
    where = Places()
    for row in rows:
        before = existing.get(row.slug)
        if before is not None and before.commission_id != commission.id:
            errors.append(RowError(row.line, "slug", N_("%(slug)s belongs to another commission's location",
                                                            slug=repr(row.slug))))
            continue
        if not row.ok:
            continue
        entry = PlanEntry(row.line, row.slug, row.values)
        if "lat" not in row.values and not _keeps_coordinates(row.values, before):
            if not _place(entry, places, area=commission.prefecture.code):
                errors.append(RowError(row.line, "address", N_("could not place this address; add lat and lon")))
                continue
        if before is not None:
            entry.changes = _diff(before, entry.values)
            entry.action = "update" if entry.changes else "unchanged"
        plan.entries.append(entry)
    _place_all(plan.entries, where, errors)
    plan.errors = sorted(errors, key=lambda e: e.line)
    return plan


def _place_all(entries: list[PlanEntry], where: Places, errors: list[RowError]) -> None:
    """Municipality and prefecture of every entry with a point (one polygon query for all); the others are errors."""
    located = [e for e in entries if "lat" in e.values]
    spots = where.spot_many([(e.values["lat"], e.values["lon"], e.values.get("address"), e.geocoded) for e in located])
    outside = set()
    for entry, spot in zip(located, spots):
        entry.spot = spot
        if spot is None:
            errors.append(RowError(entry.line, "lat", outside_japan(entry.values["lat"], entry.values["lon"])))
            outside.add(id(entry))
    entries[:] = [e for e in entries if id(e) not in outside]


def outside_japan(lat: float, lon: float) -> str:
    return str(_l("%(lat)s, %(lon)s is not in Japan (in no municipality and near none)", lat=lat, lon=lon))


def _check_row(raw: dict[str, Any], categories: set[str], permits: set[str],
               absent_is_error: bool) -> tuple[dict, list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, value in raw.items():
        try:
            if name in FACILITY_COLUMNS:
                values[name] = flag_value(value)
            elif name in ("lat", "lon"):
                values[name] = number_value(value)
            elif name == "last_verified":
                values[name] = date_value(value)
            elif name == "typical_permits":
                values[name] = codes_value(value, permits, column_limit(_T, name))
            elif name == "category":
                values[name] = text_value(value, 40)
                if values[name] is not None and values[name] not in categories:
                    raise Invalid(N_("unknown category code %(code)s", code=repr(values[name])))
            elif name == "status":
                values[name] = (text_value(value, 20) or "draft").lower()
                if values[name] not in Location.STATUSES:
                    raise Invalid(N_("must be draft or published"))
            else:
                values[name] = text_value(value, column_limit(_T, name))
                if name == "slug" and values[name] and not SLUG.fullmatch(values[name]):
                    raise Invalid(N_("may hold only lowercase letters, digits and single hyphens"))
        except Invalid as error:
            problems.append((name, error.reason))
    for name in REQUIRED:
        if not values.get(name) and name not in dict(problems) and (name in raw or absent_is_error):
            problems.append((name, N_("is required")))
    if not any(n in ("lat", "lon") for n, _ in problems):
        try:
            point = coordinates(values.pop("lat", None), values.pop("lon", None))
            if point:
                values["lat"], values["lon"] = point
        except Invalid as error:
            problems.append(("lat", error.reason))
    return values, problems


def generated_slug(commission_slug: str, name_ja: str, name_en: Optional[str], address: Optional[str]) -> str:
    """Readable and stable, so importing the same slug-less file twice updates instead of duplicating."""
    # pykakasi repeats the text before a character outside the BMP (emoji), so those are left out.
    base = slugify(name_en) if name_en else slugify(romanize_reading("".join(c for c in name_ja[:40] if c <= "\uffff")))
    digest = hashlib.sha1(f"{commission_slug}\n{name_ja}\n{address or ''}".encode()).hexdigest()[:6]
    return f"{base[:60].strip('-') or 'place'}-{digest}"


def _assign_slugs(rows: list[_Row], commission: FilmCommission, errors: list[RowError]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        slug = row.values.get("slug")
        if slug:
            if slug in seen:
                errors.append(RowError(row.line, "slug", N_("%(value)s repeats line %(line)d", value=repr(slug),
                                                                line=seen[slug])))
                row.ok = False
            seen.setdefault(slug, row.line)
            row.slug = slug
    generated = [(row, generated_slug(commission.slug, row.values["name_ja"], row.values.get("name_en"),
                                      row.values.get("address")))
                 for row in rows if not row.slug and row.values.get("name_ja")]
    stored = _existing_rows(base for _, base in generated)
    for row, base in generated:
        slug, n = base, 1
        # The same name and address twice in one file, or (unlikely) another commission's slug: number it.
        while slug in seen or (slug in stored and stored[slug].commission_id != commission.id):
            n += 1
            slug = f"{base}-{n}"
            stored.update(_existing_rows([slug]))
        seen[slug] = row.line
        row.slug = row.values["slug"] = slug


def _keeps_coordinates(values: dict[str, Any], before) -> bool:
    """An update without lat/lon keeps its point unless it names a new address (the point may be exact)."""
    return before is not None and ("address" not in values or values["address"] == _stored(before, "address"))


def _place(entry: PlanEntry, cache: dict[str, Any], use_name: bool = True, area: Optional[str] = None) -> bool:
    """Coordinates from the row's address (or, in the app's own format, its name); records how precise.

    Text without Japanese is a place only when it is the whole name of one in the importing FC's prefecture
    (``area``; see towns.foreign_text_allowed)."""
    for query in (entry.values.get("address"), entry.values.get("name_ja") if use_name else None):
        if not query:
            continue
        if query not in cache:
            cache[query] = geocode_address(query) or geocode(query)
        place = cache[query]
        if place is not None and not foreign_text_allowed(query, place, (area,) if area else ()):
            place = None
        if place is not None and in_japan(place.lat, place.lon):
            entry.values["lat"], entry.values["lon"] = place.lat, place.lon
            entry.values["position_precision"] = PRECISION.get(place.kind, "municipality")
            entry.geocoded, entry.geocoded_as = True, place.name
            return True
    return False


def _existing_rows(slugs: Iterable[str]) -> dict[str, Any]:
    """Stored rows by slug (any commission), with their category code, read in chunks."""
    wanted, found = list(dict.fromkeys(slugs)), {}
    query = select(_T, LocationCategory.code.label("category")).join(LocationCategory, LocationCategory.id == _T.c.category_id)
    for start in range(0, len(wanted), 1000):
        for row in db.session.execute(query.where(_T.c.slug.in_(wanted[start:start + 1000]))):
            found[row.slug] = row
    return found


def _stored(before, name: str) -> Any:
    value = getattr(before, name)
    if name == "typical_permits":
        return "; ".join(c.strip() for c in (value or "").split(";") if c.strip()) or None
    return None if value == "" else value


def _diff(before, values: dict[str, Any]) -> dict[str, list[Any]]:
    """{column: [stored, new]} for the columns whose value the import changes (dates as ISO text)."""
    changed = {}
    for name, after in values.items():
        old = _stored(before, name)
        if old != after:
            changed[name] = [plain(old), plain(after)]
    return changed


# --- writing --------------------------------------------------------------------------------------------

def apply_plan(plan: ImportPlan, commission: FilmCommission,
               progress: Optional[Callable[[int], None]] = None) -> ImportResult:
    """Create or update the plan's rows by slug within the commission, in batches; never commits.

    ``progress`` is called with the number of rows handled after each batch (click's bar.update)."""
    if plan.errors:
        raise ValueError(f"the file has {len(plan.errors)} problems; nothing was written")
    if plan.commission_id != commission.id:
        raise ValueError("the plan was made for another commission")
    places, result = Places(), ImportResult()
    now = clock.now()
    for start in range(0, len(plan.entries), BATCH):
        batch = plan.entries[start:start + BATCH]
        existing = _existing_rows(e.slug for e in batch)
        inserts, creates, updates = [], [], defaultdict(list)
        for entry in batch:
            before = existing.get(entry.slug)
            if before is None:
                inserts.append(_new_row(entry, commission, places, now))
                creates.append({k: [None, plain(v)] for k, v in entry.values.items() if v is not None})
            elif before.commission_id != commission.id:
                raise ValueError(f"{entry.slug!r} now belongs to another commission; check the file again")
            elif changes := _diff(before, entry.values):
                row = _changed_row(before, entry, places)
                row.update(b_id=before.id, updated_at=now)
                updates[tuple(sorted(row))].append(row)
                result.changes.append(Change(before.id, "update", changes))
            else:
                result.unchanged += 1
        if inserts:
            ids = db.session.execute(insert(_T).returning(_T.c.id, sort_by_parameter_order=True), inserts).scalars()
            result.changes += [Change(i, "create", fields) for i, fields in zip(ids, creates)]
            result.created += len(inserts)
        for rows in updates.values():
            statement = update(_T).where(_T.c.id == bindparam("b_id"))
            if "version" in _T.c:  # optimistic locking: an edit form opened before the import must not win
                statement = statement.values(version=_T.c.version + 1)
            db.session.execute(statement, rows)
            result.updated += len(rows)
        if progress:
            progress(len(batch))
    if result.created or result.updated:
        rebuild_cells()
        refresh_statistics()
    return result


def _index_text(values: dict[str, Any], places: Places, municipality_id: Optional[int], prefecture_id: int) -> str:
    """build_index_text in two calls: the row's own words, then its category and place names, which
    repeat across rows and are tokenized once per file (index text is tokens joined by single spaces)."""
    key = (values["category"], municipality_id, prefecture_id)
    if key not in places.index_suffixes:
        places.index_suffixes[key] = build_index_text(
            None, None, None, None, None, None, places.categories[values["category"]],
            places.municipalities.get(municipality_id) if municipality_id else None, places.prefectures[prefecture_id])
    own = build_index_text(values.get("name_ja"), values.get("name_en"), values.get("description_ja"),
                           values.get("description_en"), values.get("tags"), values.get("address"), None, None, None,
                           name_romaji=values.get("name_romaji"))
    return " ".join(part for part in (own, places.index_suffixes[key]) if part)


def _where(entry: PlanEntry, lat: float, lon: float, places: Places) -> Spot:
    spot = entry.spot if entry.spot is not None else places.spot(lat, lon, entry.values.get("address"))
    if spot is None:
        raise ValueError(f"{entry.slug!r}: {outside_japan(lat, lon)}")
    return spot


def _new_row(entry: PlanEntry, commission: FilmCommission, places: Places, now: datetime) -> dict[str, Any]:
    values = entry.values
    if "lat" not in values:
        raise ValueError(f"{values['slug']!r} was removed since the file was checked; check the file again")
    spot = _where(entry, values["lat"], values["lon"], places)
    row = {name: values.get(name) for name in COLUMNS + EXTRA_COLUMNS if name != "category"}
    row.update(status=values.get("status") or "draft", commission_id=commission.id,
               category_id=places.categories[values["category"]].id, municipality_id=spot.municipality_id,
               prefecture_id=spot.prefecture_id, is_synthetic=False, created_at=now, updated_at=now,
               position_precision=values.get("position_precision") or "exact", review_note=spot.review_note,
               search_text=_index_text(values, places, spot.municipality_id, spot.prefecture_id))
    return row


def _changed_row(before, entry: PlanEntry, places: Places) -> dict[str, Any]:
    """The columns to write for an update: the file's values, the category id, place and index text."""
    values = entry.values
    merged = {name: _stored(before, name) for name in COLUMNS + EXTRA_COLUMNS} | values
    row = {name: v for name, v in values.items() if name not in ("slug", "category")}
    row["category_id"] = places.categories[merged["category"]].id
    municipality_id, prefecture_id = before.municipality_id, before.prefecture_id
    if (merged["lat"], merged["lon"]) != (before.lat, before.lon):
        spot = _where(entry, merged["lat"], merged["lon"], places)
        municipality_id, prefecture_id = spot.municipality_id, spot.prefecture_id
        row["review_note"] = spot.review_note
    row.update(municipality_id=municipality_id, prefecture_id=prefecture_id,
               search_text=_index_text(merged, places, municipality_id, prefecture_id))
    return row


# --- exporting ------------------------------------------------------------------------------------------

def export_locations(commission: Optional[FilmCommission], fmt: Format) -> str:
    """Every location (of one commission, or all) in the import format, so a re-import changes nothing."""
    if fmt not in ("csv", "geojson"):
        raise ValueError(f"unknown format {fmt!r}")
    query = (select(_T, LocationCategory.code.label("category"))
             .join(LocationCategory, LocationCategory.id == _T.c.category_id).where(_T.c.status != "deleted")
             .order_by(_T.c.id))
    if commission is not None:
        query = query.where(_T.c.commission_id == commission.id)
    rows = db.session.execute(query.execution_options(yield_per=2000))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([csv_cell(_stored(row, name)) for name in COLUMNS])
        return buffer.getvalue()
    features = []
    for row in rows:
        properties = {name: plain(_stored(row, name)) for name in COLUMNS if name not in ("lat", "lon")}
        permits = properties["typical_permits"]
        properties["typical_permits"] = permits.split("; ") if permits else []
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
                         "properties": properties})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=None)
