"""Pages anyone can read about the directory (home, film commissions, blocks, prefectures, about) and the page
where FC staff keep their own commission's profile.

Figures that other parts of the app own (location counts, permit authorities, shoot-report figures) reach
these templates through template globals those parts register, so this package imports none of them.
"""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..core import maps
from ..core.access import fc_staff_only
from ..core.editing import Conflict, form_conflict
from ..core.extensions import db
from ..core.models import AuditEvent
from . import bp, editing, queries
from .access import own_commission
from .forms import CommissionProfileForm
from .layers import block_colours_by_code, commission_layer, outline_layer
from .models import FilmCommission, Municipality, Prefecture, RegionalBlock


@bp.route("/")
def index():
    counts = {
        "commissions": db.session.scalar(select(func.count(FilmCommission.id))),
        "prefectures": db.session.scalar(select(func.count(Prefecture.id))),
        "municipalities": db.session.scalar(select(func.count(Municipality.id))),
    }
    fmap = maps.build_map([outline_layer(), commission_layer()])
    return render_template("directory/index.html", counts=counts, blocks=queries.blocks_with_prefectures(),
                           colours=block_colours_by_code(), fmap=fmap)


@bp.route("/commissions")
def commissions():
    filters = queries.CommissionFilter(
        text=request.args.get("q", "").strip()[:100],
        block=request.args.get("block") or None,
        prefecture=request.args.get("prefecture") or None,
    )
    found = queries.find_commissions(filters)
    return render_template("directory/commissions.html", filters=filters,
                           groups=queries.group_by_block_and_prefecture(found), total=len(found),
                           blocks=queries.region_choices())


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
    return render_template("directory/commission.html", fc=fc, fmap=fmap)


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
    return render_template("directory/block.html", block=blk, fmap=fmap)


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
    points = [(pref.office_lat, pref.office_lon)] + [(fc.lat, fc.lon) for fc in pref.commissions]
    fmap = maps.build_map(
        [outline_layer(prefecture=pref.code), commission_layer(prefecture=pref.code)],
        bounds=maps.bounds_around(points, margin=0.5),
    )
    return render_template("directory/prefecture.html", pref=pref, fmap=fmap)


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)


@bp.route("/about")
def about():
    return render_template("directory/about.html")


@bp.app_template_filter("source_links")
def source_links(text: str):
    """Split a source string into parts, marking the http(s) URLs so templates can link them."""
    parts = []
    for piece in re.split(r"(https?://[^\s;,)）、」]+)", text or ""):
        if piece:
            parts.append((piece, piece.startswith(("http://", "https://"))))
    return parts


@bp.route("/commission/profile", methods=["GET", "POST"])
@fc_staff_only
def profile():
    fc = own_commission()
    form = CommissionProfileForm(obj=fc)
    if request.method == "GET":
        form.version.data = str(fc.version)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or "").strip() or None for name in editing.PROFILE_FIELDS}
        values["name_ja"], values["name_en"] = form.name_ja.data.strip(), form.name_en.data.strip()
        try:
            editing.save_profile(fc, values, int(form.version.data), editing.PROFILE_FIELDS)
            db.session.commit()
        except (Conflict, StaleDataError):
            db.session.rollback()
            return form_conflict(fc, editing.PROFILE_FIELDS, form, url_for("directory.profile"))
        flash(_("Saved."))
        return redirect(url_for("directory.profile"))
    return render_template("directory/profile.html", fc=fc, form=form), (400 if form.errors else 200)


@bp.route("/commission/history")
@fc_staff_only
def history():
    fc = own_commission()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.commission_id == fc.id)
                                .order_by(AuditEvent.id.desc()).limit(200)).all()
    return render_template("audit_list.html", events=events, title=_("History of %(name)s", name=fc.name_ja))
