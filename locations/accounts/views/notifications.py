"""Each signed-in user's notifications: the list, marking all read, and opening one."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, update

from ...core.access import signed_in
from ...core.clock import now
from ...core.extensions import db
from ...core.forms import ActionForm
from ...core.i18n import current_language
from ...core.security import safe_next
from .. import bp
from ..models import Notification
from ..notifications import message, message_items

PAGE_SIZE = 50


@bp.route("/notifications")
@signed_in
def notifications():
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    rows = db.session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())
                              .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    lang = current_language()
    items = [(note, message(note.kind, note.params, lang), message_items(note.kind, note.params, lang))
             for note in rows[:PAGE_SIZE]]
    return render_template("accounts/notifications.html", items=items, page=page, has_more=len(rows) > PAGE_SIZE,
                           action=ActionForm())


@bp.route("/notifications/read-all", methods=["POST"])
@signed_in
def read_all_notifications():
    if not ActionForm().validate_on_submit():
        abort(400)
    db.session.execute(update(Notification)
                       .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
                       .values(read_at=now()))
    db.session.commit()
    return redirect(url_for("accounts.notifications"))


@bp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@signed_in
def read_notification(notification_id: int):
    """Mark one read and open its page; another user's notification is a 404."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if note.read_at is None:
        note.read_at = now()
    db.session.commit()
    # Links are stored app-relative; anything else (a bad row) falls back to the list.
    return redirect(safe_next(note.link) or url_for("accounts.notifications"))
