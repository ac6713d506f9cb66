"""Pages anyone can read: the directory, the guideline and the permit catalogue."""
from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import directory, reports
from ..core import maps
from ..core.clock import today_jst
from ..core.extensions import db
from ..core.i18n import current_language
from ..models import (
    Activity,
    ActivityPermit,
    FilmCommission,
    GuidelineStep,
    Location,
    Municipality,
    PermitAuthority,
    PermitType,
    Prefecture,
    RegionalBlock,
)

bp = Blueprint("public", __name__)


def block_colours_by_code() -> dict[str, str]:
    return maps.block_colours(
        list(db.session.scalars(select(RegionalBlock.code).order_by(RegionalBlock.sort_order)))
    )


def outline_layer(**filters: str) -> maps.RemoteLayer:
    return maps.RemoteLayer(
        kind="outlines",
        url=url_for("api.prefectures", **filters),
        name=_("Prefectures"),
        options={"colors": block_colours_by_code(), "lang": current_language()},
    )


def commission_layer(**filters: str) -> maps.RemoteLayer:
    return maps.RemoteLayer(
        kind="points",
        url=url_for("api.commissions", **filters),
        name=_("Film commissions"),
        options={
            "colors": block_colours_by_code(),
            "lang": current_language(),
            "approximateText": _("Approximate position: the municipality office"),
        },
    )


@bp.route("/")
def index():
    counts = {
        "commissions": db.session.scalar(select(func.count(FilmCommission.id))),
        "prefectures": db.session.scalar(select(func.count(Prefecture.id))),
        "municipalities": db.session.scalar(select(func.count(Municipality.id))),
        "permit_types": db.session.scalar(select(func.count(PermitType.id))),
    }
    fmap = maps.build_map([outline_layer(), commission_layer()])
    return render_template(
        "public/index.html",
        counts=counts,
        blocks=directory.blocks_with_prefectures(),
        colours=block_colours_by_code(),
        fmap=fmap,
    )


def _report_figures() -> dict:
    """Each commission's shoot-report figures this calendar year and over all years."""
    year = today_jst().year
    return {"year": year, "figures_year": reports.commission_figures(year),
            "figures_all": reports.commission_figures(None)}


@bp.route("/commissions")
def commissions():
    filters = directory.CommissionFilter(
        text=request.args.get("q", "").strip()[:100],
        block=request.args.get("block") or None,
        prefecture=request.args.get("prefecture") or None,
    )
    found = directory.find_commissions(filters)
    return render_template(
        "public/commissions.html",
        filters=filters,
        groups=directory.group_by_block_and_prefecture(found),
        total=len(found),
        blocks=directory.blocks_with_prefectures(),
        **_report_figures(),
    )


@bp.route("/commissions/<slug>")
def commission(slug: str):
    fc = db.one_or_404(
        select(FilmCommission)
        .where(FilmCommission.slug == slug)
        .options(selectinload(FilmCommission.prefecture).selectinload(Prefecture.block))
    )
    fmap = maps.build_map(
        [outline_layer(prefecture=fc.prefecture.code), commission_layer(prefecture=fc.prefecture.code)],
        center=(fc.lat, fc.lon),
        zoom=10,
    )
    location_count = db.session.scalar(
        select(func.count(Location.id)).where(Location.commission_id == fc.id, Location.status == "published")
    )
    return render_template("public/commission.html", fc=fc, fmap=fmap, location_count=location_count)


@bp.route("/blocks/<code>")
def block(code: str):
    blk = db.one_or_404(
        select(RegionalBlock)
        .where(RegionalBlock.code == code.upper())
        .options(selectinload(RegionalBlock.prefectures).selectinload(Prefecture.commissions))
    )
    points = [(p.office_lat, p.office_lon) for p in blk.prefectures]
    points += [(fc.lat, fc.lon) for p in blk.prefectures for fc in p.commissions]
    fmap = maps.build_map(
        [outline_layer(block=blk.code), commission_layer(block=blk.code)],
        bounds=maps.bounds_around(points),
    )
    year = today_jst().year
    return render_template("public/block.html", block=blk, fmap=fmap, **_report_figures(),
                           block_year=reports.block_figures(blk.id, year),
                           block_all=reports.block_figures(blk.id, None))


@bp.route("/prefectures/<code>")
def prefecture(code: str):
    pref = db.one_or_404(
        select(Prefecture)
        .where(Prefecture.code == code.zfill(2))
        .options(
            selectinload(Prefecture.block),
            selectinload(Prefecture.commissions),
            selectinload(Prefecture.municipalities),
        )
    )
    authorities = list(
        db.session.scalars(
            select(PermitAuthority)
            .where(PermitAuthority.prefectures.any(Prefecture.id == pref.id))
            .options(selectinload(PermitAuthority.kind))
            .order_by(PermitAuthority.kind_id, PermitAuthority.code)
        )
    )
    points = [(pref.office_lat, pref.office_lon)] + [(fc.lat, fc.lon) for fc in pref.commissions]
    fmap = maps.build_map(
        [outline_layer(prefecture=pref.code), commission_layer(prefecture=pref.code)],
        bounds=maps.bounds_around(points, margin=0.5),
    )
    return render_template(
        "public/prefecture.html", pref=pref, authorities=authorities, fmap=fmap
    )


@bp.route("/guideline")
def guideline():
    steps = list(db.session.scalars(select(GuidelineStep).order_by(GuidelineStep.phase_order)))
    phases: dict[str, dict] = {}
    for step in steps:
        phase = phases.setdefault(step.phase, {"order": step.phase_order, "steps": {}})
        phase["steps"][step.actor] = step
    return render_template(
        "public/guideline.html",
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
    return render_template("public/permit_types.html", types=types, activities=activities)


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
    return render_template("public/permit_type.html", ptype=ptype, authority_count=authority_count)


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)


@bp.route("/about")
def about():
    return render_template("public/about.html")


@bp.app_template_filter("source_links")
def source_links(text: str):
    """Split a source string into parts, marking the http(s) URLs so templates can link them."""
    parts = []
    for piece in re.split(r"(https?://[^\s;,)）、」]+)", text or ""):
        if piece:
            parts.append((piece, piece.startswith(("http://", "https://"))))
    return parts

