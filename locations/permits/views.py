"""Pages anyone can read about permits: the guideline's flow of a location shoot and the permit catalogue."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from . import bp
from .models import Activity, ActivityPermit, GuidelineStep, PermitAuthority, PermitType


@bp.route("/guideline")
def guideline():
    steps = list(db.session.scalars(select(GuidelineStep).order_by(GuidelineStep.phase_order)))
    phases: dict[str, dict] = {}
    for step in steps:
        phase = phases.setdefault(step.phase, {"order": step.phase_order, "steps": {}})
        phase["steps"][step.actor] = step
    return render_template(
        "permits/guideline.html",
        phases=sorted(phases.items(), key=lambda item: item[1]["order"]),
        actors=GuidelineStep.ACTORS,
        any_estimate=any(s.is_estimate for s in steps),
        source=steps[0].source if steps else "",
    )


@bp.route("/permit-types")
def permit_types():
    types = list(
        db.session.scalars(
            select(PermitType).options(selectinload(PermitType.authority_kind)).order_by(PermitType.id)
        )
    )
    activities = list(
        db.session.scalars(
            select(Activity)
            .options(selectinload(Activity.permit_links).selectinload(ActivityPermit.permit_type))
            .order_by(Activity.id)
        )
    )
    return render_template("permits/permit_types.html", types=types, activities=activities)


@bp.route("/permit-types/<code>")
def permit_type(code: str):
    ptype = db.one_or_404(
        select(PermitType)
        .where(PermitType.code == code.upper())
        .options(
            selectinload(PermitType.authority_kind),
            selectinload(PermitType.activity_links).selectinload(ActivityPermit.activity),
        )
    )
    authority_count = db.session.scalar(
        select(func.count(PermitAuthority.id)).where(PermitAuthority.kind_id == ptype.authority_kind_id)
    )
    return render_template("permits/permit_type.html", ptype=ptype, authority_count=authority_count)
