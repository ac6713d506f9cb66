"""The block know-how board: FC staff read and write their block's board; admins read any block's."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ...core import audit
from ...core.access import fc_staff_only, fc_staff_or_admins
from ...core.editing import Conflict, conflict_page
from ...core.extensions import db
from ...core.forms import choices
from ...core.i18n import localized
from ...directory.models import RegionalBlock
from .. import board as knowhow
from .. import board_bp as bp
from ..forms import KnowhowForm
from ..models import KnowhowNote


def _board_block() -> RegionalBlock:
    """FC staff: their own block, always. Admins: ``?block=<code>`` or the first block."""
    if current_user.role == "admin":
        code = request.args.get("block")
        query = select(RegionalBlock).order_by(RegionalBlock.sort_order)
        block = db.session.scalar(query.where(RegionalBlock.code == code) if code else query.limit(1))
        if block is None:
            abort(404)
        return block
    block = knowhow.block_of(current_user)
    if block is None:
        abort(403)
    return block


def _visible_note(note_id: int) -> KnowhowNote:
    note = db.session.get(KnowhowNote, note_id)
    if note is None:
        abort(404)
    if current_user.role != "admin" and not knowhow.is_on_board(note, _board_block()):
        audit.record("denied", note, entity_type="knowhow_note", detail=f"{request.method} {request.path}"[:500])
        db.session.commit()
        abort(404)
    return note


def _own_note(note_id: int) -> KnowhowNote:
    """Only the author edits or deletes a note; anyone else's note answers 404."""
    note = _visible_note(note_id)
    if note.author_id != current_user.id:
        abort(404)
    return note


@bp.route("/commission/board", endpoint="index")
@fc_staff_or_admins
def board():
    block = _board_block()
    filters = knowhow.BoardFilter(text=request.args.get("q", "").strip()[:200],
                                  permit_type=request.args.get("permit_type") or None,
                                  prefecture=request.args.get("prefecture") or None)
    permit_types, prefectures = knowhow.tag_choices(block)
    permit_types = sorted(permit_types, key=lambda p: localized(p, "name"))
    blocks = db.session.scalars(select(RegionalBlock).order_by(RegionalBlock.sort_order)).all() \
        if current_user.role == "admin" else []
    return render_template("board/index.html", block=block, notes=knowhow.board_notes(block, filters),
                           filters=filters, permit_types=permit_types, prefectures=prefectures, blocks=blocks)


@bp.route("/commission/board/<id:note_id>", endpoint="note")
@fc_staff_or_admins
def note(note_id: int):
    note = _visible_note(note_id)
    return render_template("board/note.html", note=note, own=note.author_id == current_user.id)


def _note_form(block: RegionalBlock, note: KnowhowNote | None) -> KnowhowForm:
    form = KnowhowForm(obj=note)
    permit_types, prefectures = knowhow.tag_choices(block)
    permit_types = sorted(permit_types, key=lambda p: localized(p, "name"))
    form.permit_types.choices = choices((p.code, localized(p, "name")) for p in permit_types)
    form.prefectures.choices = choices((p.code, localized(p, "name")) for p in prefectures)
    if request.method == "GET":
        form.version.data = str(note.version) if note else "0"
        if note is not None:
            form.permit_types.data = [p.code for p in note.permit_types]
            form.prefectures.data = [p.code for p in note.prefectures]
    return form


def _values(form: KnowhowForm) -> dict:
    return {"title": form.title.data.strip(), "body": form.body.data.strip(),
            "shared_with_all_blocks": form.shared_with_all_blocks.data,
            "permit_types": form.permit_types.data or [], "prefectures": form.prefectures.data or []}


@bp.route("/commission/board/new", methods=["GET", "POST"], endpoint="new_note")
@fc_staff_only
def new_note():
    block = _board_block()
    form = _note_form(block, None)
    if form.validate_on_submit():
        note = KnowhowNote(block_id=block.id, author_id=current_user.id, commission_id=current_user.commission_id)
        knowhow.save_note(note, _values(form), None, current_user)
        db.session.commit()
        flash(_("Note posted."))
        return redirect(url_for("board.note", note_id=note.id))
    return render_template("board/form.html", form=form, note=None, block=block), (400 if form.errors else 200)


@bp.route("/commission/board/<id:note_id>/edit", methods=["GET", "POST"], endpoint="edit_note")
@fc_staff_only
def edit_note(note_id: int):
    note = _own_note(note_id)
    form = _note_form(note.block, note)
    if form.validate_on_submit():
        values = _values(form)
        try:
            knowhow.save_note(note, values, int(form.version.data), current_user)
            db.session.commit()
        except (Conflict, StaleDataError):
            db.session.rollback()
            return _conflict(note, form, values)
        flash(_("Saved."))
        return redirect(url_for("board.note", note_id=note.id))
    return render_template("board/form.html", form=form, note=note, block=note.block), (400 if form.errors else 200)


def _conflict(note: KnowhowNote, form: KnowhowForm, values: dict):
    """409: the saved note next to the submitted one, field by field."""
    db.session.refresh(note)
    saved = knowhow.snapshot(note)
    return conflict_page([(form[name].label.text, saved[name], values[name]) for name in knowhow.NOTE_FIELDS],
                         url_for("board.edit_note", note_id=note.id))


@bp.route("/commission/board/<id:note_id>/delete", methods=["POST"], endpoint="delete_note")
@fc_staff_only
def delete_note(note_id: int):
    note = _own_note(note_id)
    knowhow.delete_note(note, current_user)
    db.session.commit()
    flash(_("Note deleted."))
    return redirect(url_for("board.index"))
