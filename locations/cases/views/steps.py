"""A permit step's page: facts, reasons, documents and notes, and per role the status change, comments
and uploads. Registered on the producer blueprint (imported at the end of producer.py)."""
from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ...accounts.users import acting_authority_ids
from ...core import file_storage
from ...core.access import case_actors_only, producers_or_officers, signed_in
from ...core.clock import today_jst
from ...core.editing import conflict_page
from ...core.errors import parse_id
from ...core.extensions import db
from ...core.forms import choices
from ...core.roles import CASE_ACTORS
from .. import bp
from .. import documents as step_documents
from .. import workflow as cases
from ..documents import EXTENSIONS, DocumentError, save_document
from ..forms import CommentForm, DocumentForm, StatusForm
from ..labels import STEP_STATUS_LABELS as STATUS_LABELS
from ..models import PermitStep, StepDocument
from . import fetch, viewable_production


def visible_step(production_id: int, step_id: int) -> PermitStep:
    """The step if it belongs to the production and the user may see both, else 404."""
    production = viewable_production(production_id)
    step = fetch(PermitStep, step_id)
    if step is None or step.production_id != production.id or not cases.can_view_step(current_user, step):
        abort(404)
    return step


def may_change_status(step: PermitStep) -> bool:
    if current_user.role == "producer":
        return step.production.owner_id == current_user.id
    return current_user.role == "authority" and step.authority_id in acting_authority_ids(current_user)


def _status_form(step: PermitStep) -> StatusForm:
    form = StatusForm(prefix="status")
    targets = cases.allowed_targets(current_user.role, step.status) if may_change_status(step) else set()
    form.status.choices = choices((code, label) for code, label in STATUS_LABELS.items() if code in targets)
    return form


def _link(step: PermitStep) -> str:
    return url_for("cases.step", production_id=step.production_id, step_id=step.id)


def _page(step: PermitStep, status_form=None, comment_form=None, document_form=None, problems=(), code=200):
    status_form = status_form or _status_form(step)
    if not status_form.version.data:
        status_form.version.data = str(step.version)
    reasons = json.loads(step.reasons or "[]")
    return render_template(
        "cases/step.html", step=step, production=step.production, reasons=reasons, today=today_jst(),
        cases=cases, status_labels=STATUS_LABELS, status_form=status_form if status_form.status.choices else None,
        comment_form=(comment_form or CommentForm(prefix="comment")) if current_user.role in CASE_ACTORS else None,
        document_form=(document_form or DocumentForm(prefix="doc")) if current_user.role in CASE_ACTORS else None,
        problems=problems, extensions=EXTENSIONS), code


@bp.route("/productions/<id:production_id>/steps/<id:step_id>")
@signed_in
def step(production_id: int, step_id: int):
    return _page(visible_step(production_id, step_id))


@bp.route("/productions/<id:production_id>/steps/<id:step_id>/status", methods=["POST"])
@producers_or_officers
def step_status(production_id: int, step_id: int):
    step = visible_step(production_id, step_id)
    if not may_change_status(step):
        abort(403)
    form = _status_form(step)
    # Before validating: the status choices follow the step's current status, so a change made from a
    # stale page would otherwise be refused as "not a valid choice" instead of being shown as a conflict.
    sent_version = parse_id(form.version.data)
    if sent_version is not None and sent_version != step.version:
        return _status_conflict(step, str(form.status.data or ""))
    if not form.validate_on_submit():
        return _page(step, status_form=form, code=400)
    wanted, current = form.status.data, step.status
    try:
        problems = cases.change_status(step, current_user, wanted, form.note.data, form.conditions.data,
                                       _link(step))
        if problems:
            return _page(step, status_form=form, problems=[_(p) for p in problems], code=400)
        db.session.flush()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _status_conflict(step, wanted)
    flash(_("Status changed from %(old)s to %(new)s.", old=STATUS_LABELS[current], new=STATUS_LABELS[wanted]))
    return redirect(_link(step))


def _status_conflict(step: PermitStep, wanted: str):
    db.session.rollback()
    db.session.refresh(step)
    return conflict_page([(_("Status"), STATUS_LABELS.get(step.status, step.status),
                           STATUS_LABELS.get(wanted, wanted))], _link(step))


@bp.route("/productions/<id:production_id>/steps/<id:step_id>/comments", methods=["POST"])
@case_actors_only
def step_comment(production_id: int, step_id: int):
    step = visible_step(production_id, step_id)
    form = CommentForm(prefix="comment")
    if not form.validate_on_submit():
        return _page(step, comment_form=form, code=400)
    cases.add_comment(step, current_user, form.body.data, _link(step))
    db.session.commit()
    flash(_("Comment added."))
    return redirect(_link(step) + "#notes")


@bp.route("/productions/<id:production_id>/steps/<id:step_id>/documents", methods=["POST"])
@case_actors_only
def step_upload(production_id: int, step_id: int):
    step = visible_step(production_id, step_id)
    form = DocumentForm(prefix="doc")
    if not form.validate_on_submit():
        return _page(step, document_form=form, code=400)
    upload = form.file.data
    try:
        document = save_document(step, upload.stream, upload.filename or "", current_user)
    except DocumentError as error:
        db.session.rollback()
        form.file.errors.append(_(str(error)))
        return _page(step, document_form=form, code=400)
    cases.note_document(step, document, current_user, _link(step))
    db.session.commit()
    flash(_("Document added."))
    return redirect(_link(step) + "#documents")


@bp.route("/productions/<id:production_id>/steps/<id:step_id>/documents/<id:document_id>")
@signed_in
def step_document(production_id: int, step_id: int, document_id: int):
    step = visible_step(production_id, step_id)
    document = fetch(StepDocument, document_id)
    if document is None or document.step_id != step.id:
        abort(404)
    response = file_storage.send(step_documents.document_key(document), as_attachment=True,
                                 download_name=step_documents.display_name(document.original_name),
                                 mimetype=document.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # Should a browser render it anyway, it runs no script and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
