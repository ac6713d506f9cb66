"""Signing in (password, then a one-time code where two-step sign-in is on or required) and out."""
from __future__ import annotations

import time
from datetime import datetime
from typing import Optional

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ...core import audit
from ...core.clock import now
from ...core.extensions import db
from ...core.roles import home_endpoint
from ...core.security import limiter, rate_limits_off, safe_next
from .. import bp, sessions, throttle, totp
from ..emails import queue_lockout_notice
from ..forms import CodeForm, EnrolForm, LoginForm
from ..models import User
from ..passwords import check_credentials
from ..users import normalise_email

PENDING = "pending_sign_in"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _fresh_session() -> None:
    """Nothing from before sign-in (a planted session id, a half-done sign-in) carries over."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _home(user: User, target: Optional[str]) -> str:
    return safe_next(target) or url_for(home_endpoint(user.role))


def locked_answer(field, until: datetime, template: str, **context):
    """429 with the time to wait, under ``field``; the same for every address, with an account or not."""
    minutes = max(1, int((until - now()).total_seconds() // 60) + 1)
    field.errors = [*field.errors,
                    _("Too many failed attempts for this account. Try again in %(minutes)d minutes.", minutes=minutes)]
    return render_template(template, **context), 429


def failed_attempt(email: str, user: Optional[User], detail: str) -> Optional[datetime]:
    """Count a failure against the account; on the one that locks it, tell the owner."""
    audit.record("login_failed", detail=f"{detail} email={email[:200]}", user=user,
                 entity_type="user", entity_id=user.id if user else None)
    failure = throttle.record_failure(email)
    if failure.locked_until is not None:
        audit.record("login_locked", detail=f"email={email[:200]} lockout={failure.lockouts}", user=user,
                     entity_type="user", entity_id=user.id if user else None)
        queue_lockout_notice(email, failure.locked_until)
    return failure.locked_until


def finish_sign_in(user: User, target: Optional[str]) -> str:
    """Start the session for good: a new cookie, a new session record, failures forgotten."""
    _fresh_session()
    login_user(user)
    session.permanent = True
    session[sessions.TOKEN_KEY] = sessions.start(user, request.remote_addr, request.headers.get("User-Agent"))
    user.last_login_at = now()
    throttle.clear(user.email)
    audit.record("login", user, user=user)
    return _home(user, target)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], exempt_when=rate_limits_off)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        until = throttle.locked_until(email)
        if until is not None:
            return locked_answer(form.password, until, "accounts/login.html", form=form)
        user = check_credentials(email, form.password.data)
        if user is None or not user.active:
            until = failed_attempt(email, user, "password")
            db.session.commit()
            if until is not None:
                return locked_answer(form.password, until, "accounts/login.html", form=form)
            form.password.errors.append(_("The email or password is not right."))
            return render_template("accounts/login.html", form=form), 401
        if user.totp_enabled or totp.required_for(user):
            # Half signed in: only the code step (or, where it is required, enrolment) may follow.
            _fresh_session()
            session[PENDING] = {"user": user.id, "epoch": user.session_epoch, "next": form.next.data or "",
                                "until": time.time() + 60 * current_app.config["TWO_STEP_PENDING_MINUTES"]}
            db.session.commit()
            return redirect(url_for("accounts.two_step" if user.totp_enabled else "accounts.two_step_enrol"))
        target = finish_sign_in(user, form.next.data)
        db.session.commit()
        return redirect(target)
    return render_template("accounts/login.html", form=form), (400 if form.errors else 200)


def _pending_user() -> Optional[User]:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    if not isinstance(pending.get("until"), (int, float)) or pending["until"] < time.time():
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or user.session_epoch != pending.get("epoch"):
        return None
    return user


def _expired_pending():
    session.pop(PENDING, None)
    return redirect(url_for("accounts.login"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], exempt_when=rate_limits_off)
def two_step():
    if current_user.is_authenticated:
        return redirect(url_for("directory.index"))
    user = _pending_user()
    if user is None:
        return _expired_pending()
    if not user.totp_enabled:
        return redirect(url_for("accounts.two_step_enrol")) if totp.required_for(user) else _expired_pending()
    form = CodeForm()
    if form.validate_on_submit():
        until = throttle.locked_until(user.email)
        if until is not None:
            return locked_answer(form.code, until, "accounts/two_step.html", form=form)
        code = form.code.data.strip()
        if totp.check_code(user, code) or totp.use_recovery_code(user, code):
            target = finish_sign_in(user, session.get(PENDING, {}).get("next"))
            db.session.commit()
            return redirect(target)
        until = failed_attempt(user.email, user, "code")
        db.session.commit()
        if until is not None:
            return locked_answer(form.code, until, "accounts/two_step.html", form=form)
        form.code.errors.append(_("That code is not right (or was already used)."))
        return render_template("accounts/two_step.html", form=form), 401
    return render_template("accounts/two_step.html", form=form), (400 if form.errors else 200)


@bp.route("/login/two-step-setup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], exempt_when=rate_limits_off)
def two_step_enrol():
    """Roles that must use two-step sign-in enrol here, between their password and their first page."""
    if current_user.is_authenticated:
        return redirect(url_for("directory.index"))
    user = _pending_user()
    if user is None or not (user.totp_enabled or totp.required_for(user)):
        return _expired_pending()
    if user.totp_enabled:
        return redirect(url_for("accounts.two_step"))
    form = EnrolForm()
    secret = totp.pending_secret(user)
    if form.validate_on_submit():
        until = throttle.locked_until(user.email)
        if until is not None:
            return locked_answer(form.code, until, "accounts/two_step_setup.html", form=form,
                                      **setup_context(user, secret, True))
        codes = totp.enable(user, form.code.data)
        if codes is not None:
            target = finish_sign_in(user, session.get(PENDING, {}).get("next"))
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, continue_url=target)
        until = failed_attempt(user.email, user, "enrolment code")
        db.session.commit()
        if until is not None:
            return locked_answer(form.code, until, "accounts/two_step_setup.html", form=form,
                                      **setup_context(user, secret, True))
        form.code.errors.append(_("That code does not match. Check the time on your phone and try again."))
        return render_template("accounts/two_step_setup.html", form=form, **setup_context(user, secret, True)), 400
    db.session.commit()  # keeps the new secret, so a reload shows the same QR code
    return render_template("accounts/two_step_setup.html", form=form, **setup_context(user, secret, True)), (
        400 if form.errors else 200)


def setup_context(user: User, secret: str, during_sign_in: bool) -> dict:
    return {"qr": totp.qr_svg(totp.provisioning_uri(user, secret)), "secret": totp.grouped(secret),
            "during_sign_in": during_sign_in}


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    row = sessions.current()
    if row is not None:
        sessions.end(row)
    audit.record("logout", current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("directory.index"))
