"""Read what film commissions actually have into one shape: a header and rows of text cells.

CSV/TSV with the separator sniffed from the header line, in UTF-8 (with or without BOM), UTF-16 with BOM or
Shift_JIS/CP932 (Excel's "CSV" on a Japanese PC); Excel .xlsx (first worksheet, cached values of formulas);
GeoJSON (properties are the columns, the geometry gives GEOMETRY_LAT/GEOMETRY_LON). A file that cannot be read
gets one clear reason; a row that cannot be read gets its own and the others are still read.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any, Optional

from flask_babel import lazy_gettext as _l

from ..core.fileformats import RowError

GEOMETRY_LAT, GEOMETRY_LON = "(geometry) lat", "(geometry) lon"
SEPARATORS = (",", ";", "\t", "|")
MAX_CELL = 1_000_000  # characters; longer cells are refused by their row (a 10 MB cell is not a location)
MAX_ROWS = 500_000
XLSX_MAGIC, XLS_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


@dataclass
class Table:
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line or feature number, cells)
    errors: list[RowError] = field(default_factory=list)
    kind: str = "csv"  # csv | xlsx | geojson
    encoding: Optional[str] = None
    separator: Optional[str] = None


def kind_of(data: bytes, filename: str = "") -> str:
    """csv, xlsx, xls or geojson, from the bytes first and the file name second."""
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(XLS_MAGIC):
        return "xls"
    name = filename.lower()
    if name.endswith((".geojson", ".json")):
        return "geojson"
    head = data[:64].lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"{") and b'"type"' in data[:4096]:
        return "geojson"
    return "csv"


def read_table(data: bytes, filename: str = "") -> Table:
    kind = kind_of(data, filename)
    if kind == "xls":
        return Table(kind="xls", errors=[RowError(0, "file", str(_l(
            "is an old Excel .xls workbook; save it as .xlsx or as CSV")))])
    if kind == "xlsx":
        return _read_xlsx(data)
    text, encoding, error = decode(data)
    if error:
        return Table(kind=kind, errors=[error])
    table = _read_geojson(text) if kind == "geojson" else _read_csv(text)
    table.encoding = encoding
    return table


def decode(data: bytes) -> tuple[Optional[str], Optional[str], Optional[RowError]]:
    """(text, encoding name, None) or (None, None, the reason)."""
    if not data.strip():
        return None, None, RowError(0, "file", str(_l("is empty")))
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), "UTF-16", None
            except UnicodeDecodeError:
                return None, None, RowError(0, "file", str(_l("starts like UTF-16 text but is not")))
    if b"\x00" in data[:8192]:
        return None, None, RowError(0, "file", str(_l("is not a text file (it holds NUL bytes)")))
    try:
        return data.decode("utf-8-sig"), "UTF-8 (BOM)" if data.startswith(codecs.BOM_UTF8) else "UTF-8", None
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp932"), "Shift_JIS (CP932)", None
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            return None, None, RowError(line, "file", str(_l(
                "is neither UTF-8 nor Shift_JIS text (byte %(byte)d); save it as UTF-8 CSV", byte=utf8_error.start)))


def sniff_separator(first_line: str) -> str:
    """The separator used most in the header line, outside quotes (a comma when there is none)."""
    counts, quoted = dict.fromkeys(SEPARATORS, 0), False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def _read_csv(text: str) -> Table:
    first_line = text.split("\n", 1)[0]
    separator = sniff_separator(first_line)
    table = Table(kind="csv", separator=separator)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL * 64)  # read a huge cell to refuse its row alone, not the rest of the file
    try:
        try:
            header = next(reader)
        except StopIteration:
            table.errors.append(RowError(0, "file", str(_l("is empty"))))
            return table
        except csv.Error as error:
            table.errors.append(RowError(1, "file", str(_l("is not readable as CSV: %(error)s", error=error))))
            return table
        table.headers = _headers(header, table.errors)
        if not any(table.headers):
            table.errors.append(RowError(1, "file", str(_l("the first line must name the columns"))))
            return table
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                table.errors.append(RowError(start, "file", str(_l(
                    "is not readable as CSV from here (%(error)s); later rows were not read", error=error))))
                break
            if row and any(cell.strip() for cell in row):
                _add_row(table, start, row)
            start = reader.line_num + 1
            if len(table.rows) > MAX_ROWS:
                table.errors.append(RowError(start, "file", str(_l("has more than %(n)d rows", n=MAX_ROWS))))
                break
    finally:
        csv.field_size_limit(previous_limit)
    if len(table.headers) == 1 and table.rows and separator == ",":
        table.errors.append(RowError(1, "file", str(_l(
            "has a single column: is it separated by something other than , ; tab or |?"))))
    return table


def _headers(header: list[Any], errors: list[RowError]) -> list[str]:
    names, seen = [], set()
    for index, raw in enumerate(header):
        name = " ".join(str(raw if raw is not None else "").replace("\ufeff", "").split())
        if name and name in seen:
            errors.append(RowError(1, name[:60], str(_l("column appears twice; the second is ignored"))))
            name = ""
        seen.add(name)
        names.append(name)
    while names and not names[-1]:
        names.pop()  # Excel's trailing empty columns
    return names


def _add_row(table: Table, line: int, row: list[Any]) -> None:
    cells = [("" if c is None else c) for c in row]
    while len(cells) > len(table.headers) and not str(cells[-1]).strip():
        cells.pop()  # trailing separators
    if len(cells) != len(table.headers):
        hint = ""
        if len(cells) > len(table.headers) and table.separator == "," and ";" in ",".join(map(str, cells)):
            hint = " " + str(_l("(is the file separated by semicolons?)"))
        table.errors.append(RowError(line, "row", str(_l(
            "has %(fields)d fields; the header has %(columns)d", fields=len(cells), columns=len(table.headers))) + hint))
        return
    values = {}
    for name, cell in zip(table.headers, cells):
        if not name:
            continue
        if isinstance(cell, str) and len(cell) > MAX_CELL:
            table.errors.append(RowError(line, name[:60], str(_l(
                "is %(length)s characters long; the row was not read", length=f"{len(cell):,}"))))
            return
        values[name] = cell
    table.rows.append((line, values))


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    table = Table(kind="xlsx")
    try:
        # data_only: a formula's last computed value, never the formula text (nothing is ever evaluated).
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        table.errors.append(RowError(0, "file", str(_l(
            "cannot be read as an Excel workbook (%(error)s)", error=str(error)[:120]))))
        return table
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        for header_line, header in enumerate(rows, 1):
            if header and any(c not in (None, "") for c in header):
                table.headers = _headers(list(header), table.errors)
                break
        else:
            table.errors.append(RowError(0, "file", str(_l("is empty"))))
            return table
        for line, row in enumerate(rows, header_line + 1):
            if row and any(c not in (None, "") for c in row):
                _add_row(table, line, [_xlsx_cell(c) for c in row])
            if len(table.rows) > MAX_ROWS:
                break
    finally:
        book.close()
    return table


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _read_geojson(text: str) -> Table:
    table = Table(kind="geojson")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        table.errors.append(RowError(0, "file", str(_l(
            "is not valid JSON: %(msg)s at line %(line)d", msg=error.msg, line=error.lineno))))
        return table
    except (RecursionError, ValueError):
        table.errors.append(RowError(0, "file", str(_l("is not valid JSON"))))
        return table
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        table.errors.append(RowError(0, "file", str(_l("must be a GeoJSON FeatureCollection with a list of features"))))
        return table
    headers: dict[str, None] = {}
    for number, feature in enumerate(doc["features"], 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            table.errors.append(RowError(number, "feature", str(_l("is not a GeoJSON Feature"))))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            table.errors.append(RowError(number, "properties", str(_l("must be an object"))))
            continue
        values = {str(k): v for k, v in properties.items()}
        geometry = feature.get("geometry")
        if geometry is not None:
            point = geometry_point(geometry)
            if point is None:
                table.errors.append(RowError(number, "geometry", str(_l("is not a usable GeoJSON geometry"))))
                continue
            values[GEOMETRY_LAT], values[GEOMETRY_LON] = point
        headers.update(dict.fromkeys(values))
        table.rows.append((number, values))
    table.headers = list(headers)
    return table


def geometry_point(geometry: Any) -> Optional[tuple[float, float]]:
    """(lat, lon) of a GeoJSON geometry: a Point itself, a line or polygon its representative point."""
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except (ValueError, RecursionError):
            return None
    if not isinstance(geometry, dict):
        return None
    coords = geometry.get("coordinates")
    if geometry.get("type") == "Point":
        if (isinstance(coords, list) and len(coords) in (2, 3)
                and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)):
            return float(coords[1]), float(coords[0])
        return None
    try:
        import shapely

        shape = shapely.geometry.shape(geometry)
        if shape.is_empty:
            return None
        point = shape.representative_point()
        return point.y, point.x
    except Exception:  # any malformed geometry: shapely raises several kinds
        return None
