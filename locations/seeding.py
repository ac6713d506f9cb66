"""Load the sourced reference data in seeds/ into the database, upserting by natural key.

Every file is validated before anything is written; the first bad row stops the load with its file,
line and reason, and the caller rolls back. Helpers add and flush; the command commits once.
"""
from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

from sqlalchemy import select

from .extensions import db
from .geo import municipality_romaji
from .models import (
    Activity,
    ActivityPermit,
    AuthorityKind,
    FilmCommission,
    GuidelineStep,
    Municipality,
    PermitAuthority,
    PermitType,
    Prefecture,
    RegionalBlock,
)

UNVERIFIED = "(website unverified)"
PHASES = ("planning", "scouting", "pre_consultation", "application", "community", "shooting", "wrap", "release")
JAPAN_BOUNDS = (20.0, 46.0, 122.0, 154.0)  # lat_min, lat_max, lon_min, lon_max (incl. outlying islands)


class SeedError(Exception):
    def __init__(self, path: str, line: int, reason: str):
        super().__init__(f"{os.path.basename(path)}, line {line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


@dataclass
class SeedReport:
    """Per table: rows created, updated and unchanged."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def tally(self, table: str, outcome: str) -> None:
        self.counts.setdefault(table, Counter())[outcome] += 1

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{table}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for table, c in self.counts.items()
        ]


def read_csv(path: str, encoding: str = "utf-8") -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with the line number each record starts on (records may span lines)."""
    with open(path, newline="", encoding=encoding) as handle:
        reader = csv.DictReader(handle)
        line = 2
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                raise SeedError(path, line, "wrong number of columns")
            yield line, {k: v.strip() for k, v in row.items()}
            line = reader.line_num + 1


class Loader:
    def __init__(self, seeds_dir: str):
        self.dir = seeds_dir
        self.report = SeedReport()

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    # -- helpers ---------------------------------------------------------------------------
    def upsert(self, model, key: Any, values: dict[str, Any], existing: dict) -> Any:
        """Create or update the row whose natural key is ``key``; tally what happened."""
        obj = existing.get(key)
        table = model.__tablename__
        if obj is None:
            obj = model(**values)
            db.session.add(obj)
            existing[key] = obj
            self.report.tally(table, "created")
            return obj
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        self.report.tally(table, "updated" if changed else "unchanged")
        return obj

    @staticmethod
    def existing(model, key: str) -> dict:
        return {getattr(o, key): o for o in db.session.scalars(select(model))}

    @staticmethod
    def required(path: str, line: int, row: dict, *names: str) -> None:
        for name in names:
            if not row.get(name):
                raise SeedError(path, line, f"'{name}' is empty")

    @staticmethod
    def coordinate(path: str, line: int, lat: str, lon: str) -> tuple[float, float]:
        try:
            lat_f, lon_f = float(lat), float(lon)
        except ValueError:
            raise SeedError(path, line, f"coordinates are not numbers: {lat!r}, {lon!r}") from None
        lat_min, lat_max, lon_min, lon_max = JAPAN_BOUNDS
        if not (lat_min <= lat_f <= lat_max and lon_min <= lon_f <= lon_max):
            raise SeedError(path, line, f"coordinates {lat_f}, {lon_f} are outside Japan")
        return lat_f, lon_f

    @staticmethod
    def flag(path: str, line: int, value: str, name: str) -> bool:
        if value not in ("0", "1"):
            raise SeedError(path, line, f"'{name}' must be 0 or 1, not {value!r}")
        return value == "1"

    # -- tables ----------------------------------------------------------------------------
    def blocks(self) -> dict[str, str]:
        """Load blocks; return {prefecture code: block code} as blocks.csv lists them."""
        path, existing, members = self.path("blocks.csv"), self.existing(RegionalBlock, "code"), {}
        for order, (line, row) in enumerate(read_csv(path)):
            self.required(path, line, row, "block_code", "name_ja", "name_en", "prefecture_codes")
            for code in row["prefecture_codes"].split(";"):
                if code in members:
                    raise SeedError(path, line, f"prefecture {code} is already in block {members[code]}")
                members[code] = row["block_code"]
            self.upsert(RegionalBlock, row["block_code"], {
                "code": row["block_code"], "name_ja": row["name_ja"],
                "name_en": re.sub(r"\s*(\(estimate\)| - estimate)", "", row["name_en"]),
                "sort_order": order, "is_estimate": "estimate" in row["name_en"].lower(),
                "source": "shared/reference/blocks.csv; domain-japan.md §3: a 10-block estimate matching "
                          "JFC's 10 yearly block seminars (the official JFC block list was not found)",
            }, existing)
        return members

    def prefectures(self, members: dict[str, str]) -> None:
        path = self.path("prefectures.csv")
        blocks = self.existing(RegionalBlock, "code")
        boundaries = self.boundaries()
        existing = self.existing(Prefecture, "code")
        seen = set()
        for line, row in read_csv(path):
            self.required(path, line, row, "code", "name_ja", "name_en", "block_code", "source")
            code = row["code"]
            if not re.fullmatch(r"\d{2}", code) or not 1 <= int(code) <= 47:
                raise SeedError(path, line, f"'{code}' is not a JIS prefecture code")
            if members.get(code) != row["block_code"]:
                raise SeedError(path, line, f"block {row['block_code']} disagrees with blocks.csv ({members.get(code)})")
            if row["name_ja"] not in boundaries:
                raise SeedError(path, line, f"no boundary for {row['name_ja']} in prefecture_boundaries.geojson")
            lat, lon = self.coordinate(path, line, row["lat"], row["lon"])
            seen.add(code)
            self.upsert(Prefecture, code, {
                "code": code, "name_ja": row["name_ja"], "name_en": row["name_en"],
                "block_id": blocks[row["block_code"]].id, "office_lat": lat, "office_lon": lon,
                "boundary": boundaries[row["name_ja"]], "source": row["source"],
            }, existing)
        if len(seen) != 47:
            raise SeedError(path, 1, f"expected 47 prefectures, found {len(seen)}")
        db.session.flush()

    def boundaries(self) -> dict[str, str]:
        path = self.path("prefecture_boundaries.geojson")
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return {
            f["properties"]["N03_001"]: json.dumps(f["geometry"], separators=(",", ":"))
            for f in data["features"]
        }

    def municipalities(self) -> None:
        path = self.path("municipalities_localgovjp.csv")
        prefectures = {int(p.code): p for p in db.session.scalars(select(Prefecture))}
        existing = self.existing(Municipality, "code")
        source = ("code4fukui/localgovjp localgovjp-utf8.csv (CC0 1.0; office points from GSI and "
                  "J-LIS 全国自治体マップ検索) https://github.com/code4fukui/localgovjp")
        for line, row in read_csv(path, encoding="utf-8-sig"):
            self.required(path, line, row, "pid", "city", "lgcode", "lat", "lng")
            lgcode = row["lgcode"].zfill(6)
            if not re.fullmatch(r"\d{6}", lgcode):
                raise SeedError(path, line, f"'{row['lgcode']}' is not a 6-digit local government code")
            prefecture = prefectures.get(int(row["pid"])) if row["pid"].isdigit() else None
            if prefecture is None:
                raise SeedError(path, line, f"unknown prefecture number {row['pid']!r}")
            lat, lon = self.coordinate(path, line, row["lat"], row["lng"])
            self.upsert(Municipality, lgcode[:5], {
                "code": lgcode[:5], "lgcode": lgcode, "name_ja": row["city"].replace(" ", ""),
                "kana": row["citykana"], "name_romaji": municipality_romaji(row["city"], row["citykana"]),
                "prefecture_id": prefecture.id,
                "office_lat": lat, "office_lon": lon, "website": row["url"] or None,
                "is_ward": " " in row["city"], "source": source,
            }, existing)
        db.session.flush()

    def authority_kinds(self) -> None:
        path, existing = self.path("authority_kinds.csv"), self.existing(AuthorityKind, "code")
        for line, row in read_csv(path):
            self.required(path, line, row, "code", "name_ja", "name_en", "source")
            self.upsert(AuthorityKind, row["code"], {k: row[k] for k in ("code", "name_ja", "name_en", "source")}, existing)
        db.session.flush()

    def activities(self) -> None:
        path, existing = self.path("activities.csv"), self.existing(Activity, "code")
        for line, row in read_csv(path):
            self.required(path, line, row, "code", "name_ja", "name_en", "source")
            self.upsert(Activity, row["code"], {
                "code": row["code"], "name_ja": row["name_ja"], "name_en": row["name_en"],
                "description_ja": row["description_ja"] or None, "description_en": row["description_en"] or None,
                "source": row["source"],
            }, existing)
        db.session.flush()

    def permit_types(self) -> None:
        path, existing = self.path("permit_types.csv"), self.existing(PermitType, "code")
        kinds = self.existing(AuthorityKind, "code")
        for line, row in read_csv(path):
            self.required(path, line, row, "code", "name_ja", "name_en", "authority_kind",
                          "legal_basis", "typical_lead_days", "source")
            if row["authority_kind"] not in kinds:
                raise SeedError(path, line, f"unknown authority kind {row['authority_kind']!r}")
            if not row["typical_lead_days"].isdigit():
                raise SeedError(path, line, f"lead days {row['typical_lead_days']!r} is not a whole number")
            self.upsert(PermitType, row["code"], {
                "code": row["code"], "name_ja": row["name_ja"], "name_en": row["name_en"],
                "authority_kind_id": kinds[row["authority_kind"]].id, "legal_basis": row["legal_basis"],
                "lead_business_days": int(row["typical_lead_days"]), "triggers_en": row["triggers"],
                "documents_ja": row["documents"], "source": row["source"],
                "is_estimate": "estimate" in row["source"].lower(),
            }, existing)
        db.session.flush()

    def activity_permits(self) -> None:
        path = self.path("activity_permits.csv")
        activities, types = self.existing(Activity, "code"), self.existing(PermitType, "code")
        existing = {(l.activity_id, l.permit_type_id): l for l in db.session.scalars(select(ActivityPermit))}
        for line, row in read_csv(path):
            self.required(path, line, row, "activity_code", "permit_code", "source")
            activity, ptype = activities.get(row["activity_code"]), types.get(row["permit_code"])
            if activity is None or ptype is None:
                missing = row["activity_code"] if activity is None else row["permit_code"]
                raise SeedError(path, line, f"unknown activity or permit code {missing!r}")
            self.upsert(ActivityPermit, (activity.id, ptype.id), {
                "activity_id": activity.id, "permit_type_id": ptype.id,
                "condition_ja": row["condition_ja"] or None, "condition_en": row["condition_en"] or None,
                "source": row["source"],
            }, existing)
        db.session.flush()

    def commissions(self) -> None:
        path, existing = self.path("film_commissions.csv"), self.existing(FilmCommission, "slug")
        prefectures = self.existing(Prefecture, "code")
        municipalities: dict[tuple[int, str], Municipality] = {
            (m.prefecture_id, m.name_ja): m for m in db.session.scalars(select(Municipality))
        }
        slugs: dict[str, int] = {}
        for line, row in read_csv(path):
            self.required(path, line, row, "name_ja", "name_en", "prefecture_code", "city", "source")
            prefecture = prefectures.get(row["prefecture_code"])
            if prefecture is None:
                raise SeedError(path, line, f"unknown prefecture code {row['prefecture_code']!r}")
            slug = slugify(row["name_en"])
            if slug in slugs:
                raise SeedError(path, line, f"slug {slug!r} repeats line {slugs[slug]}")
            slugs[slug] = line
            # A commission of several towns ("燕市・三条市") is placed at the first one's office.
            office = next(
                (municipalities.get((prefecture.id, town)) for town in row["city"].split("・")
                 if (prefecture.id, town) in municipalities),
                None,
            )
            if office is None:
                raise SeedError(path, line, f"no municipality {row['city']!r} in {prefecture.name_ja}")
            website, unverified = parse_website(row["website"], row["source"])
            self.upsert(FilmCommission, slug, {
                "slug": slug, "name_ja": row["name_ja"], "name_en": row["name_en"],
                "prefecture_id": prefecture.id, "municipality_id": office.id, "area_ja": row["city"],
                "lat": office.office_lat, "lon": office.office_lon, "coords_approximate": True,
                "website": website, "website_unverified": unverified, "source": row["source"],
            }, existing)
        db.session.flush()

    def authorities(self) -> None:
        path, existing = self.path("authorities.csv"), self.existing(PermitAuthority, "code")
        kinds, prefectures = self.existing(AuthorityKind, "code"), self.existing(Prefecture, "code")
        municipalities = self.existing(Municipality, "code")
        for line, row in read_csv(path):
            self.required(path, line, row, "code", "kind", "name_ja", "prefecture_codes", "source")
            if row["kind"] not in kinds:
                raise SeedError(path, line, f"unknown authority kind {row['kind']!r}")
            jurisdiction = []
            for code in row["prefecture_codes"].split(";"):
                if code not in prefectures:
                    raise SeedError(path, line, f"unknown prefecture code {code!r}")
                jurisdiction.append(prefectures[code])
            municipality = None
            if row["municipality_code"]:
                municipality = municipalities.get(row["municipality_code"])
                if municipality is None:
                    raise SeedError(path, line, f"unknown municipality code {row['municipality_code']!r}")
            lat = lon = None
            if row["lat"] or row["lon"]:
                lat, lon = self.coordinate(path, line, row["lat"], row["lon"])
            self.upsert(PermitAuthority, row["code"], {
                "code": row["code"], "kind_id": kinds[row["kind"]].id, "name_ja": row["name_ja"],
                "name_en": row["name_en"] or None, "municipality_id": municipality.id if municipality else None,
                "address": row["address"] or None, "lat": lat, "lon": lon, "phone": row["phone"] or None,
                "website": row["website"] or None, "source": row["source"],
                "coords_are_estimate": self.flag(path, line, row["coords_are_estimate"], "coords_are_estimate"),
                "is_estimate": self.flag(path, line, row["is_estimate"], "is_estimate"),
                "prefectures": sorted(jurisdiction, key=lambda p: p.code),
            }, existing)
        db.session.flush()

    def guideline_steps(self) -> None:
        path = self.path("guideline_steps.csv")
        existing = {(s.phase, s.actor): s for s in db.session.scalars(select(GuidelineStep))}
        for line, row in read_csv(path):
            self.required(path, line, row, "order", "phase", "actor", "title_ja", "title_en",
                          "description_ja", "description_en", "source")
            if row["phase"] not in PHASES or str(PHASES.index(row["phase"]) + 1) != row["order"]:
                raise SeedError(path, line, f"phase {row['phase']!r} does not match order {row['order']!r}")
            if row["actor"] not in GuidelineStep.ACTORS:
                raise SeedError(path, line, f"actor must be one of {', '.join(GuidelineStep.ACTORS)}")
            self.upsert(GuidelineStep, (row["phase"], row["actor"]), {
                "phase": row["phase"], "phase_order": int(row["order"]), "actor": row["actor"],
                "title_ja": row["title_ja"], "title_en": row["title_en"],
                "description_ja": row["description_ja"], "description_en": row["description_en"],
                "has_role": self.flag(path, line, row["has_role"], "has_role"), "source": row["source"],
                "is_estimate": self.flag(path, line, row["is_estimate"], "is_estimate"),
            }, existing)
        db.session.flush()


def slugify(name_en: str) -> str:
    """URL slug from an English name, without its parenthesised note."""
    base = re.sub(r"\(.*?\)", "", name_en)
    return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")


def parse_website(value: str, source: str) -> tuple[str | None, bool]:
    """The website URL (or None) and whether the research left it unverified."""
    unverified = UNVERIFIED in value or UNVERIFIED in source or "(likely)" in value
    match = re.match(r"https?://\S+", value)
    return (match.group(0) if match else None), unverified


def seed_all(seeds_dir: str) -> SeedReport:
    """Upsert every seed table in dependency order; flushes, never commits."""
    loader = Loader(seeds_dir)
    with db.session.no_autoflush:
        members = loader.blocks()
        db.session.flush()
        loader.prefectures(members)
        loader.municipalities()
        loader.authority_kinds()
        loader.activities()
        loader.permit_types()
        loader.activity_permits()
        loader.commissions()
        loader.authorities()
        loader.guideline_steps()
        # Imported here: the library loader builds on this module's Loader.
        from .library import rebuild_cells, refresh_statistics
        from .seeding_locations import load_categories, load_takamatsu

        load_categories(loader)
        load_takamatsu(loader)
        from .seeding_incentives import load_incentive_programs

        load_incentive_programs(loader)
        if loader.report.counts["location"]["created"] or loader.report.counts["location"]["updated"]:
            rebuild_cells()
        if loader.report.changed:
            db.session.flush()
            refresh_statistics()
    return loader.report
