"""Producers' sign-up with an emailed address check, and password reset by email, both answering alike for any address."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.extensions import db
from ...core.forms import ActionForm
from ...core.security import limiter, rate_limits_off, safe_next, user_key
from .. import bp, throttle
from .. import emails as account_mail
from ..forms import ForgotPasswordForm, ResetPasswordForm, SignupForm
from ..models import User
from ..passwords import hash_password, password_problems
from ..users import create_user, email_taken, mark_email_verified, normalise_email, set_password


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _reset_email_limit() -> str:
    return current_app.config["PASSWORD_RESET_EMAIL_RATE_LIMIT"]


def _reset_email_key() -> str:
    return "reset:" + normalise_email(request.form.get("email", ""))


def _resend_limit() -> str:
    return current_app.config["VERIFY_RESEND_RATE_LIMIT"]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"], exempt_when=rate_limits_off)
def signup():
    """Producers register themselves; other roles are created by an admin."""
    form = SignupForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        name = form.display_name.data.strip()
        problems = password_problems(form.password.data, email, name)
        if problems:
            form.password.errors.extend(problems)
        else:
            _register(email, name, form.password.data)
            db.session.commit()
            return render_template("accounts/check_inbox.html", email=email, purpose="signup")
    return render_template("accounts/signup.html", form=form), (400 if form.errors else 200)


def _register(email: str, name: str, password: str) -> None:
    if email_taken(email):
        hash_password(password)  # the same work as a new account, so the answer's timing tells nothing
        account_mail.queue_already_registered(email)
        audit.record("signup_existing", entity_type="user", detail=f"email={email[:200]}")
        return
    try:
        with db.session.begin_nested():
            user = create_user(email, name, "producer", password, email_verified=False, detail="sign-up",
                               password_checked=True)
    except IntegrityError:  # the same address registered a moment ago by another request
        account_mail.queue_already_registered(email)
        return
    account_mail.queue_verification(user)


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """The emailed link opens a page whose button confirms (mail scanners that fetch links change nothing)."""
    try:
        user = account_mail.user_from_verification(token)
    except account_mail.LinkProblem as problem:
        return render_template("accounts/link_problem.html", message=str(problem)), 400
    form = ActionForm()
    if form.validate_on_submit():
        mark_email_verified(user)
        db.session.commit()
        flash(_("Thank you: your email address is confirmed."))
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(url_for("cases.productions"))
        return redirect(url_for("accounts.login"))
    return render_template("accounts/verify_email.html", form=form, email=user.email)


@bp.route("/account/verify-email/send", methods=["POST"])
@login_required
@limiter.limit(_resend_limit, key_func=user_key, exempt_when=rate_limits_off)
def resend_verification():
    if not ActionForm().validate_on_submit():
        return redirect(url_for("accounts.account"))
    if current_user.email_verified:
        flash(_("Your email address is already confirmed."))
    else:
        account_mail.queue_verification(current_user)
        db.session.commit()
        flash(_("We sent a new link to %(email)s.", email=current_user.email))
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"], exempt_when=rate_limits_off)
@limiter.limit(_reset_email_limit, methods=["POST"], key_func=_reset_email_key, exempt_when=rate_limits_off)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.active:
            account_mail.queue_reset(user)
            audit.record("password_reset_requested", user, user=user)
        db.session.commit()
        return render_template("accounts/check_inbox.html", email=email, purpose="reset")
    return render_template("accounts/forgot_password.html", form=form), (400 if form.errors else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"], exempt_when=rate_limits_off)
def reset_password(token: str):
    try:
        user = account_mail.user_from_reset(token)
    except account_mail.LinkProblem as problem:
        return render_template("accounts/link_problem.html", message=str(problem)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        problems = password_problems(form.password.data, user.email, user.display_name)
        if problems:
            form.password.errors.extend(problems)
        else:
            set_password(user, form.password.data, action="password_reset")
            # The link reached the mailbox, which proves the address; failures before are forgiven.
            mark_email_verified(user)
            throttle.clear(user.email)
            account_mail.queue_password_changed(user)
            db.session.commit()
            flash(_("Your password was changed and every session was signed out. Please sign in."))
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, email=user.email), (400 if form.errors else 200)
