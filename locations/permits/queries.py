"""Read-side queries over the permit reference data that other parts' pages show."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..directory.models import Prefecture
from .models import PermitAuthority, PermitType


def permit_type_count() -> int:
    return db.session.scalar(select(func.count(PermitType.id))) or 0


def authorities_serving(prefecture_id: int) -> list[PermitAuthority]:
    """The permit authorities whose area includes the prefecture, by kind."""
    return list(db.session.scalars(
        select(PermitAuthority).where(PermitAuthority.prefectures.any(Prefecture.id == prefecture_id))
        .options(selectinload(PermitAuthority.kind)).order_by(PermitAuthority.kind_id, PermitAuthority.code)))
