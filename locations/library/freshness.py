"""Listings go stale when nobody confirms them: flagged to their FC after a while, hidden after twice that."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, update

from ..core.extensions import db
from .models import Location
from .cells import rebuild_cells


@dataclass(frozen=True)
class FreshnessReport:
    stale: int  # flagged to their FC (includes the hidden ones)
    hidden: int  # hidden from producers now
    newly_hidden: int
    unhidden: int


def stale_before(today: date, days: int) -> date:
    return today - timedelta(days=days)


def is_stale(location: Location, today: date, days: int) -> bool:
    return location.last_verified is None or location.last_verified < stale_before(today, days)


def apply_freshness(today: date, days: int) -> FreshnessReport:
    """Hide published listings unverified for 2 × ``days``; show again those verified since."""
    hide_before = stale_before(today, 2 * days)
    too_old = Location.last_verified < hide_before
    newly_hidden = db.session.execute(
        update(Location).where(too_old, Location.hidden_stale.is_(False), Location.status == "published")
        .values(hidden_stale=True, version=Location.version + 1).execution_options(synchronize_session=False)
    ).rowcount or 0
    unhidden = db.session.execute(
        update(Location).where(Location.hidden_stale.is_(True), or_(Location.last_verified.is_(None), ~too_old))
        .values(hidden_stale=False, version=Location.version + 1).execution_options(synchronize_session=False)
    ).rowcount or 0
    if newly_hidden or unhidden:
        rebuild_cells()
    stale = db.session.scalar(select(func.count()).select_from(Location).where(
        or_(Location.last_verified.is_(None), Location.last_verified < stale_before(today, days))))
    hidden = db.session.scalar(select(func.count()).select_from(Location).where(Location.hidden_stale.is_(True)))
    return FreshnessReport(stale=stale or 0, hidden=hidden or 0, newly_hidden=newly_hidden, unhidden=unhidden)
