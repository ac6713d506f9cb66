"""The FC workspace's import: upload, recognised columns or a mapping step with a preview, then write.

The uploaded bytes wait in the file storage (core/file_storage.py: the instance folder, or the database when
several hosts serve the app) under a random token between the steps (a day at most), so the mapping step need
not upload the file again; the token is scoped to the commission.
"""
from __future__ import annotations

import os
import re
import secrets

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ...core import file_storage
from ...core.access import fc_staff_only
from ...core.extensions import db
from ...core.i18n import current_language
from ...directory.access import own_commission
from ...directory.models import Municipality
from .. import bp, importing, intake
from .. import mapping as mappings
from ..forms import ImportForm
from ..models import ImportMapping, LocationCategory
from ..progress import PROGRESS_DIR, ImportProgress, progress_path, read_progress
from .workspace import _record_import

STASH_DIR = "imports"
STASH_HOURS = 24
MAPPABLE = ("name_ja", "name_kana", "name_en", "address", "address_extra", "lat", "lon", "latlon", "geometry",
            "description_ja", "description_en", "access_ja", "parking_note", "tags", "category", "source_id")
TOKEN = re.compile(r"[0-9a-f]{32}")
MAX_CATEGORY_VALUES = 60


def _stash_key(fc_id: int, token: str) -> str:
    return f"{STASH_DIR}/{fc_id}-{token}"


def _stash(fc_id: int, data: bytes) -> str:
    """Keep the upload for the next steps (mapping, writing) in the file storage, so that any web host can
    take them; committed at once, since the next step needs it whatever this request does next."""
    file_storage.expire(STASH_DIR, STASH_HOURS)  # old uploads go when a new one comes
    token = secrets.token_hex(16)
    file_storage.keep(_stash_key(fc_id, token), data)
    db.session.commit()
    return token


def _unstash(fc_id: int, token: str) -> bytes:
    if not TOKEN.fullmatch(token or ""):
        abort(400, description=_("The uploaded file has expired; upload it again."))
    try:
        with file_storage.open_file(_stash_key(fc_id, token)) as handle:
            return handle.read()
    except FileNotFoundError:
        abort(400, description=_("The uploaded file has expired; upload it again."))


def _mapping_from_form(form) -> dict:
    columns = {name: form.get(f"map-{name}") for name in MAPPABLE if form.get(f"map-{name}")}
    defaults = {"category": form.get("default-category") or "", "source": (form.get("default-source") or "")[:300]}
    categories = {key[4:]: value for key, value in form.items() if key.startswith("cat-") and value}
    return {"name": "custom", "columns": columns, "defaults": defaults, "categories": categories}


def _category_values(plan, fc) -> list[str]:
    """Distinct values of the file's category column (for mapping them to ours), from the stashed file."""
    chosen = plan.chosen
    if chosen is None or "category" not in chosen.columns:
        return []
    header = chosen.columns["category"]
    values: dict[str, None] = {}
    for _line, cells in plan.table_rows:
        value = str(cells.get(header) or "").strip()
        if value:
            values[value] = None
        if len(values) >= MAX_CATEGORY_VALUES:
            break
    return list(values)


@bp.route("/commission/import", methods=["GET", "POST"])
@fc_staff_only
def import_locations():
    """Upload any supported file; recognised columns or a mapping give a checked plan with a preview;
    writing is a second step (or the same one without "check only")."""
    fc = own_commission()
    form = ImportForm()
    action = request.form.get("action")
    plan = token = filename = None
    spec: object = "auto"
    if request.method == "POST" and action in ("map", "apply", "problems", "remap"):
        # CSRFProtect has checked the token already (the upload field is empty on these steps).
        token, filename = request.form.get("token", ""), (request.form.get("filename") or "upload")[:200]
        data = _unstash(fc.id, token)
        if request.form.get("saved"):
            spec = request.form["saved"]
        elif action != "remap" and request.form.get("mapped") == "1":
            spec = _mapping_from_form(request.form)
        write = action == "apply"
    elif form.validate_on_submit():
        upload = form.file.data
        data, filename = upload.read(), (upload.filename or "upload")[:200]
        token = _stash(fc.id, data)
        write = not form.dry_run.data
    else:
        return render_template("library/import.html", form=form, plan=None, fc=fc), 400 if form.errors else 200
    progress = ImportProgress(progress_path(os.path.join(current_app.instance_path, PROGRESS_DIR), fc.id,
                                            request.form.get("progress_id", "")))
    plan = intake.plan_file(data, filename, fc, spec, progress=progress)
    if action == "problems":
        return Response(intake.problems_csv(plan), mimetype="text/csv", headers={
            "Content-Disposition": "attachment; filename=import-problems.csv"})
    if write and not plan.errors and plan.entries:
        if request.form.get("save_as") and plan.chosen is not None and plan.chosen.name not in ("own",):
            intake.save_mapping(fc, request.form["save_as"].strip()[:80], plan.chosen)
        result = importing.apply_plan(plan, fc, progress=progress.writing(len(plan.entries)))
        _record_import(result, "location", fc.id)
        db.session.commit()
        progress("done", len(plan.entries), len(plan.entries))
        flash(_("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged; %(skipped)d rows "
                "skipped.", created=result.created, updated=result.updated, unchanged=result.unchanged,
                skipped=len({e.line for e in plan.skipped})))
        return redirect(url_for("library.workspace_locations"))
    progress("done", plan.rows_read, plan.rows_read)
    return _render(form, plan, fc, token, filename, action)


@bp.route("/commission/import/progress/<progress_id>")
@fc_staff_only
def import_progress(progress_id: str):
    """The phase and counts of the import this page sent (reading, checking, placing, writing, done)."""
    fc = own_commission()
    path = progress_path(os.path.join(current_app.instance_path, PROGRESS_DIR), fc.id, progress_id)
    if path is None:
        return jsonify(phase=None, reason="progress_id: must be 32 hexadecimal digits"), 404
    found = read_progress(path)
    if found is None:  # not begun yet (the upload is still arriving), or not this commission's: no 404 in the console
        return jsonify(phase=None, done=0, total=0, label=_("Sending the file…"))
    labels = {"read": _("Reading the file…"), "check": _("Checking the rows…"),
              "place": _("Placing the rows on the map…"), "write": _("Writing the locations…"), "done": _("Done.")}
    return jsonify({**found, "label": labels[found["phase"]]})


def _render(form, plan, fc, token, filename, action):
    from ..readers import read_table

    plan.table_rows = read_table(_unstash(fc.id, token), filename).rows if plan.chosen is not None else []
    categories = db.session.scalars(select(LocationCategory).order_by(LocationCategory.sort_order)).all()
    saved = db.session.scalars(select(ImportMapping.name).where(ImportMapping.commission_id == fc.id)
                               .order_by(ImportMapping.name)).all()
    by_line = {e.line: e for e in plan.entries}
    reasons: dict[int, list[str]] = {}
    for problem in plan.problems:
        reasons.setdefault(problem.line, []).append(f"{problem.field}: {problem.reason}")
    towns = dict(db.session.execute(select(Municipality.id, Municipality.name_ja).where(Municipality.id.in_(
        {e.spot.municipality_id for e in by_line.values() if e.spot and e.spot.municipality_id}))).all())
    show_mapping = action == "remap" or plan.mapping not in ("own",) and (
        plan.chosen is None or action in ("map", "remap") or plan.mapping == "custom")
    status = 400 if plan.errors and plan.chosen is not None else 200
    return render_template(
        "library/import.html", form=form, plan=plan, fc=fc, token=token, filename=filename,
        mappable=MAPPABLE, chosen=plan.chosen or mappings.Mapping("custom"), categories=categories, saved=saved,
        category_values=_category_values(plan, fc), by_line=by_line, reasons=reasons, towns=towns,
        show_mapping=show_mapping or plan.chosen is None, field_labels=field_labels(),
        preset_names=set(mappings.presets()), lang=current_language()), status


def field_labels() -> dict[str, str]:
    return {
        "name_ja": _("Name (Japanese)"), "name_kana": _("Name in kana"), "name_en": _("Name (English)"),
        "address": _("Address"), "address_extra": _("Building or floor"), "lat": _("Latitude"),
        "lon": _("Longitude"), "latlon": _("Latitude, longitude in one column"),
        "geometry": _("GeoJSON geometry column"), "description_ja": _("Description (Japanese)"),
        "description_en": _("Description (English)"), "access_ja": _("Access (Japanese)"),
        "parking_note": _("Parking"), "tags": _("Tags"), "category": _("Category column"),
        "source_id": _("The source's own ID"),
    }
