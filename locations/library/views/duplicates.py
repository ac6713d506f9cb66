"""The FC workspace's duplicate finder: likely duplicates side by side, and merging one into the other."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...core.access import fc_staff_only
from ...core.extensions import db
from ...core.forms import ActionForm
from ...directory.access import own_commission
from .. import bp, duplicates
from ..models import Location


@bp.route("/commission/duplicates")
@fc_staff_only
def workspace_duplicates():
    fc = own_commission()
    pairs = duplicates.find_duplicates(fc.id)
    return render_template("library/duplicates.html", fc=fc, pairs=pairs, form=ActionForm(),
                           radius=int(duplicates.RADIUS_M))


@bp.route("/commission/duplicates/merge", methods=["POST"])
@fc_staff_only
def merge_duplicates():
    fc = own_commission()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        keep_id, drop_id = int(request.form.get("keep", "")), int(request.form.get("drop", ""))
    except ValueError:
        abort(400)
    keep, drop = db.session.get(Location, keep_id), db.session.get(Location, drop_id)
    if keep is None or drop is None or fc.id not in (keep.commission_id,) or drop.commission_id != fc.id \
            or keep.id == drop.id:
        abort(404)
    name = drop.name_ja
    duplicates.merge(keep, drop)
    db.session.commit()
    flash(_("Merged “%(drop)s” into “%(keep)s”: its photos, links and history now belong to it.",
            drop=name, keep=keep.name_ja))
    return redirect(url_for("library.workspace_duplicates"))
