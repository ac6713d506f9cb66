"""Import and export permit authorities (admin only), in the columns of seeds/authorities.csv plus the two
contacts only the app keeps; key: ``code``.

The jurisdiction columns make it the format a prefecture can load all its stations in at once:
``jurisdiction`` (municipalities / prefecture / unknown), ``served_municipalities`` (codes, ";"-separated),
``parent_code`` (a police station's HQ, a fire station's 消防本部) and ``takes_applications``; the contacts
the edit page keeps travel too (``email``, ``contact_note``). Rows are written through the ORM (prefectures and served towns are many-to-many); a few thousand rows take seconds.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.fileformats import (
    N_,
    Change,
    Format,
    ImportResult,
    Invalid,
    RowError,
    column_limit,
    coordinates,
    csv_cell,
    flag_value,
    number_value,
    plain,
    read_records,
    text_value,
)
from ..directory.models import Municipality, Prefecture
from .models import AuthorityKind, PermitAuthority

COLUMNS = ("code", "kind", "name_ja", "name_en", "prefecture_codes", "municipality_code", "address", "lat", "lon",
           "phone", "website", "jurisdiction", "served_municipalities", "parent_code", "takes_applications", "source",
           "coords_are_estimate", "is_estimate", "email", "contact_note")
REQUIRED = ("code", "kind", "name_ja", "prefecture_codes", "source")
CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
URL = re.compile(r"https?://[^\s<>\"']+")
EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")
_T = PermitAuthority.__table__
_LOAD = (selectinload(PermitAuthority.prefectures), selectinload(PermitAuthority.kind),
         selectinload(PermitAuthority.municipality), selectinload(PermitAuthority.served),
         selectinload(PermitAuthority.parent))


@dataclass
class AuthorityPlan:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line, checked values)
    errors: list[RowError] = field(default_factory=list)


def parse_authorities(data: bytes, fmt: Format) -> AuthorityPlan:
    """Check every row; collect every problem; write nothing."""
    records, errors = read_records(data, fmt, COLUMNS, REQUIRED if fmt == "csv" else ())
    kinds = set(db.session.scalars(select(AuthorityKind.code)))
    prefectures = set(db.session.scalars(select(Prefecture.code)))
    municipalities = set(db.session.scalars(select(Municipality.code)))
    rows, seen = [], {}
    for line, raw in records:
        values: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for name, value in raw.items():
            try:
                values[name] = _value(name, value, kinds, prefectures, municipalities)
            except Invalid as error:
                problems.append((name, error.reason))
        for name in REQUIRED:
            if not values.get(name) and name not in dict(problems) and (name in raw or fmt != "csv"):
                problems.append((name, N_("is required")))
        try:
            point = coordinates(values.pop("lat", None), values.pop("lon", None))
            values["lat"], values["lon"] = point or (None, None)
        except Invalid as error:
            problems.append(("lat", error.reason))
        if values.get("jurisdiction") and "served_municipalities" in values and (
                (values["jurisdiction"] == "municipalities") != bool(values["served_municipalities"])):
            problems.append(("served_municipalities", N_("list the municipalities exactly when the jurisdiction is "
                                                         "'municipalities'")))
        code = values.get("code")
        if code in seen:
            problems.append(("code", N_("%(value)s repeats line %(line)d", value=repr(code), line=seen[code])))
        seen.setdefault(code, line)
        errors += [RowError(line, name, reason) for name, reason in problems]
        if not problems:
            rows.append((line, values))
    return AuthorityPlan(rows, sorted(errors, key=lambda e: e.line))


def _value(name: str, raw: Any, kinds: set[str], prefectures: set[str], municipalities: set[str]) -> Any:
    if name in ("lat", "lon"):
        return number_value(raw)
    if name in ("coords_are_estimate", "is_estimate", "takes_applications"):
        return bool(flag_value(raw))
    if name == "served_municipalities":
        if isinstance(raw, list):
            raw = ";".join(str(c) for c in raw)
        codes = sorted({c.strip() for c in (text_value(raw, 20000) or "").split(";") if c.strip()})
        unknown = [c for c in codes if c not in municipalities]
        if unknown:
            raise Invalid(N_("unknown municipality code(s) %(codes)s", codes=", ".join(map(repr, unknown[:10]))))
        return ";".join(codes) or None
    if name == "prefecture_codes":
        if isinstance(raw, list):
            raw = ";".join(str(c) for c in raw)
        codes = sorted({c.strip() for c in (text_value(raw, 200) or "").split(";") if c.strip()})
        unknown = [c for c in codes if c not in prefectures]
        if unknown:
            raise Invalid(N_("unknown prefecture code(s) %(codes)s", codes=", ".join(map(repr, unknown))))
        return ";".join(codes) or None
    value = text_value(raw, column_limit(_T, name) if name in _T.c else 60)
    if value is None:
        return None
    if name == "code" and not CODE.fullmatch(value):
        raise Invalid(N_("may hold only lowercase letters, digits, - and _"))
    if name == "kind" and value not in kinds:
        raise Invalid(N_("unknown authority kind %(value)s", value=repr(value)))
    if name == "municipality_code" and value not in municipalities:
        raise Invalid(N_("unknown municipality code %(value)s", value=repr(value)))
    if name == "jurisdiction" and value not in PermitAuthority.JURISDICTIONS:
        raise Invalid(N_("must be one of %(values)s", values=", ".join(PermitAuthority.JURISDICTIONS)))
    if name == "parent_code" and not CODE.fullmatch(value):
        raise Invalid(N_("must be an authority code"))
    if name == "email" and not EMAIL.fullmatch(value):
        raise Invalid(N_("must be an e-mail address"))
    if name == "website" and not URL.fullmatch(value):
        raise Invalid(N_("must be an http:// or https:// address"))  # it becomes a link: no javascript: URLs
    return value


def _stored(authority: PermitAuthority) -> dict[str, Any]:
    """An authority in import columns."""
    values = {name: getattr(authority, name) for name in COLUMNS if name in _T.c}
    values.update(kind=authority.kind.code, municipality_code=authority.municipality.code if authority.municipality else None,
                  prefecture_codes=";".join(sorted(p.code for p in authority.prefectures)) or None,
                  served_municipalities=";".join(sorted(m.code for m in authority.served)) or None,
                  parent_code=authority.parent.code if authority.parent else None)
    return {k: (None if v == "" else v) for k, v in values.items()}


def apply_authorities(plan: AuthorityPlan) -> ImportResult:
    """Create or update authorities by code; writes nothing when the file had problems; never commits."""
    if plan.errors:
        raise ValueError(f"the file has {len(plan.errors)} problems; nothing was written")
    kinds = {k.code: k for k in db.session.scalars(select(AuthorityKind))}
    prefectures = {p.code: p for p in db.session.scalars(select(Prefecture))}
    municipalities = {m.code: m for m in db.session.scalars(select(Municipality))}
    existing = {a.code: a for a in db.session.scalars(select(PermitAuthority).options(*_LOAD))}
    missing_parents = sorted({v["parent_code"] for _, v in plan.rows if v.get("parent_code")}
                             - set(existing) - {v["code"] for _, v in plan.rows})
    if missing_parents:
        raise ValueError("unknown parent authority code(s): " + ", ".join(missing_parents[:10]))
    result, created, parents = ImportResult(), [], []
    for _, values in plan.rows:
        authority = existing.get(values["code"])
        before = _stored(authority) if authority else {}
        changed = {k: [plain(before.get(k)), plain(v)] for k, v in values.items() if before.get(k) != v}
        if authority is not None and not changed:
            result.unchanged += 1
            continue
        if authority is None:
            authority = existing[values["code"]] = PermitAuthority(code=values["code"])
            db.session.add(authority)
        authority.layer = "app"  # the admin's table wins over the seed files at the next setup
        for name, value in values.items():
            if name == "kind":
                authority.kind = kinds[value]
            elif name == "municipality_code":
                authority.municipality = municipalities.get(value) if value else None
            elif name == "prefecture_codes":
                authority.prefectures = [prefectures[c] for c in (value or "").split(";") if c]
            elif name == "served_municipalities":
                authority.served = [municipalities[c] for c in (value or "").split(";") if c]
            elif name == "parent_code":
                parents.append((authority, value))
            else:
                setattr(authority, name, value)
        if authority.id is None:
            created.append((authority, changed))
        else:
            result.changes.append(Change(authority.id, "update", changed))
    for authority, code in parents:  # after the loop: a parent may come later in the file
        authority.parent = existing.get(code) if code else None
    db.session.flush()  # the new authorities' ids, for the audit trail
    result.changes += [Change(a.id, "create", fields) for a, fields in created]
    result.created, result.updated = len(created), len(result.changes) - len(created)
    return result


def export_authorities(fmt: Format) -> str:
    """Every authority in the import format (flags as 1/0, as seeds/authorities.csv writes them)."""
    authorities = db.session.scalars(select(PermitAuthority).order_by(PermitAuthority.code).options(*_LOAD))
    rows = [_stored(a) for a in authorities]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([int(row[n]) if isinstance(row[n], bool) else csv_cell(row[n]) for n in COLUMNS])
        return buffer.getvalue()
    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]} if r["lat"] is not None else None,
                 "properties": {n: r[n] for n in COLUMNS if n not in ("lat", "lon")}} for r in rows]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
