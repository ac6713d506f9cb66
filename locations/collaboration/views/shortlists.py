"""Shortlists: the owner's pages (list, edit, notes, sharing, printable sheet), the read-only shared sheet,
adding a location from its page, and FC staff sending a shortlist as a reply to an inquiry."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...core import maps
from ...core.access import fc_staff_only, roles_required
from ...core.clock import today_jst
from ...core.errors import parse_id
from ...core.extensions import db
from ...core.forms import ActionForm
from ...library.models import Location
from .. import inquiries, shortlists
from .. import shortlists_bp as bp
from ..models import Inquiry, Shortlist, ShortlistItem

keepers_only = roles_required(*shortlists.KEEPERS)


def _posted() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _own(shortlist_id: int | None) -> Shortlist:
    """The signed-in user's shortlist, else 404 (another user's list is not theirs to see)."""
    shortlist = db.session.get(Shortlist, shortlist_id) if shortlist_id else None
    if shortlist is None or shortlist.owner_id != current_user.id:
        abort(404)
    return shortlist


def _item(shortlist: Shortlist, item_id: int) -> ShortlistItem:
    item = db.session.get(ShortlistItem, item_id)
    if item is None or item.shortlist_id != shortlist.id:
        abort(404)
    return item


def _shared_url(shortlist: Shortlist) -> str | None:
    if not shortlist.share_token:
        return None
    return url_for("shortlists.shared", token=shortlist.share_token, _external=True)


@bp.route("/shortlists")
@keepers_only
def index():
    return render_template("shortlists/index.html", rows=shortlists.shortlists_of(current_user))


@bp.route("/shortlists", methods=["POST"])
@keepers_only
def create():
    _posted()
    try:
        shortlist = shortlists.create(current_user, request.form.get("name", ""))
    except shortlists.ShortlistError as error:
        return render_template(
            "shortlists/index.html",
            rows=shortlists.shortlists_of(current_user),
            error=str(error),
            name=request.form.get("name", ""),
        ), 400
    db.session.commit()
    return redirect(url_for("shortlists.edit", shortlist_id=shortlist.id))


def _held_inquiries() -> list[Inquiry]:
    if current_user.role != "fc_staff" or current_user.commission_id is None:
        return []
    return list(db.session.scalars(inquiries.inquiries_for(current_user.commission_id, None).limit(200)))


@bp.route("/shortlists/<id:shortlist_id>")
@keepers_only
def edit(shortlist_id: int):
    shortlist = _own(shortlist_id)
    return render_template(
        "shortlists/edit.html", shortlist=shortlist, shared_url=_shared_url(shortlist), held=_held_inquiries()
    )


@bp.route("/shortlists/<id:shortlist_id>/rename", methods=["POST"])
@keepers_only
def rename(shortlist_id: int):
    _posted()
    shortlist = _own(shortlist_id)
    try:
        shortlists.rename(shortlist, request.form.get("name", ""), current_user)
    except shortlists.ShortlistError as error:
        flash(str(error))
        return redirect(url_for("shortlists.edit", shortlist_id=shortlist.id))
    db.session.commit()
    return redirect(url_for("shortlists.edit", shortlist_id=shortlist.id))


@bp.route("/shortlists/add", methods=["POST"])
@keepers_only
def add():
    """From a location's page: onto a chosen list, or a new one named in the form."""
    _posted()
    location = db.session.scalar(select(Location).where(Location.slug == request.form.get("location", "")))
    if location is None or location.status != "published":
        abort(404)
    chosen = request.form.get("shortlist", "")
    try:
        if chosen == "new":
            shortlist = shortlists.create(current_user, request.form.get("name", ""))
        else:
            shortlist = _own(parse_id(chosen))
        shortlists.add_location(shortlist, location, request.form.get("note"), current_user)
    except shortlists.ShortlistError as error:
        flash(str(error))
        return redirect(url_for("library.location", slug=location.slug))
    db.session.commit()
    flash(_("Added to “%(name)s”.", name=shortlist.name))
    return redirect(url_for("library.location", slug=location.slug))


@bp.route("/shortlists/<id:shortlist_id>/items/<id:item_id>", methods=["POST"])
@keepers_only
def update_item(shortlist_id: int, item_id: int):
    _posted()
    shortlist = _own(shortlist_id)
    item = _item(shortlist, item_id)
    if request.form.get("remove"):
        shortlists.remove_item(item, current_user)
    else:
        shortlists.set_note(item, request.form.get("note"))
    db.session.commit()
    return redirect(url_for("shortlists.edit", shortlist_id=shortlist.id, _anchor="items"))


@bp.route("/shortlists/<id:shortlist_id>/share", methods=["POST"])
@keepers_only
def share(shortlist_id: int):
    _posted()
    shortlist = _own(shortlist_id)
    if request.form.get("revoke"):
        shortlists.revoke(shortlist, current_user)
        flash(_("The share link was turned off; it no longer works."))
    else:
        shortlists.share(shortlist, current_user)
        flash(_("A new read-only link was made; any older link no longer works."))
    db.session.commit()
    return redirect(url_for("shortlists.edit", shortlist_id=shortlist.id, _anchor="sharing"))


@bp.route("/shortlists/<id:shortlist_id>/delete", methods=["POST"])
@keepers_only
def delete(shortlist_id: int):
    _posted()
    shortlist = _own(shortlist_id)
    db.session.delete(shortlist)
    db.session.commit()
    flash(_("Shortlist deleted."))
    return redirect(url_for("shortlists.index"))


def _sheet(shortlist: Shortlist, shared: bool):
    items = shortlists.visible_items(shortlist)
    pins = [
        maps.MapPin(i.location.lat, i.location.lon, (f"{n}. {i.location.name_en or i.location.name_ja}",))
        for n, i in enumerate(items, 1)
    ]
    fmap = maps.build_production_map(pins, [], [])
    return render_template(
        "shortlists/sheet.html", shortlist=shortlist, items=items, fmap=fmap, shared=shared, today=today_jst()
    )


@bp.route("/shortlists/<id:shortlist_id>/sheet")
@keepers_only
def sheet(shortlist_id: int):
    return _sheet(_own(shortlist_id), shared=False)


@bp.route("/s/<token>")
def shared(token: str):
    """The read-only sheet for whoever has the link; a revoked or unknown token is a 404."""
    shortlist = shortlists.by_token(token)
    if shortlist is None:
        abort(404)
    response = make_response(_sheet(shortlist, shared=True))
    # The link is a secret that can be revoked: no cache may keep a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/shortlists/<id:shortlist_id>/send", methods=["POST"])
@fc_staff_only
def send(shortlist_id: int):
    """Answer an inquiry the staff member's FC holds with this shortlist."""
    _posted()
    shortlist = _own(shortlist_id)
    inquiry_id = parse_id(request.form.get("inquiry", ""))
    inquiry = db.session.get(Inquiry, inquiry_id) if inquiry_id else None
    if inquiry is None or inquiries.access(current_user, inquiry) != inquiries.WRITE:
        abort(404)
    if not shortlist.share_token:
        shortlists.share(shortlist, current_user)
    try:
        shortlists.send_as_reply(
            shortlist,
            inquiry,
            current_user,
            _shared_url(shortlist),
            url_for("inquiries.fc_inquiry", inquiry_id=inquiry.id),
            url_for("inquiries.my_inquiry", inquiry_id=inquiry.id),
        )
    except shortlists.ShortlistError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("shortlists.edit", shortlist_id=shortlist.id))
    db.session.commit()
    flash(_("The shortlist was sent as a reply."))
    return redirect(url_for("inquiries.fc_inquiry", inquiry_id=inquiry.id) + "#messages")
