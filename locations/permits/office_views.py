"""The authority edit page: admins reach it for every office from the admin list, an officer for the offices
they act for (their own, and its unconfirmed candidate stations) from the authority portal; another office
answers 404 and the attempt is logged."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..core import audit
from ..core.access import officers_or_admins
from ..core.editing import Conflict, conflict_page
from ..core.extensions import db
from ..core.forms import choices
from ..core.i18n import localized_value
from . import bp, offices
from .forms import JURISDICTION_LABELS, AuthorityForm
from .models import PermitAuthority


def _may_edit(authority: PermitAuthority) -> bool:
    return current_user.role == "admin" or authority.id in offices.acting_authority_ids(current_user.authority_id)


def _office_label(office: PermitAuthority) -> str:
    label = localized_value(office.name_ja, office.name_en)
    return f"{label} ({_('unconfirmed')})" if office.is_candidate else label


def _form(authority: PermitAuthority, groups, parents) -> AuthorityForm:
    form = AuthorityForm()
    form.served.choices = choices((str(m.id), m.code) for _, towns in groups for m in towns)
    form.parent.choices = choices([("", "—")] + [(str(a.id), _office_label(a)) for a in parents])
    if request.method == "GET":
        form.jurisdiction.data = authority.jurisdiction or "unknown"
        form.served.data = [str(m.id) for m in authority.served]
        form.parent.data = str(authority.parent_id) if authority.parent_id else ""
        form.takes_applications.data = bool(authority.takes_applications)
        form.confirmed.data = not authority.is_candidate
        for name in ("address", "phone", "email", "website", "contact_note"):
            getattr(form, name).data = getattr(authority, name)
        form.version.data = str(authority.version)
    return form


def _shown(values: dict, names: dict[str, str]) -> dict:
    """Stored or submitted values as people recognise them: municipality and office names, not codes."""
    return {**values, "served": [names.get(c, c) for c in values["served"]],
            "parent": names.get(values["parent"], values["parent"]),
            "jurisdiction": str(JURISDICTION_LABELS.get(values["jurisdiction"], values["jurisdiction"]))}


@bp.route("/authorities/<id:authority_id>/edit", methods=["GET", "POST"])
@officers_or_admins
def edit_authority(authority_id: int):
    authority = db.get_or_404(PermitAuthority, authority_id)
    if not _may_edit(authority):
        audit.record("denied", authority, detail=f"{request.method} {request.path}"[:500])
        db.session.commit()
        abort(404)
    groups = offices.municipality_groups(authority)
    parents = offices.parent_options(authority)
    form = _form(authority, groups, parents)
    if form.validate_on_submit():
        towns = {str(m.id): m for _, group in groups for m in group}
        by_id = {str(a.id): a for a in parents}
        values = {
            "jurisdiction": form.jurisdiction.data, "served": [towns[i] for i in form.served.data],
            "parent": by_id.get(form.parent.data), "takes_applications": form.takes_applications.data,
            "confirmed": form.confirmed.data,
            **{n: (getattr(form, n).data or "").strip() or None
               for n in ("address", "phone", "email", "website", "contact_note")},
        }
        submitted = {**values, "served": sorted(m.code for m in values["served"]),
                     "parent": values["parent"].code if values["parent"] else None}
        try:
            changes = offices.save_authority(authority, values, int(form.version.data))
            db.session.commit()
        except (Conflict, StaleDataError):
            db.session.rollback()
            names = {m.code: localized_value(m.name_ja, m.name_romaji) for _, group in groups for m in group}
            names.update({a.code: _office_label(a) for a in parents})
            saved, yours = _shown(offices.stored(authority), names), _shown(submitted, names)
            rows = [(getattr(form, n).label.text, saved[n], yours[n]) for n in offices.FIELDS]
            return conflict_page(rows, url_for("permits.edit_authority", authority_id=authority_id))
        if not _may_edit(authority):  # an officer who confirmed a candidate station hands it to its own officers
            flash(_("Saved. The office is confirmed now: its own officers keep its record up to date."))
            return redirect(url_for("cases.authority_queue"))
        flash(_("Saved. The planner routes with the change from now on.") if changes else _("Nothing changed."))
        return redirect(url_for("permits.edit_authority", authority_id=authority_id))
    selected = set(form.served.data or [])
    return render_template("permits/authority_form.html", authority=authority, form=form, groups=groups,
                           selected=selected), (400 if form.errors else 200)
