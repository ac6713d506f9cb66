"""Reading import files and checking single values, shared by the location and authority importers.

Every problem becomes a RowError and reading goes on, so one pass reports all of them. Nothing here
touches the database.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, NamedTuple, Optional, Self

from .clock import today_jst
from .seeding import JAPAN_BOUNDS

Format = Literal["csv", "geojson"]
TEXT_LIMIT = 20_000  # characters allowed in Text columns (String columns: their own length)
TRUE, FALSE = {"true", "1", "yes", "y", "はい"}, {"false", "0", "no", "n", "いいえ"}
# Spreadsheets run cells starting with these as formulas (tab and CR too, which some strip first);
# exports prefix them with ' (see csv_cell), and a ' of its own gets one so the importer can undo it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


class Reason(str):
    """A problem's English text that keeps its catalogue entry and values, so pages can show it in the
    reader's language (``reason_text``) while commands, logs and the API keep the English."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Self:
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid, self.params = msgid, params
        return self


def N_(msgid: str, **params: Any) -> Reason:
    """A problem text for the catalogue (pybabel extracts N_), filled in with ``params``."""
    return Reason(msgid, **params)


def reason_text(reason: str) -> str:
    """A problem in the current language: a Reason through the catalogue, any other text as it is."""
    if isinstance(reason, Reason):
        from flask_babel import gettext  # only pages translate; reading files needs no Flask

        return gettext(reason.msgid, **reason.params)
    return str(reason)


class RowError(NamedTuple):
    line: int  # CSV: the line the record starts on (1 = header); GeoJSON: feature number; 0 = the whole file
    field: str
    reason: str


class Change(NamedTuple):
    """One written row for the audit trail: {field: [before, after]} for the fields that changed."""

    entity_id: int  # the location's (or authority's) id
    action: Literal["create", "update"]
    fields: dict[str, list[Any]]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)


class Invalid(ValueError):
    """A field's value is unusable; the message (a Reason) is the reason shown to the user."""

    @property
    def reason(self) -> str:
        return self.args[0] if self.args else ""


def decode(data: bytes) -> tuple[Optional[str], Optional[RowError]]:
    """UTF-8 text with or without BOM, or the reason the bytes are not."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, RowError(1, "file", N_("is UTF-16 text; save it as UTF-8 (Excel: 'CSV UTF-8')"))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        try:
            data.decode("cp932")
            shift_jis = True
        except UnicodeDecodeError:
            shift_jis = False
        line = data.count(b"\n", 0, error.start) + 1
        if shift_jis:
            reason = N_("is not UTF-8 text (byte %(byte)d); it looks like Shift_JIS: save it as UTF-8 (Excel: 'CSV UTF-8')",
                        byte=error.start)
        else:
            reason = N_("is not UTF-8 text (byte %(byte)d)", byte=error.start)
        return None, RowError(line, "file", reason)


def read_records(data: bytes, fmt: Format, columns: tuple[str, ...], required: tuple[str, ...]
                 ) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """(line, {column: raw value}) per row with the file-level problems; GeoJSON puts the Point in lat/lon."""
    text, error = decode(data)
    if error:
        return [], [error]
    if fmt == "csv":
        return _csv_records(text, columns, required)
    if fmt == "geojson":
        return _geojson_records(text, columns)
    raise ValueError(f"unknown format {fmt!r}")


def _csv_records(text: str, columns, required) -> tuple[list, list[RowError]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "file", N_("is empty; the first line must name the columns"))]
    except csv.Error as error:
        return [], [RowError(1, "file", N_("is not readable as CSV: %(error)s", error=str(error)))]
    names = [h.strip().lower() for h in header]
    errors = [RowError(1, n[:60] or f"column {i + 1}", N_("unknown column; expected: %(columns)s", columns=", ".join(columns)))
              for i, n in enumerate(names) if n not in columns]
    errors += [RowError(1, n, N_("column appears twice")) for n in sorted({n for n in names if names.count(n) > 1})]
    errors += [RowError(1, n, N_("required column is missing")) for n in required if n not in names]
    records, start = [], reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # e.g. a quote never closed: where the next row starts is unknown
            errors.append(RowError(start, "file", N_(
                "is not readable as CSV from here (%(error)s); later rows were not read", error=str(error))))
            break
        if row and len(row) != len(names):
            errors.append(RowError(start, "row", N_(
                "has %(fields)d fields; the header has %(columns)d", fields=len(row), columns=len(names))))
        elif row:
            records.append((start, {n: _unescape(v) for n, v in zip(names, row) if n in columns}))
        start = reader.line_num + 1
    return records, errors


def _unescape(value: str) -> str:
    """Undo csv_cell's protection: a ' before a formula character (or before another ')."""
    value = value.strip()
    return value[1:] if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START else value


def _geojson_records(text: str, columns) -> tuple[list, list[RowError]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [RowError(0, "file", N_("is not valid JSON: %(error)s at line %(line)d column %(column)d",
                                        error=error.msg, line=error.lineno, column=error.colno))]
    except RecursionError:
        return [], [RowError(0, "file", N_("is nested too deeply to be GeoJSON"))]
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        return [], [RowError(0, "file", N_("is not valid JSON: %(error)s", error=str(error)[:200]))]
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        return [], [RowError(0, "file", N_("must be a GeoJSON FeatureCollection with a list of features"))]
    records, errors, unknown = [], [], {}
    for number, feature in enumerate(doc["features"], 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(RowError(number, "feature", N_("is not a GeoJSON Feature")))
            continue
        properties = feature.get("properties")
        properties = {} if properties is None else properties
        if not isinstance(properties, dict):
            errors.append(RowError(number, "properties", N_("must be an object")))
            continue
        for key in properties:
            if key not in columns or key in ("lat", "lon"):
                unknown.setdefault(key, number)
        record = {k: v for k, v in properties.items() if k in columns and k not in ("lat", "lon")}
        try:
            record["lat"], record["lon"] = _point(feature.get("geometry"))
        except Invalid as error:
            errors.append(RowError(number, "geometry", error.reason))
            continue
        records.append((number, record))
    errors += [RowError(n, str(k)[:60], N_("unknown property; lat and lon belong in the Point geometry")
                        if k in ("lat", "lon") else N_("unknown property; expected: %(columns)s", columns=", ".join(columns)))
               for k, n in unknown.items()]
    return records, errors


def _point(geometry: Any) -> tuple[Optional[float], Optional[float]]:
    if geometry is None:
        return None, None  # RFC 7946 §3.2: an unlocated feature; the importer geocodes it
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise Invalid(N_("must be a Point (or null), not %(kind)s", kind=str(kind)[:40]))
    coords = geometry.get("coordinates")
    if (not isinstance(coords, list) or len(coords) not in (2, 3)
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)):
        raise Invalid(N_("coordinates must be [longitude, latitude] numbers"))
    return coords[1], coords[0]


# --- checking single values ----------------------------------------------------------------------------

def text_value(raw: Any, limit: int) -> Optional[str]:
    """Stripped text, None when empty."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Invalid(N_("must be text, not %(kind)s", kind=type(raw).__name__))
    value = raw.strip()
    if "\x00" in value:
        raise Invalid(N_("contains a NUL character"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from JSON escapes: no database stores them
        raise Invalid(N_("contains an invalid character (a lone surrogate)")) from None
    if len(value) > limit:
        raise Invalid(N_("is %(length)s characters long; at most %(limit)s are allowed",
                             length=f"{len(value):,}", limit=f"{limit:,}"))
    return value or None


def flag_value(raw: Any) -> Optional[bool]:
    if raw is None or isinstance(raw, bool):
        return raw
    word = text_value(raw, 10)
    if word is None:
        return None
    if word.lower() in TRUE:
        return True
    if word.lower() in FALSE:
        return False
    raise Invalid(N_("must be true or false (1/0, yes/no, はい/いいえ) or empty, not %(value)s", value=repr(word)))


def number_value(raw: Any) -> Optional[float]:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise Invalid(N_("must be a number"))
    try:
        value = float(raw.strip() if isinstance(raw, str) else raw)
    except OverflowError:
        raise Invalid(N_("must be a finite number")) from None
    except ValueError:
        raise Invalid(N_("must be a number, not %(value)s", value=repr(str(raw)[:30]))) from None
    if not math.isfinite(value):
        raise Invalid(N_("must be a finite number"))
    return value


def coordinates(lat: Optional[float], lon: Optional[float]) -> Optional[tuple[float, float]]:
    if (lat is None) != (lon is None):
        raise Invalid(N_("give both lat and lon, or neither"))
    if lat is None:
        return None
    if not in_japan(lat, lon):
        lat_min, lat_max, lon_min, lon_max = JAPAN_BOUNDS
        raise Invalid(N_("%(lat)s, %(lon)s is outside Japan (lat %(lat_min)g–%(lat_max)g, lon %(lon_min)g–%(lon_max)g)",
                       lat=lat, lon=lon, lat_min=lat_min, lat_max=lat_max, lon_min=lon_min, lon_max=lon_max))
    return lat, lon


def in_japan(lat: float, lon: float) -> bool:
    lat_min, lat_max, lon_min, lon_max = JAPAN_BOUNDS
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def date_value(raw: Any) -> Optional[date]:
    value = text_value(raw, 10)
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise Invalid(N_("must be a date written YYYY-MM-DD, not %(value)s", value=repr(value)))
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Invalid(N_("%(value)s is not a real date", value=value)) from None
    if parsed > today_jst() + timedelta(days=1):
        raise Invalid(N_("%(value)s is in the future", value=value))
    return parsed


def codes_value(raw: Any, known: set[str], limit: int) -> Optional[str]:
    """';'-separated codes (or a list of them), each known, stored '; '-joined."""
    if isinstance(raw, list):
        if not all(isinstance(c, str) for c in raw):
            raise Invalid(N_("must be a list of codes"))
        raw = ";".join(raw)
    text = text_value(raw, TEXT_LIMIT)
    codes = list(dict.fromkeys(c.strip() for c in (text or "").split(";") if c.strip()))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(N_("unknown permit type codes %(codes)s", codes=", ".join(map(repr, unknown))) if len(unknown) > 1
                      else N_("unknown permit type code %(codes)s", codes=repr(unknown[0])))
    joined = "; ".join(codes)
    if len(joined) > limit:
        raise Invalid(N_("lists too many codes (%(length)d characters; at most %(limit)d)", length=len(joined), limit=limit))
    return joined or None


def column_limit(table, name: str) -> int:
    return getattr(table.c[name].type, "length", None) or TEXT_LIMIT


def csv_cell(value: Any) -> str:
    """One CSV cell as the importer reads it back; text that a spreadsheet would run as a formula gets a '.

    Every CSV the app writes goes through this. Numbers stay numbers (-3 is no formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, float)):
        return value.isoformat() if isinstance(value, date) else repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def plain(value: Any) -> Any:
    """A value as JSON holds it (audit trail, GeoJSON): dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else value
