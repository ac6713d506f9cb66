"""Authority officers: the permit steps addressed to their authority, and their decisions (taken on each
step's page, which the producer blueprint serves)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import cases
from ..case_labels import STEP_STATUS_LABELS as STATUS_LABELS
from ..core.access import officers_only
from ..core.clock import today_jst
from ..core.extensions import db
from ..models import PermitStep, Shoot

bp = Blueprint("authority", __name__, url_prefix="/authority")

FILTERS = ("open", "decided", "all")


@bp.route("/")
@officers_only
def index():
    """The steps addressed to the officer's authority, the most urgent first."""
    shown = request.args.get("show", "open")
    if shown not in FILTERS:
        shown = "open"
    authority = current_user.authority
    rows = []
    if authority is not None:
        query = (select(PermitStep).where(PermitStep.authority_id == authority.id)
                 .options(selectinload(PermitStep.shoot).selectinload(Shoot.municipality),
                          selectinload(PermitStep.production), selectinload(PermitStep.permit_type))
                 .order_by(PermitStep.due_date, PermitStep.id).limit(500))
        if shown == "open":
            query = query.where(PermitStep.status.not_in(cases.CLOSED))
        elif shown == "decided":
            query = query.where(PermitStep.status.in_(cases.CLOSED))
        rows = db.session.scalars(query).all()
    return render_template("authority/index.html", authority=authority, rows=rows, shown=shown, filters=FILTERS,
                           today=today_jst(), cases=cases, status_labels=STATUS_LABELS)
