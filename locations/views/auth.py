"""Signing in and out, and producers' self sign-up."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..forms import LoginForm, SignupForm
from ..models import User
from ..security import check_credentials, hash_password, limiter, password_problems, rate_limits_off, safe_next

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {"admin": "admin.index", "fc_staff": "commission.index", "authority": "public.index",
                "producer": "public.index"}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], exempt_when=rate_limits_off)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = check_credentials(email, form.password.data)
        if user is None or not user.active:
            audit.record("login_failed", detail=f"email={email[:200]}", user=user,
                         entity_type="user", entity_id=user.id if user else None)
            db.session.commit()
            form.password.errors.append(_("The email or password is not right."))
            return render_template("auth/login.html", form=form), 401
        # A fresh session on sign-in: nothing from before (a planted session id) carries over.
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        login_user(user)
        session.permanent = True
        user.last_login_at = datetime.now(timezone.utc)
        audit.record("login", user, user=user)
        db.session.commit()
        return redirect(safe_next(form.next.data) or url_for(HOME_BY_ROLE.get(user.role, "public.index")))
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record("logout", current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("public.index"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Producers register themselves; other roles are created by an admin."""
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        problems = password_problems(form.password.data, email, form.display_name.data)
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            form.email.errors.append(_("An account with this email already exists."))
        if problems:
            form.password.errors.extend(problems)
        if not form.errors:
            user = User(email=email, display_name=form.display_name.data.strip(), role="producer",
                        password_hash=hash_password(form.password.data))
            db.session.add(user)
            db.session.flush()
            audit.record("create", user, user=user, changes={"email": [None, email], "role": [None, "producer"]})
            db.session.commit()
            flash(_("Your account is ready. Please sign in."))
            return redirect(url_for("auth.login"))
    return render_template("auth/signup.html", form=form), (400 if form.errors else 200)
