"""Inquiries: anyone asks an FC for help (public), producers follow their own, FC staff handle, refer
and copy them within the block or nationwide (admins read everything)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from ...accounts.access import verified_email_required
from ...accounts.models import User
from ...core import audit
from ...core.access import fc_staff_only, fc_staff_or_admins, producers_only
from ...core.editing import Conflict, conflict_page
from ...core.errors import parse_id
from ...core.extensions import db
from ...core.i18n import localized
from ...core.security import limiter, rate_limits_off, user_key
from ...directory.models import FilmCommission
from .. import inquiries
from .. import inquiries_bp as bp
from ..forms import AskForm, FcMessageForm, HandlingForm, ProducerMessageForm, ProposeForm, ReferForm
from ..models import INQUIRY_STATUSES, Inquiry

ASK_FIELDS = ("contact_name", "contact_email", "contact_phone", "organisation", "subject", "body", "where_text",
              "date_from", "date_to")



def _fc_link(inquiry: Inquiry) -> str:
    return url_for("inquiries.fc_inquiry", inquiry_id=inquiry.id)


def _producer_link(inquiry: Inquiry) -> str:
    return url_for("inquiries.my_inquiry", inquiry_id=inquiry.id)


def _ask_limit() -> str:
    return current_app.config["INQUIRY_RATE_LIMIT"]


def _ask_user_limit() -> str:
    return current_app.config["INQUIRY_USER_RATE_LIMIT"]


def _anonymous_limit_exempt() -> bool:
    # Signed-in users are counted per account instead (below), wherever they connect from.
    return rate_limits_off() or current_user.is_authenticated


def _user_limit_exempt() -> bool:
    return rate_limits_off() or not current_user.is_authenticated


def _signed_in_producer():
    return current_user if current_user.is_authenticated and current_user.role == "producer" else None


@bp.route("/commissions/<slug>/ask", methods=["GET", "POST"], endpoint="ask")
@limiter.limit(_ask_limit, methods=["POST"], exempt_when=_anonymous_limit_exempt)
@limiter.limit(_ask_user_limit, methods=["POST"], key_func=user_key, exempt_when=_user_limit_exempt)
@verified_email_required
def ask_commission(slug: str):
    fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == slug))
    if fc is None:
        abort(404)
    asker = _signed_in_producer()
    form = AskForm()
    if request.method == "GET":
        if asker is not None:
            form.contact_name.data, form.contact_email.data = asker.display_name, asker.email
        form.locations.data = request.args.get("location", "")[:120]
    if form.validate_on_submit():
        locations, unknown = inquiries.published_locations(inquiries.parse_location_slugs(form.locations.data))
        if unknown:
            form.locations.errors.append(_("These are not published locations: %(slugs)s", slugs=", ".join(unknown)))
        else:
            values = {name: getattr(form, name).data for name in ASK_FIELDS}
            for name in ASK_FIELDS:
                if isinstance(values[name], str):
                    values[name] = values[name].strip() or None
            values["contact_email"] = values["contact_email"].lower()
            inquiry = inquiries.create_inquiry(fc, values, asker, locations, _fc_link)
            db.session.commit()
            flash(_("Your inquiry was sent to %(name)s.", name=localized(fc, "name")))
            if asker is not None:
                return redirect(url_for("inquiries.my_inquiry", inquiry_id=inquiry.id))
            return redirect(url_for("directory.commission", slug=fc.slug))
    interested, _unknown = inquiries.published_locations(inquiries.parse_location_slugs(form.locations.data or ""))
    return render_template("inquiries/ask.html", fc=fc, form=form, asker=asker, interested=interested), (
        400 if form.errors else 200)


# Producers: their own inquiries only.

def _own_inquiry(inquiry_id: int) -> Inquiry:
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None or inquiry.producer_id != current_user.id:
        abort(404)
    return inquiry


@bp.route("/inquiries/", endpoint="mine")
@producers_only
def my_inquiries():
    rows = db.session.scalars(inquiries.own_inquiries_of(current_user)).all()
    return render_template("inquiries/producer_list.html", rows=rows, labels=inquiries.STATUS_LABELS)


def _render_own(inquiry: Inquiry, form: ProducerMessageForm | None = None, status: int = 200):
    return render_template("inquiries/producer_detail.html", inquiry=inquiry, labels=inquiries.STATUS_LABELS,
                           messages=inquiries.visible_messages(inquiry, for_producer=True),
                           form=form or ProducerMessageForm()), status


@bp.route("/inquiries/<id:inquiry_id>", endpoint="my_inquiry")
@producers_only
def my_inquiry(inquiry_id: int):
    return _render_own(_own_inquiry(inquiry_id))


@bp.route("/inquiries/<id:inquiry_id>/messages", methods=["POST"], endpoint="my_message")
@producers_only
def my_inquiry_message(inquiry_id: int):
    inquiry = _own_inquiry(inquiry_id)
    form = ProducerMessageForm()
    if not form.validate_on_submit():
        return _render_own(inquiry, form, 400)
    inquiries.add_producer_message(inquiry, current_user, form.body.data.strip(), _fc_link(inquiry))
    db.session.commit()
    flash(_("Your message was sent."))
    return redirect(url_for("inquiries.my_inquiry", inquiry_id=inquiry.id) + "#messages")


# Film commissions (admins read).

@bp.route("/commission/inquiries", endpoint="fc_inquiries")
@fc_staff_or_admins
def fc_inquiries():
    status = request.args.get("status") or None
    if status not in (None, *INQUIRY_STATUSES):
        abort(400, description=_("Unknown status."))
    referred_away = request.args.get("scope") == "referred"
    commission_id = None if current_user.role == "admin" else current_user.commission_id
    if current_user.role == "fc_staff" and commission_id is None:
        abort(403)
    rows = db.session.scalars(inquiries.inquiries_for(commission_id, status, referred_away).limit(200)).all()
    return render_template("inquiries/fc_list.html", rows=rows, status=status, referred_away=referred_away,
                           labels=inquiries.STATUS_LABELS, statuses=INQUIRY_STATUSES)


def _fc_inquiry(inquiry_id: int, write: bool = False) -> tuple[Inquiry, str]:
    """The inquiry and the user's access level; 404 if they may not see it, 403 if they may only read it."""
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None:
        abort(404)
    level = inquiries.access(current_user, inquiry)
    if level is None:
        audit.record("denied", inquiry, entity_type="inquiry", detail=f"{request.method} {request.path}"[:500])
        db.session.commit()
        abort(404)
    if write and level != inquiries.WRITE:
        abort(403)
    return inquiry, level


def _handling_form(inquiry: Inquiry, form: HandlingForm | None = None) -> HandlingForm:
    form = form or HandlingForm(formdata=None, status=inquiry.status,
                                assigned_to=str(inquiry.assigned_to_id or ""), version=str(inquiry.version))
    form.assigned_to.choices = [SelectChoice("", _("nobody"))] + [
        SelectChoice(str(u.id), f"{u.display_name} ({localized(u.commission, 'name')})")
        for u in inquiries.assignable_staff(inquiry)]
    return form


def _refer_form(form: ReferForm | None = None) -> ReferForm:
    form = form or ReferForm(formdata=None)
    fc = current_user.commission
    if fc is not None:
        same, others = inquiries.referral_targets(fc)
        label = lambda c: f"{localized(c, 'name')} · {localized(c.prefecture, 'name')}"  # noqa: E731
        same_group = _("%(block)s (same block)", block=localized(fc.prefecture.block, "name"))
        nationwide = _("Nationwide (multi-region shoots)")
        form.to_commission.choices = [SelectChoice(c.slug, label(c), optgroup=same_group) for c in same] + [
            SelectChoice(c.slug, label(c), optgroup=nationwide) for c in others]
    return form


def _render_fc(inquiry: Inquiry, level: str, status: int = 200, **forms):
    write = level == inquiries.WRITE
    return render_template(
        "inquiries/fc_detail.html", inquiry=inquiry, write=write, labels=inquiries.STATUS_LABELS,
        mode_labels=inquiries.MODE_LABELS, copied=inquiries.copied_to(inquiry),
        handling=_handling_form(inquiry, forms.get("handling")) if write else None,
        message_form=forms.get("message") or FcMessageForm(formdata=None),
        propose_form=forms.get("propose") or ProposeForm(formdata=None),
        refer_form=_refer_form(forms.get("refer")) if write else None,
    ), status


@bp.route("/commission/inquiries/<id:inquiry_id>", endpoint="fc_inquiry")
@fc_staff_or_admins
def fc_inquiry(inquiry_id: int):
    return _render_fc(*_fc_inquiry(inquiry_id))


@bp.route("/commission/inquiries/<id:inquiry_id>/handling", methods=["POST"], endpoint="handling")
@fc_staff_only
def inquiry_handling(inquiry_id: int):
    inquiry, level = _fc_inquiry(inquiry_id, write=True)
    form = _handling_form(inquiry, HandlingForm())
    if not form.validate_on_submit():
        return _render_fc(inquiry, level, 400, handling=form)
    assignee_id = parse_id(form.assigned_to.data)
    assignee = db.session.get(User, assignee_id) if assignee_id is not None else None
    if form.assigned_to.data and assignee is None:
        form.assigned_to.errors.append(_("Not a valid choice."))
        return _render_fc(inquiry, level, 400, handling=form)
    try:
        inquiries.update_handling(inquiry, form.status.data, assignee, int(form.version.data), current_user,
                                  _producer_link(inquiry))
        db.session.commit()
    except inquiries.InquiryError as error:
        db.session.rollback()
        form.assigned_to.errors.append(str(error))
        return _render_fc(inquiry, level, 400, handling=form)
    except (Conflict, StaleDataError):
        db.session.rollback()
        return _conflict(inquiry, form, assignee)
    flash(_("Saved."))
    return redirect(url_for("inquiries.fc_inquiry", inquiry_id=inquiry.id))


def _conflict(inquiry: Inquiry, form: HandlingForm, assignee):
    """409: the saved status and assignee next to the submitted ones."""
    db.session.refresh(inquiry)
    labels = inquiries.STATUS_LABELS
    return conflict_page([
        (form.status.label.text, labels[inquiry.status], labels.get(form.status.data, form.status.data)),
        (form.assigned_to.label.text, inquiry.assigned_to.display_name if inquiry.assigned_to else None,
         assignee.display_name if assignee else None),
    ], url_for("inquiries.fc_inquiry", inquiry_id=inquiry.id))


@bp.route("/commission/inquiries/<id:inquiry_id>/messages", methods=["POST"], endpoint="fc_message")
@fc_staff_only
def fc_inquiry_message(inquiry_id: int):
    inquiry, level = _fc_inquiry(inquiry_id, write=True)
    form = FcMessageForm()
    if not form.validate_on_submit():
        return _render_fc(inquiry, level, 400, message=form)
    internal = not form.send_reply.data
    inquiries.add_fc_message(inquiry, current_user, form.body.data.strip(), internal, _fc_link(inquiry),
                             _producer_link(inquiry))
    db.session.commit()
    flash(_("Internal note added.") if internal else _("Reply sent."))
    return redirect(url_for("inquiries.fc_inquiry", inquiry_id=inquiry.id) + "#messages")


@bp.route("/commission/inquiries/<id:inquiry_id>/locations", methods=["POST"], endpoint="propose")
@fc_staff_only
def inquiry_propose(inquiry_id: int):
    inquiry, level = _fc_inquiry(inquiry_id, write=True)
    form = ProposeForm()
    if form.validate_on_submit():
        locations, unknown = inquiries.published_locations(inquiries.parse_location_slugs(form.locations.data))
        if unknown:
            form.locations.errors.append(_("These are not published locations: %(slugs)s", slugs=", ".join(unknown)))
        else:
            added = inquiries.propose_locations(inquiry, locations, current_user)
            db.session.commit()
            flash(_("%(n)d location(s) proposed.", n=len(added)))
            return redirect(url_for("inquiries.fc_inquiry", inquiry_id=inquiry.id) + "#proposed")
    return _render_fc(inquiry, level, 400, propose=form)


@bp.route("/commission/inquiries/<id:inquiry_id>/referrals", methods=["POST"], endpoint="refer")
@fc_staff_only
def inquiry_refer(inquiry_id: int):
    inquiry, level = _fc_inquiry(inquiry_id, write=True)
    form = _refer_form(ReferForm())
    if form.validate_on_submit():
        to_fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == form.to_commission.data))
        try:
            if to_fc is None:
                raise inquiries.InquiryError(_("Not a valid choice."))
            referral = inquiries.refer(inquiry, to_fc, form.mode.data, form.note.data, current_user,
                                       _fc_link(inquiry))
            db.session.commit()
        except inquiries.InquiryError as error:
            db.session.rollback()
            form.to_commission.errors.append(str(error))
        else:
            if referral.mode == "refer":
                flash(_("The inquiry was referred to %(name)s.", name=localized(to_fc, "name")))
            else:
                flash(_("The inquiry was copied to %(name)s.", name=localized(to_fc, "name")))
            return redirect(url_for("inquiries.fc_inquiry", inquiry_id=inquiry.id) + "#referrals")
    return _render_fc(inquiry, level, 400, refer=form)
