"""The film commission a signed-in staff member works for."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..core.extensions import db
from .models import FilmCommission


def own_commission() -> FilmCommission:
    fc = db.session.get(FilmCommission, current_user.commission_id) if current_user.commission_id else None
    if fc is None:
        abort(403)
    return fc
