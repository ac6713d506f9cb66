"""Import a file as the film commission has it: read it, map its columns, check and place every row, plan writes.

The app's own export (CSV or GeoJSON, any encoding, or saved as .xlsx) goes through the strict importer: any bad
row and nothing is written. Any other file goes through a mapping (a preset recognised from its headers, a saved
mapping or one given now); its unusable rows (no name, no place, outside Japan) are skipped with the reason, and
every other row is written. Rows are identified by the source and the source's own id, or by a hash of the
normalised name and position, so re-importing a file in any order changes nothing.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.extensions import db
from ..core.fileformats import Invalid, RowError
from ..core.seeding import slugify
from ..directory.geo import romaji_of, romanize_reading
from ..directory.models import FilmCommission
from ..permits.models import PermitType
from . import mapping as mappings
from .importing import (
    COLUMNS,
    ImportPlan,
    PlanEntry,
    _check_row,
    _diff,
    _existing_rows,
    _place,
    outside_japan,
    parse_locations,
)
from .models import ImportMapping, LocationCategory
from .placing import Places, Spot
from .readers import GEOMETRY_LAT, GEOMETRY_LON, Table, read_table
from .seed import category_for

PREVIEW = 5  # rows shown before importing
Progress = Optional[Callable[[str, int, int], None]]  # (stage, done, total)


def ref_slug(commission_slug: str, source_ref: str, name_ja: str, name_en: Optional[str]) -> str:
    """Readable and fixed by the row's identity alone, whatever the order of the file."""
    base = slugify(name_en) if name_en else slugify(romanize_reading("".join(c for c in name_ja[:40] if c <= "\uffff")))
    digest = hashlib.sha1(f"{commission_slug}\n{source_ref}".encode()).hexdigest()[:10]
    return f"{base[:60].strip('-') or 'place'}-{digest}"


def resolve_mapping(spec: Any, headers: list[str], commission: FilmCommission) -> mappings.Mapping:
    """'auto', a preset or saved mapping name, or a JSON document (dict); Invalid with the reason otherwise."""
    if spec in (None, "", "auto"):
        found = mappings.detect(headers, COLUMNS)
        if found is None:
            raise Invalid(str(_l("these columns match no known layout (%(headers)s); map them to ours",
                                 headers=", ".join(h for h in headers[:12] if h))))
        return found
    if isinstance(spec, dict):
        return mappings.from_json(spec, headers)
    preset = mappings.by_name(str(spec), headers)
    if preset is not None:
        return preset
    saved = db.session.scalar(select(ImportMapping).where(ImportMapping.commission_id == commission.id,
                                                          ImportMapping.name == str(spec)))
    if saved is None:
        raise Invalid(str(_l("no preset or saved mapping is called %(name)r", name=str(spec))))
    return mappings.from_json(json.loads(saved.mapping) | {"name": saved.name}, headers)


def plan_file(data: bytes, filename: str, commission: FilmCommission, spec: Any = "auto",
              progress: Progress = None) -> ImportPlan:
    """Check a whole file and plan its writes; writes nothing (apply with importing.apply_plan)."""
    table = read_table(data, filename)
    plan = ImportPlan(commission.id, rows_read=len(table.rows), headers=table.headers, preview=table.rows[:PREVIEW])
    if progress:
        progress("read", len(table.rows), len(table.rows))
    if not table.headers:
        plan.errors = table.errors or [RowError(0, "file", str(_l("is empty")))]
        return plan
    try:
        chosen = resolve_mapping(spec, table.headers, commission)
    except Invalid as error:
        plan.errors = [RowError(1, "file", str(error))] + table.errors
        return plan
    if chosen.name == "own":
        own = parse_locations(_as_own_bytes(table), "geojson" if table.kind == "geojson" else "csv", commission)
        own.errors = sorted(own.errors + table.errors, key=lambda e: e.line)
        own.rows_read, own.headers, own.mapping, own.chosen = len(table.rows), table.headers, "own", chosen
        own.preview = plan.preview
        if progress:  # the app's own format is checked in one pass (importing.parse_locations)
            progress("check", len(table.rows), len(table.rows))
        return own
    plan.mapping, plan.chosen = chosen.name, chosen
    rows, errors = mappings.apply_mapping(table, chosen, _label(chosen, filename))
    plan.skipped += table.errors + errors
    _plan_mapped(plan, rows, commission, chosen, progress)
    plan.skipped.sort(key=lambda e: e.line)
    return plan


def _label(chosen: mappings.Mapping, filename: str) -> str:
    return f"{chosen.title or chosen.name}: {filename or 'upload'}"[:300]


def _as_own_bytes(table: Table) -> bytes:
    """The app's own columns read from any encoding or from Excel, as the strict importer's UTF-8 input."""
    if table.kind == "geojson":
        features = []
        for _, cells in table.rows:
            lat, lon = cells.get(GEOMETRY_LAT), cells.get(GEOMETRY_LON)
            properties = {k: v for k, v in cells.items() if k not in (GEOMETRY_LAT, GEOMETRY_LON)}
            geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None else None
            features.append({"type": "Feature", "geometry": geometry, "properties": properties})
        return json.dumps({"type": "FeatureCollection", "features": features}).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    headers = [h for h in table.headers if h]
    writer.writerow(headers)
    for _, cells in table.rows:
        writer.writerow([cells.get(h, "") for h in headers])
    return buffer.getvalue().encode()


def _plan_mapped(plan: ImportPlan, rows: list[mappings.MappedRow], commission: FilmCommission,
                 chosen: mappings.Mapping, progress: Progress) -> None:
    categories = set(db.session.scalars(select(LocationCategory.code)))
    permits = set(db.session.scalars(select(PermitType.code)))
    guess = "category" not in chosen.columns
    seen: dict[str, int] = {}
    checked: list[tuple[int, dict[str, Any]]] = []
    for number, row in enumerate(rows, 1):
        if progress and number % 2000 == 0:
            progress("check", number, len(rows))
        if row.problems:
            plan.skipped += [RowError(row.line, name, reason) for name, reason in row.problems]
            continue
        if row.values.get("category") not in categories and chosen.defaults.get("category"):
            row.values["category"] = chosen.defaults["category"]  # a value of theirs not mapped to ours
        if guess and row.values.get("name_ja") and row.values.get("category"):
            row.values["category"] = category_for(row.values["name_ja"], row.values["category"])
        values, problems = _check_row(row.values, categories, permits, absent_is_error=True)
        if any(name == "lat" for name, _ in problems) and values.get("address"):
            # Coordinates outside Japan's box: the address may still place the row (checked below).
            row.coordinate_problem = next(p for p in problems if p[0] == "lat")
            problems = [p for p in problems if p[0] != "lat"]
        if row.coordinate_problem and not values.get("address"):
            problems.append(row.coordinate_problem)
        if problems:
            plan.skipped += [RowError(row.line, name, reason) for name, reason in problems]
            continue
        if row.source_ref in seen:  # film-location files list a place once per shoot
            plan.skipped.append(RowError(row.line, "row", str(_l("same place as line %(line)d", line=seen[row.source_ref]))))
            continue
        seen[row.source_ref] = row.line
        if row.coordinate_problem:
            values["_coordinates_refused"] = row.coordinate_problem[1]
        values["source_ref"] = row.source_ref
        values["name_romaji"] = romaji_of(values["name_ja"], row.kana)
        values["slug"] = ref_slug(commission.slug, row.source_ref, values["name_ja"], values.get("name_en"))
        checked.append((row.line, values))
    if progress:
        progress("check", len(rows), len(rows))
    existing = _existing_rows(values["slug"] for _, values in checked)
    where, cache = Places(), {}
    with_points = [i for i, (_, values) in enumerate(checked) if "lat" in values]
    polygons = dict(zip(with_points, where.boundaries.place_many(
        [(checked[i][1]["lat"], checked[i][1]["lon"]) for i in with_points])))  # one query for the whole file
    for number, (line, values) in enumerate(checked, 1):
        if progress and number % 2000 == 0:
            progress("place", number, len(checked))
        before = existing.get(values["slug"])
        if before is not None and before.commission_id != commission.id:
            plan.skipped.append(RowError(line, "slug", str(_l("belongs to another commission's location"))))
            continue
        refused = values.pop("_coordinates_refused", None)
        entry = PlanEntry(line, values["slug"], values)
        if "lat" in values:
            values.setdefault("position_precision", "exact")
            entry.spot = where.spot(values["lat"], values["lon"], values.get("address"), found=polygons[number - 1])
            if entry.spot is None:
                refused = outside_japan(values.pop("lat"), values.pop("lon"))
        if "lat" not in values:
            if not values.get("address") or not _place(entry, cache, use_name=False, area=commission.prefecture.code):
                plan.skipped.append(RowError(line, "lat" if refused else "address", refused or str(_l(
                    "no coordinates, and the address could not be placed") if values.get("address") else _l(
                    "no coordinates and no address"))))
                continue
            entry.spot = where.spot(values["lat"], values["lon"], values.get("address"), geocoded=True)
            if entry.spot is None:
                plan.skipped.append(RowError(line, "address", outside_japan(values["lat"], values["lon"])))
                continue
            if refused:
                entry.spot = Spot(entry.spot.municipality_id, entry.spot.prefecture_id,
                                  f"住所から配置 / placed by its address: {refused}"[:300])
        if before is not None:
            entry.changes = _diff(before, values)
            entry.action = "update" if entry.changes else "unchanged"
        plan.entries.append(entry)
    if progress:
        progress("place", len(checked), len(checked))


def save_mapping(commission: FilmCommission, name: str, chosen: mappings.Mapping) -> ImportMapping:
    """Store (or replace) a named mapping for the commission's next files; adds and flushes."""
    saved = db.session.scalar(select(ImportMapping).where(ImportMapping.commission_id == commission.id,
                                                          ImportMapping.name == name))
    if saved is None:
        saved = ImportMapping(commission_id=commission.id, name=name)
        db.session.add(saved)
    document = chosen.to_json()
    document.pop("name", None)
    saved.mapping = json.dumps(document, ensure_ascii=False)
    db.session.flush()
    return saved


def report(plan: ImportPlan, written: Optional[int] = None) -> dict[str, Any]:
    """The import report (CLI --report, web download): counts and every problem with line and field."""
    return {
        "mapping": plan.mapping, "rows_read": plan.rows_read,
        "to_create": plan.count("create"), "to_update": plan.count("update"), "unchanged": plan.count("unchanged"),
        "written": written, "skipped": len({e.line for e in plan.skipped}),
        "flagged_for_review": [{"line": e.line, "slug": e.slug, "note": e.spot.review_note} for e in plan.review],
        "geocoded": [{"line": e.line, "slug": e.slug, "as": e.geocoded_as,
                      "precision": e.values.get("position_precision")} for e in plan.geocoded],
        "problems": [{"line": e.line, "field": e.field, "problem": e.reason, "fatal": e in plan.errors}
                     for e in plan.problems],
    }


def problems_csv(plan: ImportPlan) -> str:
    """line, field, problem: the downloadable error report (cells protected against spreadsheet formulas)."""
    from ..core.fileformats import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["line", "field", "problem"])
    for error in plan.problems:
        writer.writerow([error.line, csv_cell(error.field), csv_cell(error.reason)])
    return buffer.getvalue()
