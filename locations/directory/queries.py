"""Read-side queries for the directory pages and API (no request, no commit)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload, undefer

from ..core import versions
from ..core.extensions import db
from .models import FilmCommission, Prefecture, RegionalBlock

# Raised whenever a prefecture or a block is written: the outlines' URL names it (browsers keep them a year),
# and the blocks and prefectures the filters list are read again when it moves.
OUTLINES = "prefecture_outlines"
versions.watch(OUTLINES, ("prefecture", "regional_block"))


def blocks_with_prefectures() -> list[RegionalBlock]:
    return list(
        db.session.scalars(
            select(RegionalBlock)
            .options(selectinload(RegionalBlock.prefectures))
            .order_by(RegionalBlock.sort_order)
        )
    )


@dataclass(frozen=True)
class Region:
    """A block (with its prefectures) or a prefecture, as the filters' selects and the map colours need it."""
    code: str
    name_ja: str
    name_en: str
    prefectures: tuple["Region", ...] = ()


def region_choices() -> tuple[Region, ...]:
    """The blocks in their order, each with its prefectures, as of the reference data's stamp (read at most
    once a second; this process's own changes at once, see versions.recent). 47 prefectures in 10 blocks change
    with the reference data only, and every search page lists them (0.7 ms a page to read them again)."""
    return versions.kept(db.session, OUTLINES, lambda: tuple(
        Region(block.code, block.name_ja, block.name_en,
               tuple(Region(p.code, p.name_ja, p.name_en) for p in block.prefectures))
        for block in blocks_with_prefectures()))


@dataclass(frozen=True)
class CommissionFilter:
    text: str = ""
    block: Optional[str] = None
    prefecture: Optional[str] = None


def find_commissions(filters: CommissionFilter) -> list[FilmCommission]:
    """Commissions matching the filter, ordered by prefecture code then English name."""
    query = (
        select(FilmCommission)
        .join(FilmCommission.prefecture)
        .join(Prefecture.block)
        .options(selectinload(FilmCommission.prefecture).selectinload(Prefecture.block))
        .order_by(Prefecture.code, FilmCommission.name_en)
    )
    if filters.block:
        query = query.where(RegionalBlock.code == filters.block)
    if filters.prefecture:
        query = query.where(Prefecture.code == filters.prefecture)
    for word in filters.text.split():
        pattern = f"%{_escape_like(word)}%"
        query = query.where(
            or_(
                FilmCommission.name_ja.ilike(pattern, escape="\\"),
                FilmCommission.name_en.ilike(pattern, escape="\\"),
                FilmCommission.area_ja.ilike(pattern, escape="\\"),
                Prefecture.name_ja.ilike(pattern, escape="\\"),
                Prefecture.name_en.ilike(pattern, escape="\\"),
            )
        )
    return list(db.session.scalars(query))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def group_by_block_and_prefecture(
    commissions: list[FilmCommission],
) -> list[tuple[RegionalBlock, list[tuple[Prefecture, list[FilmCommission]]]]]:
    """[(block, [(prefecture, [commission…])…])…] in block order, then prefecture code."""
    by_block: dict[int, tuple[RegionalBlock, dict[int, tuple[Prefecture, list[FilmCommission]]]]] = {}
    for commission in commissions:
        prefecture = commission.prefecture
        block = prefecture.block
        _, prefectures = by_block.setdefault(block.id, (block, {}))
        prefectures.setdefault(prefecture.id, (prefecture, []))[1].append(commission)
    ordered = sorted(by_block.values(), key=lambda item: item[0].sort_order)
    return [
        (block, sorted(prefectures.values(), key=lambda item: item[0].code))
        for block, prefectures in ordered
    ]


def commissions_geojson(commissions: list[FilmCommission], url_for_slug) -> dict:
    """RFC 7946 FeatureCollection of commission points."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {
                    "slug": c.slug,
                    "name_ja": c.name_ja,
                    "name_en": c.name_en,
                    "prefecture": c.prefecture.code,
                    "block": c.prefecture.block.code,
                    "approximate": c.coords_approximate,
                    "url": url_for_slug(c.slug),
                },
            }
            for c in commissions
        ],
    }


def prefectures_geojson(block_code: Optional[str], prefecture_code: Optional[str], url_for_code) -> dict:
    """Prefecture outlines as a FeatureCollection, optionally only one block's or one prefecture's."""
    query = (
        select(Prefecture)
        .join(Prefecture.block)
        .options(undefer(Prefecture.boundary), selectinload(Prefecture.block))
        .order_by(Prefecture.code)
    )
    if block_code:
        query = query.where(RegionalBlock.code == block_code)
    if prefecture_code:
        query = query.where(Prefecture.code == prefecture_code)
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(p.boundary),
            "properties": {
                "code": p.code,
                "name_ja": p.name_ja,
                "name_en": p.name_en,
                "block": p.block.code,
                "url": url_for_code(p.code),
            },
        }
        for p in db.session.scalars(query)
        if p.boundary
    ]
    return {"type": "FeatureCollection", "features": features}
