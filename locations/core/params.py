"""Turn query arguments into search filters, collecting every problem as a readable reason."""
from __future__ import annotations

import math
import re
from typing import Any, Optional

from flask_babel import gettext as _

BLOCK_CODE = re.compile(r"^[A-Z]{3}$")
PREFECTURE_CODE = re.compile(r"^(0[1-9]|[1-3][0-9]|4[0-7])$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
CATEGORY = re.compile(r"^[a-z_]{1,40}$")
LATLON = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
MAX_TEXT = 200
MAX_RADIUS_KM = 500.0
DEFAULT_RADIUS_KM = 10.0


def _code(args, name: str, pattern: re.Pattern, errors: list[str]) -> Optional[str]:
    value = args.get(name, "").strip()
    if not value:
        return None
    if not pattern.match(value):
        errors.append(f"{name}: " + _("%(value)s is not a valid code", value=repr(value[:40])))
        return None
    return value


def parse_float(value: str, name: str, errors: list[str]) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(f"{name}: " + _("%(value)s is not a number", value=repr(str(value)[:40])))
        return None
    if not math.isfinite(number):
        errors.append(f"{name}: " + _("must be a finite number"))
        return None
    return number


def parse_bbox(value: str, errors: list[str]) -> Optional[tuple[float, float, float, float]]:
    parts = value.split(",")
    if len(parts) != 4:
        errors.append("bbox: " + _("expected four numbers west,south,east,north"))
        return None
    numbers = [parse_float(p, "bbox", errors) for p in parts]
    if any(n is None for n in numbers):
        return None
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        errors.append("bbox: " + _("longitudes must be within -180..180 and latitudes within -90..90"))
        return None
    if south > north:
        errors.append("bbox: " + _("south is north of north"))
        return None
    if west > east:
        errors.append("bbox: " + _("boxes that cross the antimeridian (west > east) are not supported"))
        return None
    return west, south, east, north


def parse_int(args, name: str, default: int, low: int, high: int, errors: list[str]) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append(f"{name}: " + _("%(value)s is not a whole number", value=repr(raw[:20])))
        return default
    if not low <= value <= high:
        errors.append(f"{name}: " + _("must be between %(low)d and %(high)d", low=low, high=high))
        return default
    return value


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def json_nesting(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    for char in _JSON_STRING.sub('""', text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def first_nul(value: Any, path: str = "body") -> Optional[str]:
    """The path of the first string (key or value) holding a NUL character, which no field may hold."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = (path if "\x00" in key else None) or first_nul(item, f"{path}.{key}" if path != "body" else key)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = first_nul(item, f"{path}[{index}]")
            if found:
                return found
    return None
