"""Administration: accounts, film commissions, permit authorities and the full audit trail."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..accounts import sessions
from ..accounts import users as accounts
from ..accounts.forms import UserForm
from ..accounts.models import User
from ..core import audit
from ..core.access import admins_only
from ..core.editing import Conflict, form_conflict
from ..core.extensions import db
from ..core.forms import ActionForm, choices
from ..core.models import AuditEvent
from ..core.roles import ROLES, role_label
from ..directory import editing as profile_editing
from ..directory.forms import AdminCommissionForm
from ..directory.models import FilmCommission
from ..library.forms import CategoryForm, ImportForm
from ..library.models import LocationCategory
from ..permits import importing as authority_files
from ..permits.models import PermitAuthority, PermitType
from . import bp


@bp.route("/")
@admins_only
def index():
    return render_template("admin/index.html")


def _user_form() -> UserForm:
    form = UserForm()
    form.role.choices = choices((r, role_label(r)) for r in ROLES)
    form.commission.choices = choices([("", "—")] + [(str(c.id), c.name_ja) for c in db.session.scalars(
        select(FilmCommission).order_by(FilmCommission.name_ja))])
    form.authority.choices = choices([("", "—")] + [(str(a.id), a.name_ja) for a in db.session.scalars(
        select(PermitAuthority).order_by(PermitAuthority.code))])
    return form


@bp.route("/users", methods=["GET", "POST"])
@admins_only
def users():
    form = _user_form()
    if form.validate_on_submit():
        role = form.role.data
        commission = db.session.get(FilmCommission, int(form.commission.data)) if form.commission.data else None
        authority = db.session.get(PermitAuthority, int(form.authority.data)) if form.authority.data else None
        try:
            accounts.create_user(form.email.data, form.display_name.data, role, form.password.data,
                                 commission=commission, authority=authority, email_verified=True)
        except accounts.UserProblems as problems:
            for name, messages in problems.errors.items():
                getattr(form, name).errors.extend(messages)
        else:
            db.session.commit()
            flash(_("User created."))
            return redirect(url_for("admin.users"))
    rows = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", form=form, rows=rows), (400 if form.errors else 200)


def _set_active(user_id: int, active: bool):
    if not ActionForm().validate_on_submit():
        abort(400)
    user = db.get_or_404(User, user_id)
    if not active and user.id == current_user.id:
        # Locking oneself out of the only place where accounts are enabled helps nobody.
        flash(_("You cannot disable your own account."))
        return redirect(url_for("admin.users"))
    # Accounts are disabled, never deleted: their cases, decisions and audit trail keep their author.
    if accounts.set_active(user, active):
        db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.display_name) if active else
          _("%(name)s is disabled and signed out everywhere; the account and its records are kept.",
            name=user.display_name))
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/end-sessions", methods=["POST"])
@admins_only
def end_user_sessions(user_id: int):
    """Sign a user out everywhere without disabling the account (a lost laptop, a shared computer)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = db.get_or_404(User, user_id)
    count = sessions.end_all(user)
    audit.record("sessions_ended", user, detail=f"by admin, sessions={count}")
    db.session.commit()
    flash(_("Signed %(name)s out of %(n)d session(s).", name=user.display_name, n=count))
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/disable", methods=["POST"])
@admins_only
def disable_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<id:user_id>/enable", methods=["POST"])
@admins_only
def enable_user(user_id: int):
    return _set_active(user_id, True)


@bp.route("/commissions")
@admins_only
def commissions():
    rows = db.session.scalars(select(FilmCommission).order_by(FilmCommission.prefecture_id, FilmCommission.name_en)).all()
    return render_template("admin/commissions.html", rows=rows)


@bp.route("/commissions/<slug>/edit", methods=["GET", "POST"])
@admins_only
def edit_commission(slug: str):
    fc = db.one_or_404(select(FilmCommission).where(FilmCommission.slug == slug))
    form = AdminCommissionForm(obj=fc)
    if request.method == "GET":
        form.version.data = str(fc.version)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or "").strip() or None
                  for name in profile_editing.PROFILE_FIELDS + ("source",)}
        values["website_unverified"] = bool(form.website_unverified.data)
        values["coords_approximate"] = bool(form.coords_approximate.data)
        try:
            profile_editing.save_profile(fc, values, int(form.version.data), profile_editing.ADMIN_PROFILE_FIELDS)
            db.session.commit()
        except (Conflict, StaleDataError):
            db.session.rollback()
            return form_conflict(fc, profile_editing.ADMIN_PROFILE_FIELDS, form, url_for("admin.edit_commission", slug=slug))
        flash(_("Saved."))
        return redirect(url_for("admin.edit_commission", slug=slug))
    return render_template("admin/commission_form.html", fc=fc, form=form), (400 if form.errors else 200)


@bp.route("/authorities")
@admins_only
def authorities():
    # Thousands of offices (the OpenStreetMap candidates): their kinds and prefectures in two queries, not two each.
    rows = db.session.scalars(select(PermitAuthority).order_by(PermitAuthority.kind_id, PermitAuthority.code).options(
        selectinload(PermitAuthority.kind), selectinload(PermitAuthority.prefectures))).all()
    return render_template("admin/authorities.html", rows=rows)


@bp.route("/audit")
@admins_only
def audit_log():
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)).all()
    return render_template("audit_list.html", events=events, title=_("Audit trail"))


@bp.route("/authorities/import", methods=["GET", "POST"])
@admins_only
def import_authorities():
    form = ImportForm()
    plan = None
    if form.validate_on_submit():
        name = (form.file.data.filename or "").lower()
        fmt = "geojson" if name.endswith((".geojson", ".json")) else "csv"
        plan = authority_files.parse_authorities(form.file.data.read(), fmt)
        if not plan.errors and not form.dry_run.data:
            result = authority_files.apply_authorities(plan)
            for change in result.changes:
                audit.record(change.action, entity_type="permit_authority", entity_id=change.entity_id,
                             changes=change.fields, detail="import")
            db.session.commit()
            flash(_("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
                    created=result.created, updated=result.updated, unchanged=result.unchanged))
            return redirect(url_for("admin.authorities"))
    status = 400 if (form.errors or (plan is not None and plan.errors)) else 200
    return render_template("admin/import_authorities.html", form=form, plan=plan), status


@bp.route("/authorities/export")
@admins_only
def export_authorities():
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "geojson"):
        abort(400, description=_("format: must be geojson or csv"))
    return Response(authority_files.export_authorities(fmt), mimetype="text/csv" if fmt == "csv" else "application/geo+json",
                    headers={"Content-Disposition": f"attachment; filename=authorities.{fmt}"})


@bp.route("/reference", methods=["GET"])
@admins_only
def reference():
    categories = db.session.scalars(select(LocationCategory).order_by(LocationCategory.sort_order)).all()
    forms = {c.code: CategoryForm(obj=c, prefix=c.code) for c in categories}
    return render_template("admin/reference.html", categories=categories, forms=forms)


@bp.route("/categories/<code>/edit", methods=["POST"])
@admins_only
def edit_category(code: str):
    category = db.one_or_404(select(LocationCategory).where(LocationCategory.code == code))
    form = CategoryForm(prefix=code)
    if not form.validate_on_submit():
        flash(_("Not saved: %(reason)s", reason="; ".join(e for errors in form.errors.values() for e in errors)))
        return redirect(url_for("admin.reference"))
    known = set(db.session.scalars(select(PermitType.code)))
    codes = [c.strip() for c in (form.typical_permits.data or "").split(";") if c.strip()]
    unknown = [c for c in codes if c not in known]
    if unknown:
        flash(_("Not saved: unknown permit codes %(codes)s", codes=", ".join(unknown)))
        return redirect(url_for("admin.reference"))
    fields = ("name_ja", "name_en", "typical_permits")
    before = audit.snapshot(category, fields)
    category.name_ja, category.name_en = form.name_ja.data.strip(), form.name_en.data.strip()
    category.typical_permits = "; ".join(codes) or None
    changes = audit.diff(before, audit.snapshot(category, fields))
    if changes:
        audit.record("update", category, changes=changes)
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for("admin.reference"))
