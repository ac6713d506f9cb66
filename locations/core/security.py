"""Sign-in, passwords, CSRF, rate limits, security headers and SQLite write transactions."""
from __future__ import annotations

import re
import secrets
from functools import wraps
from typing import Optional
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import CSRFProtect
from sqlalchemy import select

from ..models import User
from .access import login_manager
from .extensions import db

# OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def rate_limits_off() -> bool:
    """Tests turn request limits off with LOGIN_RATE_LIMITED = False (a check made per request)."""
    return current_app.config.get("LOGIN_RATE_LIMITED") is False


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the account does not exist keeps the timing of both answers alike.
_DUMMY_HASH = None


def check_credentials(email: str, password: str) -> Optional[User]:
    global _DUMMY_HASH
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Why a new password is not acceptable (empty when it is)."""
    from zxcvbn import zxcvbn

    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    if not problems:
        hints = [part for part in re.split(r"[@.\s]+", f"{email} {name}") if part]
        if zxcvbn(password[:MAX_PASSWORD_LENGTH], user_inputs=hints)["score"] < 3:
            problems.append(_("This password is too common or easy to guess; try a longer phrase."))
    return problems


def safe_next(target: Optional[str]) -> Optional[str]:
    """A redirect target only if it stays on this site (a path, not //host or a scheme)."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@login_manager.user_loader
def _load_user(identity: str) -> Optional[User]:
    """The cookie names the user and epoch; the session record it points to must still be open."""
    from flask import session

    from .. import sessions

    user_id, _, epoch = identity.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    return sessions.user_for(int(user_id), int(epoch), session.get(sessions.TOKEN_KEY), writing=_writes_immediately())


def verified_email_required(view):
    """Producers act (productions, inquiries) only once their address is confirmed; others see why and
    can have the link sent again."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and current_user.role == "producer" and not current_user.email_verified:
            from flask import render_template

            return render_template("auth/verify_needed.html"), 403
        return view(*args, **kwargs)
    return wrapped


def user_key() -> str:
    """Rate-limit key of the signed-in user (their address when signed out)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _tile_origin() -> str:
    url = current_app.config.get("TILE_URL") or ""
    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    policy = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{csp_nonce()}'; "
        # Leaflet positions map panes with inline styles.
        "style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob: {_tile_origin()}".rstrip() + "; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    headers.setdefault("Content-Security-Policy", policy)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _writes_immediately() -> bool:
    # The JSON API only reads (the permit planner is a POST for its body, not to write anything).
    return request.method not in ("GET", "HEAD", "OPTIONS") and request.blueprint != "api" \
        and db.engine.dialect.name == "sqlite"


def _begin_writes_immediately():
    """Requests that change data take SQLite's write lock up front, so concurrent writers wait
    (busy timeout) instead of failing with "database is locked" when a read upgrades to a write."""
    if _writes_immediately():
        db.session.connection(execution_options={"sqlite_immediate": True})


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.login_message = None
    csrf.init_app(app)
    # Before the limiter's check: its keys may load the signed-in user, and on SQLite that first query
    # must already run inside the write transaction.
    app.before_request(_begin_writes_immediately)
    limiter.init_app(app)
    app.after_request(_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
