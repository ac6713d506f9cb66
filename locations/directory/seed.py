"""Seed the directory: regional blocks, prefectures with their outlines, municipalities and film commissions."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from ..core.extensions import db
from ..core.seeding import Loader, SeedError, read_csv, slugify
from .geo import municipality_romaji
from .models import FilmCommission, Municipality, Prefecture, RegionalBlock

UNVERIFIED = "(website unverified)"


def load_blocks(loader: Loader) -> dict[str, str]:
    """Load blocks; return {prefecture code: block code} as blocks.csv lists them."""
    path, existing, members = loader.path("blocks.csv"), loader.existing(RegionalBlock, "code"), {}
    for order, (line, row) in enumerate(read_csv(path)):
        loader.required(path, line, row, "block_code", "name_ja", "name_en", "prefecture_codes")
        for code in row["prefecture_codes"].split(";"):
            if code in members:
                raise SeedError(path, line, f"prefecture {code} is already in block {members[code]}")
            members[code] = row["block_code"]
        loader.upsert(RegionalBlock, row["block_code"], {
            "code": row["block_code"], "name_ja": row["name_ja"],
            "name_en": re.sub(r"\s*(\(estimate\)| - estimate)", "", row["name_en"]),
            "sort_order": order, "is_estimate": "estimate" in row["name_en"].lower(),
            "source": "shared/reference/blocks.csv; domain-japan.md §3: a 10-block estimate matching "
                      "JFC's 10 yearly block seminars (the official JFC block list was not found)",
        }, existing)
    return members


def load_prefectures(loader: Loader, members: dict[str, str]) -> None:
    path = loader.path("prefectures.csv")
    blocks = loader.existing(RegionalBlock, "code")
    boundaries = load_boundaries(loader)
    existing = loader.existing(Prefecture, "code")
    seen = set()
    for line, row in read_csv(path):
        loader.required(path, line, row, "code", "name_ja", "name_en", "block_code", "source")
        code = row["code"]
        if not re.fullmatch(r"\d{2}", code) or not 1 <= int(code) <= 47:
            raise SeedError(path, line, f"'{code}' is not a JIS prefecture code")
        if members.get(code) != row["block_code"]:
            raise SeedError(path, line, f"block {row['block_code']} disagrees with blocks.csv ({members.get(code)})")
        if row["name_ja"] not in boundaries:
            raise SeedError(path, line, f"no boundary for {row['name_ja']} in prefecture_boundaries.geojson")
        lat, lon = loader.coordinate(path, line, row["lat"], row["lon"])
        seen.add(code)
        loader.upsert(Prefecture, code, {
            "code": code, "name_ja": row["name_ja"], "name_en": row["name_en"],
            "block_id": blocks[row["block_code"]].id, "office_lat": lat, "office_lon": lon,
            "boundary": boundaries[row["name_ja"]], "source": row["source"],
        }, existing)
    if len(seen) != 47:
        raise SeedError(path, 1, f"expected 47 prefectures, found {len(seen)}")
    db.session.flush()


def load_boundaries(loader: Loader) -> dict[str, str]:
    path = loader.path("prefecture_boundaries.geojson")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        f["properties"]["N03_001"]: json.dumps(_rounded(f["geometry"]), separators=(",", ":"))
        for f in data["features"]
    }


# Five decimals is about a metre, finer than the simplified outlines; the file has 15, which made
# /api/prefectures 314 KB and the largest part of the map's first load.
BOUNDARY_DECIMALS = 5


def _rounded(geometry: dict) -> dict:
    def walk(value):
        if isinstance(value, float):
            return round(value, BOUNDARY_DECIMALS)
        return [walk(v) for v in value]

    return {**geometry, "coordinates": walk(geometry["coordinates"])}


def load_municipalities(loader: Loader) -> None:
    path = loader.path("municipalities_localgovjp.csv")
    prefectures = {int(p.code): p for p in db.session.scalars(select(Prefecture))}
    existing = loader.existing(Municipality, "code")
    source = ("code4fukui/localgovjp localgovjp-utf8.csv (CC0 1.0; office points from GSI and "
              "J-LIS 全国自治体マップ検索) https://github.com/code4fukui/localgovjp")
    for line, row in read_csv(path, encoding="utf-8-sig"):
        loader.required(path, line, row, "pid", "city", "lgcode", "lat", "lng")
        lgcode = row["lgcode"].zfill(6)
        if not re.fullmatch(r"\d{6}", lgcode):
            raise SeedError(path, line, f"'{row['lgcode']}' is not a 6-digit local government code")
        prefecture = prefectures.get(int(row["pid"])) if row["pid"].isdigit() else None
        if prefecture is None:
            raise SeedError(path, line, f"unknown prefecture number {row['pid']!r}")
        lat, lon = loader.coordinate(path, line, row["lat"], row["lng"])
        loader.upsert(Municipality, lgcode[:5], {
            "code": lgcode[:5], "lgcode": lgcode, "name_ja": row["city"].replace(" ", ""),
            "kana": row["citykana"], "name_romaji": municipality_romaji(row["city"], row["citykana"]),
            "prefecture_id": prefecture.id,
            "office_lat": lat, "office_lon": lon, "website": row["url"] or None,
            "is_ward": " " in row["city"], "source": source,
        }, existing)
    db.session.flush()


# A film commission; where a prefecture has none on record, its tourism or film desk, or a local body that
# receives shoots, so the planner's last rung always names someone.
CONTACT_KINDS = ("fc", "prefectural_contact", "local_contact")


def load_commissions(loader: Loader) -> None:
    path, existing = loader.path("film_commissions.csv"), loader.existing(FilmCommission, "slug")
    prefectures = loader.existing(Prefecture, "code")
    municipalities: dict[tuple[int, str], Municipality] = {
        (m.prefecture_id, m.name_ja): m for m in db.session.scalars(select(Municipality))
    }
    slugs: dict[str, int] = {}
    for line, row in read_csv(path):
        loader.required(path, line, row, "name_ja", "name_en", "prefecture_code", "city", "source")
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
        contact_kind = row.get("contact_kind") or "fc"
        if contact_kind not in CONTACT_KINDS:
            raise SeedError(path, line, f"contact_kind must be one of {', '.join(CONTACT_KINDS)}")
        loader.upsert(FilmCommission, slug, {
            "contact_kind": contact_kind,
            "slug": slug, "name_ja": row["name_ja"], "name_en": row["name_en"],
            "prefecture_id": prefecture.id, "municipality_id": office.id, "area_ja": row["city"],
            "lat": office.office_lat, "lon": office.office_lon, "coords_approximate": True,
            "website": website, "website_unverified": unverified, "source": row["source"],
        }, existing)
    db.session.flush()


def parse_website(value: str, source: str) -> tuple[str | None, bool]:
    """The website URL (or None) and whether the research left it unverified."""
    unverified = UNVERIFIED in value or UNVERIFIED in source or "(likely)" in value
    match = re.match(r"https?://\S+", value)
    return (match.group(0) if match else None), unverified
