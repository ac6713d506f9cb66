"""Small builders for test data; they add and flush, the test decides about committing."""
from __future__ import annotations

from itertools import count

from sqlalchemy import select

from locations.extensions import db
from locations.models import FilmCommission, Prefecture

_serial = count(1)


def make_commission(**overrides) -> FilmCommission:
    n = next(_serial)
    prefecture = overrides.pop("prefecture", None) or db.session.scalar(
        select(Prefecture).where(Prefecture.code == "13")
    )
    values = {
        "slug": f"test-fc-{n}",
        "name_ja": f"テストFC{n}",
        "name_en": f"Test FC {n}",
        "prefecture_id": prefecture.id,
        "lat": prefecture.office_lat,
        "lon": prefecture.office_lon,
        "source": "test builder",
    }
    values.update(overrides)
    fc = FilmCommission(**values)
    db.session.add(fc)
    db.session.flush()
    return fc
