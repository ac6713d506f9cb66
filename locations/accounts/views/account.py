"""The signed-in user's own account: sessions, password change, two-step sign-in and recovery codes."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ...core import audit
from ...core.extensions import db
from ...core.forms import ActionForm
from .. import bp, sessions, throttle, totp
from .. import emails as account_mail
from ..forms import EnrolForm, PasswordChangeForm, PasswordConfirmForm
from ..models import UserSession
from ..notifications import EMAIL_GROUPS
from ..passwords import password_problems, verify_password
from ..users import set_password
from .auth import failed_attempt, locked_answer, setup_context


def _account_context(password_form: PasswordChangeForm) -> dict:
    user = current_user._get_current_object()
    this = sessions.current()
    return {"user": user, "password_form": password_form, "codes_form": PasswordConfirmForm(prefix="codes"),
            "off_form": PasswordConfirmForm(prefix="off"),
            "rows": sessions.active_for(user), "this_session_id": this.id if this else None,
            "device_label": sessions.device_label, "two_step_required": totp.required_for(user),
            "recovery_left": totp.recovery_codes_left(user) if user.totp_enabled else 0,
            "email_groups": [(code, str(label)) for code, label in EMAIL_GROUPS.items()]}


def _render_account(password_form: PasswordChangeForm | None = None, status: int = 200):
    return render_template("accounts/account.html", **_account_context(password_form or PasswordChangeForm())), status


@bp.route("/account")
@login_required
def account():
    return _render_account()


def _password_is_right(form_field) -> bool:
    """The current password, counted against the account like a sign-in (a stolen session cannot guess it)."""
    user = current_user._get_current_object()
    if verify_password(user.password_hash, form_field.data):
        return True
    failed_attempt(user.email, user, "password check")
    db.session.commit()
    form_field.errors.append(_("That is not your current password."))
    return False


@bp.route("/account/email", methods=["POST"])
@login_required
def email_preferences():
    """Which notification groups are also emailed: every group not ticked is muted."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    wanted = set(request.form.getlist("email_group"))
    muted = ";".join(sorted(code for code in EMAIL_GROUPS if code not in wanted))
    if muted != (user.email_muted or ""):
        audit.record("update", user, changes={"email_muted": [user.email_muted or "", muted]}, user=user)
        user.email_muted = muted
    db.session.commit()
    flash(_("Your email choices were saved."))
    return redirect(url_for("accounts.account", _anchor="account-email"))


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        until = throttle.locked_until(user.email)
        if until is not None:
            return locked_answer(form.current_password, until, "accounts/account.html", **_account_context(form))
        if _password_is_right(form.current_password):
            problems = password_problems(form.new_password.data, user.email, user.display_name)
            if problems:
                form.new_password.errors.extend(problems)
            else:
                this = sessions.current()
                set_password(user, form.new_password.data, keep_session_id=this.id if this else None)
                account_mail.queue_password_changed(user)
                db.session.commit()
                # The epoch rose with the password: this browser carries the new one and stays signed in.
                login_user(user)
                flash(_("Password changed. Your other sessions were signed out."))
                return redirect(url_for("accounts.account"))
    return _render_account(form, 400)


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    if not ActionForm().validate_on_submit():
        abort(400)
    this = sessions.current()
    count = sessions.end_all(current_user, except_id=this.id if this else None)
    audit.record("sessions_ended", current_user._get_current_object(), detail=f"others={count}")
    db.session.commit()
    flash(_("Signed out of %(n)d other session(s).", n=count))
    return redirect(url_for("accounts.account"))


@bp.route("/account/sessions/<id:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    sessions.end(row)
    audit.record("sessions_ended", current_user._get_current_object(), detail=f"session={row.id}")
    db.session.commit()
    this = sessions.current()
    if this is not None and this.id == row.id:
        logout_user()
        session.clear()
        return redirect(url_for("directory.index"))
    flash(_("That session was signed out."))
    return redirect(url_for("accounts.account"))


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def two_step_setup():
    user = current_user._get_current_object()
    if user.totp_enabled:
        return redirect(url_for("accounts.account"))
    form = EnrolForm()
    secret = totp.pending_secret(user)
    if form.validate_on_submit():
        codes = totp.enable(user, form.code.data)
        if codes is not None:
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, continue_url=url_for("accounts.account"))
        form.code.errors.append(_("That code does not match. Check the time on your phone and try again."))
    db.session.commit()  # keeps the new secret, so a reload shows the same QR code
    return render_template("accounts/two_step_setup.html", form=form, **setup_context(user, secret, False)), (
        400 if form.errors else 200)


@bp.route("/account/two-step/off", methods=["POST"])
@login_required
def two_step_off():
    user = current_user._get_current_object()
    form = PasswordConfirmForm(prefix="off")
    if totp.required_for(user):
        flash(_("Two-step sign-in is required for your role and cannot be turned off."))
        return redirect(url_for("accounts.account"))
    if form.validate_on_submit() and _password_is_right(form.password):
        totp.disable(user)
        db.session.commit()
        flash(_("Two-step sign-in is off."))
        return redirect(url_for("accounts.account"))
    flash(_("Two-step sign-in stays on: %(reason)s", reason=_("the password was not right.")))
    return redirect(url_for("accounts.account"))


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes():
    user = current_user._get_current_object()
    form = PasswordConfirmForm(prefix="codes")
    if not user.totp_enabled:
        return redirect(url_for("accounts.account"))
    if form.validate_on_submit() and _password_is_right(form.password):
        codes = totp.new_recovery_codes(user)
        audit.record("recovery_codes_renewed", user, user=user)
        db.session.commit()
        return render_template("accounts/recovery_codes.html", codes=codes, continue_url=url_for("accounts.account"))
    flash(_("No new codes: %(reason)s", reason=_("the password was not right.")))
    return redirect(url_for("accounts.account"))
