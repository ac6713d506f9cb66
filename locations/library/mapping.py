"""Column mapping: which of a file's columns hold our fields, recognised from presets or given by the user.

Presets are data (presets/<dataset>.json, using the official column names of the 自治体標準オープンデータセット
families and Takamatsu's tables). A file whose headers are our own export columns needs no mapping. A mapping
turns each row of a readers.Table into the importer's columns (importing.COLUMNS) plus its source identity.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from flask_babel import lazy_gettext as _l

from ..core.fileformats import Invalid, RowError
from .readers import GEOMETRY_LAT, GEOMETRY_LON, Table, geometry_point

PRESETS_DIR = os.path.join(os.path.dirname(__file__), "presets")
# Fields a mapping may fill. lat/lon may also come from one "lat, lon" column or a GeoJSON geometry column.
TEXT_FIELDS = ("name_ja", "name_en", "name_kana", "description_ja", "description_en", "address", "address_extra",
               "access_ja", "access_en", "parking_note", "tags", "category", "municipality_code", "source_id",
               "source")
FIELDS = TEXT_FIELDS + ("lat", "lon", "latlon", "geometry")
DEFAULT_KEYS = ("category", "source", "address_prefix", "status")
MIN_SCORE = 3  # signature headers a file must share with a preset to be recognised
# Projected systems (平面直角座標系, UTM, Web Mercator) give metres: far beyond any degree.
PROJECTED = 1_000.0


def norm_header(name: str) -> str:
    """Headers compared loosely: NFKC (full-width brackets and letters), no spaces, Latin lower-cased."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name)).replace("\ufeff", "")).lower()


@dataclass
class Mapping:
    name: str  # preset or saved mapping name; "own" for the app's own columns; "custom" for one given now
    columns: dict[str, str] = field(default_factory=dict)  # our field → their header (as written in the file)
    defaults: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)  # their category value → our category code
    title: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "columns": self.columns, "defaults": self.defaults, "categories": self.categories}


@lru_cache(maxsize=1)
def presets() -> dict[str, dict[str, Any]]:
    found = {}
    for filename in sorted(os.listdir(PRESETS_DIR)):
        if filename.endswith(".json"):
            with open(os.path.join(PRESETS_DIR, filename), encoding="utf-8") as handle:
                doc = json.load(handle)
            found[doc["name"]] = doc
    return found


def _from_preset(doc: dict[str, Any], headers: list[str]) -> Mapping:
    by_norm = {norm_header(h): h for h in headers if h}
    columns = {}
    for ours, aliases in doc["columns"].items():
        for alias in aliases:
            if norm_header(alias) in by_norm:
                columns[ours] = by_norm[norm_header(alias)]
                break
    return Mapping(doc["name"], columns, dict(doc.get("defaults", {})), dict(doc.get("categories", {})),
                   doc.get("title_ja", doc["name"]))


def detect(headers: list[str], own_columns: tuple[str, ...]) -> Optional[Mapping]:
    """The app's own format, else the preset sharing most signature headers (at least MIN_SCORE), else None."""
    named = [h for h in headers if h and h not in (GEOMETRY_LAT, GEOMETRY_LON)]
    if named and all(h.strip().lower() in own_columns for h in named) and "name_ja" in [h.lower() for h in named]:
        return Mapping("own", {h.lower(): h for h in named}, title="locations export")
    normalised = {norm_header(h) for h in named}
    best, best_score = None, (0, 0.0)
    for doc in presets().values():
        matched = sum(norm_header(s) in normalised for s in doc["signature"])
        score = (matched / len(doc["signature"]), matched)  # the preset the file fits best, then the largest
        if matched >= MIN_SCORE and score > best_score:
            best, best_score = doc, score
    if best is None:
        return None
    mapping = _from_preset(best, headers)
    return mapping if "name_ja" in mapping.columns else None


def by_name(name: str, headers: list[str]) -> Optional[Mapping]:
    doc = presets().get(name)
    return _from_preset(doc, headers) if doc else None


def from_json(doc: Any, headers: list[str]) -> Mapping:
    """A mapping the user wrote or saved; Invalid with the reason when it does not fit the file."""
    if not isinstance(doc, dict) or not isinstance(doc.get("columns", {}), dict):
        raise Invalid(str(_l('a mapping is a JSON object with "columns": {our field: your column}')))
    columns = {str(k): str(v) for k, v in doc.get("columns", {}).items() if v}
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise Invalid(str(_l("unknown field(s) in the mapping: %(names)s", names=", ".join(unknown))))
    missing = sorted(v for v in columns.values() if v not in headers)
    if missing:
        raise Invalid(str(_l("the file has no column %(names)s", names=", ".join(map(repr, missing)))))
    defaults = {k: str(v) for k, v in (doc.get("defaults") or {}).items() if k in DEFAULT_KEYS and v}
    categories = {str(k): str(v) for k, v in (doc.get("categories") or {}).items() if v}
    if "name_ja" not in columns:
        raise Invalid(str(_l("map one of your columns to the name (name_ja)")))
    return Mapping(str(doc.get("name") or "custom")[:80], columns, defaults, categories, str(doc.get("name") or ""))


# --- applying a mapping ----------------------------------------------------------------------------------

@dataclass
class MappedRow:
    line: int
    values: dict[str, Any]  # importer columns (raw text; importing checks them)
    source_ref: str
    kana: Optional[str] = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    coordinate_problem: Optional[tuple[str, str]] = None  # unusable lat/lon: placed by address if it has one


def _number(text: Any) -> Optional[float]:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace("°", "")
    try:
        return float(cleaned)
    except ValueError:
        raise Invalid(str(_l("must be a number in degrees, not %(value)r", value=cleaned[:30]))) from None


def coordinate_pair(lat: Optional[float], lon: Optional[float]) -> Optional[tuple[float, float]]:
    """(lat, lon) in either order; projected metres refused with the reason."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise Invalid(str(_l("give both latitude and longitude, or neither")))
    if abs(lat) > PROJECTED or abs(lon) > PROJECTED:
        raise Invalid(str(_l(
            "%(lat)s, %(lon)s look like projected coordinates in metres (e.g. 平面直角座標系); "
            "convert them to latitude and longitude in degrees", lat=f"{lat:g}", lon=f"{lon:g}")))
    if 120 <= lat <= 155 and 20 <= lon <= 46:  # longitude first: Japan's ranges do not overlap
        lat, lon = lon, lat
    return lat, lon


def _split_latlon(text: str) -> tuple[Optional[float], Optional[float]]:
    parts = [p for p in re.split(r"[,;\s]+", unicodedata.normalize("NFKC", text).strip()) if p]
    if not parts:
        return None, None
    if len(parts) != 2:
        raise Invalid(str(_l('must be "latitude, longitude", not %(value)r', value=text[:40])))
    return _number(parts[0]), _number(parts[1])


def with_prefix(address: str, prefix: str) -> str:
    """A city's file often leaves out the prefecture or the city itself: "昭和町一丁目2-20" → "香川県高松市昭和町…"."""
    if not prefix:
        return address
    parts = re.findall(r".+?[都道府県市区町村郡]", prefix)
    for k in range(len(parts)):
        if address.startswith("".join(parts[k:])):
            return "".join(parts[:k]) + address
    if re.match(r"^(東京都|北海道|(?:京都|大阪)府|.{2,3}県)", address):
        return address
    return prefix + address


def _cell(values: dict[str, Any], header: Optional[str]) -> Any:
    if not header:
        return None
    value = values.get(header)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def identity(dataset: str, source_id: Optional[str], name: str, lat: Optional[float], lon: Optional[float],
             address: Optional[str]) -> str:
    """The row's stable key: the dataset and the source's own id, or a hash of its normalised name and place."""
    if source_id:
        return f"{dataset}:{source_id}"[:200]
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).lower()
    where = f"{lat:.4f},{lon:.4f}" if lat is not None and lon is not None else re.sub(
        r"\s+", "", unicodedata.normalize("NFKC", address or "")).lower()
    return f"{dataset}:#" + hashlib.sha1(f"{folded}\n{where}".encode()).hexdigest()[:16]


def apply_mapping(table: Table, mapping: Mapping, source_label: str) -> tuple[list[MappedRow], list[RowError]]:
    """Each row as importer columns; a row's own problems travel with it (the importer skips that row)."""
    rows, errors = [], []
    c = mapping.columns
    # A preset names its dataset; a mapping of the user's does not (its name may change when it is saved), so the
    # file's own layout does: re-importing the file, mapped in any way, finds the same rows.
    dataset = mapping.name if mapping.name in presets() else "cols-" + hashlib.sha1(
        "\n".join(table.headers).encode()).hexdigest()[:8]
    prefix = mapping.defaults.get("address_prefix", "")
    for line, cells in table.rows:
        problems: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        for ours in ("name_ja", "name_en", "description_ja", "description_en", "access_ja", "access_en",
                     "parking_note", "tags"):
            value = _cell(cells, c.get(ours))
            if value is not None:
                values[ours] = value if isinstance(value, str) else str(value)
        address = _cell(cells, c.get("address"))
        if address is not None:
            address = str(address)
            extra = _cell(cells, c.get("address_extra"))
            if extra and str(extra) not in address:
                address = f"{address} {extra}"
            address = with_prefix(address, prefix)
            values["address"] = address
        lat = lon = None
        try:
            if c.get("lat") or c.get("lon"):
                lat, lon = _number(_cell(cells, c.get("lat"))), _number(_cell(cells, c.get("lon")))
            elif c.get("latlon"):
                lat, lon = _split_latlon(str(_cell(cells, c["latlon"]) or ""))
            elif c.get("geometry"):
                raw = _cell(cells, c["geometry"])
                point = geometry_point(raw) if raw is not None else None
                if raw is not None and point is None:
                    raise Invalid(str(_l("is not a usable GeoJSON geometry")))
                lat, lon = point or (None, None)
            elif GEOMETRY_LAT in cells:
                lat, lon = cells.get(GEOMETRY_LAT), cells.get(GEOMETRY_LON)
            pair = coordinate_pair(lat, lon)
            if pair:
                lat, lon = pair
                values["lat"], values["lon"] = repr(lat), repr(lon)
        except Invalid as error:
            coordinate_problem = (c.get("lat") or c.get("latlon") or c.get("geometry") or "lat", str(error))
            lat = lon = None
        else:
            coordinate_problem = None
        theirs = _cell(cells, c.get("category"))
        if theirs is not None:
            values["category"] = mapping.categories.get(str(theirs), str(theirs))
        elif mapping.defaults.get("category"):
            values["category"] = mapping.defaults["category"]
        values["source"] = str(_cell(cells, c.get("source")) or mapping.defaults.get("source") or source_label)
        if mapping.defaults.get("status"):
            values["status"] = mapping.defaults["status"]
        municipality = _cell(cells, c.get("municipality_code"))
        source_id = _cell(cells, c.get("source_id"))
        scope = f"{dataset}/{str(municipality)[:6]}" if municipality else dataset
        name = values.get("name_ja") or ""
        kana = _cell(cells, c.get("name_kana"))
        ref = identity(scope, str(source_id) if source_id is not None else None, name, lat, lon, address)
        rows.append(MappedRow(line, values, ref, str(kana) if kana else None, problems, coordinate_problem))
    return rows, errors
