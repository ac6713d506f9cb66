"""The permit case's pages; what they share: finding the production or row a URL names, for this user."""
from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_login import current_user

from ...core import audit
from ...core.errors import parse_id
from ...core.extensions import db
from .. import workflow as cases
from ..models import Production


def fetch(model, ident: Any):
    """The row with this id, or None (also for ids no database column can hold)."""
    number = parse_id(ident)
    return db.session.get(model, number) if number is not None else None


def viewable_production(production_id: int) -> Production:
    """The production if the signed-in user may see it, else 404 (logged when it exists)."""
    production = fetch(Production, production_id)
    if production is None:
        abort(404)
    if not cases.can_view(current_user, production):
        audit.record("denied", production, detail=f"{request.method} {request.path}"[:500])
        db.session.commit()
        abort(404)
    return production


def owned_production(production_id: int) -> Production:
    production = viewable_production(production_id)
    if production.owner_id != current_user.id:
        abort(404)
    return production


# ---------------------------------------------------------------------------------------------- productions
