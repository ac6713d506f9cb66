"""Authority officers: the permit steps addressed to their authority, and their decisions (taken on each
step's page)."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...accounts.users import acting_authority_ids
from ...core.access import officers_only
from ...core.clock import today_jst
from ...core.extensions import db
from ...permits.offices import candidate_children
from .. import bp
from .. import workflow as cases
from ..labels import STEP_STATUS_LABELS as STATUS_LABELS
from ..models import PermitStep, Shoot

FILTERS = ("open", "decided", "all")


@bp.route("/authority/", endpoint="authority_queue")
@officers_only
def authority_queue():
    """The steps addressed to the officer's authority, the most urgent first."""
    shown = request.args.get("show", "open")
    if shown not in FILTERS:
        shown = "open"
    authority = current_user.authority
    rows = []
    if authority is not None:
        query = (select(PermitStep).where(PermitStep.authority_id.in_(acting_authority_ids(current_user)))
                 .options(selectinload(PermitStep.shoot).selectinload(Shoot.municipality),
                          selectinload(PermitStep.production), selectinload(PermitStep.permit_type))
                 .order_by(PermitStep.due_date, PermitStep.id).limit(500))
        if shown == "open":
            query = query.where(PermitStep.status.not_in(cases.CLOSED))
        elif shown == "decided":
            query = query.where(PermitStep.status.in_(cases.CLOSED))
        rows = db.session.scalars(query).all()
    candidates = candidate_children(authority.id) if authority is not None else []
    return render_template("cases/authority.html", authority=authority, rows=rows, shown=shown, filters=FILTERS,
                           candidates=candidates,
                           today=today_jst(), cases=cases, status_labels=STATUS_LABELS)
