"""Editing a film commission's profile: its staff change what they may, admins also the sources and flags."""
from __future__ import annotations

from typing import Any

from ..core import audit
from ..core.editing import Conflict
from ..core.extensions import db
from .models import FilmCommission

PROFILE_FIELDS = ("name_ja", "name_en", "address", "phone", "email", "website", "languages",
                  "services_ja", "services_en", "description_ja", "description_en")
ADMIN_PROFILE_FIELDS = PROFILE_FIELDS + ("source", "website_unverified", "coords_approximate")


def save_profile(commission: FilmCommission, values: dict[str, Any], expected_version: int, fields: tuple) -> dict:
    if expected_version != commission.version:
        raise Conflict(audit.snapshot(commission, fields))
    before = audit.snapshot(commission, fields)
    for name, value in values.items():
        setattr(commission, name, value)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(commission, fields))
    if changes:
        audit.record("update", commission, changes=changes, commission_id=commission.id)
    return changes
