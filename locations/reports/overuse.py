"""Area overuse: municipalities where filming has been heavy lately, so FCs can steer shoots elsewhere.

How shoot days are counted over the window (the ``window_days`` days ending today, today included):

* A ShootReport counts the days of its span (first_day..last_day) that fall inside the window, but
  never more than its ``shoot_days``: a report of 3 shooting days spread over 10 calendar days does not
  say which days were shot, and capping keeps it from counting more days than were actually filmed.
* A production's Shoot (planned or recorded by the producer) counts the days of its date range inside
  the window. A Shoot is skipped when a ShootReport exists for the same production and municipality:
  the FC's report is the record of that filming, so the same days are not counted twice.

Days are summed per municipality; rows without a municipality are not counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import select

from ..cases.models import Shoot
from ..core.clock import today_jst
from ..core.extensions import db
from ..directory.models import Municipality
from .models import ShootReport


@dataclass(frozen=True)
class BusyArea:
    municipality: Municipality
    days: int


def window(today: date, window_days: int) -> tuple[date, date]:
    """First and last day (both inclusive) of the ``window_days`` days ending ``today``."""
    return today - timedelta(days=window_days - 1), today


def _overlap(start: date, end: date, first: date, last: date) -> int:
    return max(0, (min(end, last) - max(start, first)).days + 1)


def shoot_days_by_municipality(today: date, window_days: int, prefecture_id: Optional[int] = None) -> dict[int, int]:
    """Municipality id → shoot days inside the window (see the module docstring for the rules)."""
    first, last = window(today, window_days)
    days: dict[int, int] = {}
    reports = select(ShootReport.municipality_id, ShootReport.first_day, ShootReport.last_day, ShootReport.shoot_days) \
        .where(ShootReport.municipality_id.is_not(None), ShootReport.first_day <= last, ShootReport.last_day >= first)
    shoots = select(Shoot.municipality_id, Shoot.start_date, Shoot.end_date) \
        .where(Shoot.municipality_id.is_not(None), Shoot.start_date <= last, Shoot.end_date >= first)
    reported = select(ShootReport.id).where(ShootReport.production_id == Shoot.production_id,
                                            ShootReport.municipality_id == Shoot.municipality_id)
    shoots = shoots.where(~reported.exists())
    if prefecture_id is not None:
        reports = reports.where(ShootReport.prefecture_id == prefecture_id)
        shoots = shoots.where(Shoot.municipality_id.in_(
            select(Municipality.id).where(Municipality.prefecture_id == prefecture_id)))
    for municipality_id, start, end, shot in db.session.execute(reports):
        counted = min(_overlap(start, end, first, last), max(shot, 0))
        days[municipality_id] = days.get(municipality_id, 0) + counted
    for municipality_id, start, end in db.session.execute(shoots):
        days[municipality_id] = days.get(municipality_id, 0) + _overlap(start, end, first, last)
    return {m: d for m, d in days.items() if d > 0}


def busy_areas(today: date, window_days: int, threshold: int, prefecture_id: Optional[int] = None) -> list[BusyArea]:
    """Municipalities with at least ``threshold`` shoot days in the window, busiest first."""
    counted = {m: d for m, d in shoot_days_by_municipality(today, window_days, prefecture_id).items()
               if d >= threshold}
    if not counted:
        return []
    municipalities = db.session.scalars(select(Municipality).where(Municipality.id.in_(counted))
                                        .order_by(Municipality.code))
    return sorted((BusyArea(m, counted[m.id]) for m in municipalities), key=lambda b: -b.days)


def busy_areas_geojson(areas: list[BusyArea], threshold: int, window_days: int, url_for_prefecture) -> dict:
    """The busy municipalities as GeoJSON points at their offices."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point",
                             "coordinates": [area.municipality.office_lon, area.municipality.office_lat]},
                "properties": {
                    "code": area.municipality.code,
                    "name_ja": area.municipality.name_ja,
                    # Municipalities carry only a romanised reading, which serves as the English name.
                    "name_en": area.municipality.name_romaji or area.municipality.name_ja,
                    "days": area.days,
                    "threshold": threshold,
                    "window_days": window_days,
                    "url": url_for_prefecture(area.municipality.prefecture.code),
                },
            }
            for area in areas
        ],
    }


def settings() -> tuple[int, int]:
    """(threshold in shoot days, window in days) as configured."""
    return current_app.config["OVERUSE_THRESHOLD_DAYS"], current_app.config["OVERUSE_WINDOW_DAYS"]


def busy_areas_in(prefecture_id: int) -> list[BusyArea]:
    """Busy municipalities of one prefecture today (in Japan), for the FC workspace."""
    threshold, window_days = settings()
    return busy_areas(today_jst(), window_days, threshold, prefecture_id=prefecture_id)
