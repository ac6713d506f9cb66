"""The owner or manager contact of a location: edited by the owning FC's staff, shared per field."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.access import fc_staff_only
from ...core.extensions import db
from .. import bp, contacts
from ..forms import ContactForm
from ..models import CONTACT_FIELDS
from .workspace import own_location


@bp.route("/commission/locations/<slug>/contact", methods=["GET", "POST"])
@fc_staff_only
def edit_contact(slug: str):
    location = own_location(slug)
    contact = contacts.contact_of(location)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in CONTACT_FIELDS}
        values.update({f"share_{name}": getattr(form, f"share_{name}").data for name in CONTACT_FIELDS})
        contacts.save_contact(location, values, current_user._get_current_object())
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("library.edit_contact", slug=slug))
    return render_template("library/contact_form.html", form=form, location=location, fields=CONTACT_FIELDS), (
        400 if form.errors else 200
    )
