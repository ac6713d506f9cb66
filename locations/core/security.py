"""CSRF, rate limits, security headers, safe redirects and SQLite write transactions for every request."""
from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Optional
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import CSRFProtect

from .access import login_manager
from .config import tile_source
from .extensions import db

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def rate_limits_off() -> bool:
    """Tests turn request limits off with LOGIN_RATE_LIMITED = False (a check made per request)."""
    return current_app.config.get("LOGIN_RATE_LIMITED") is False


def safe_next(target: Optional[str]) -> Optional[str]:
    """A redirect target only if it stays on this site (a path, not //host or a scheme)."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def user_key() -> str:
    """Rate-limit key of the signed-in user (their address when signed out)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


@lru_cache(maxsize=8)
def _origin_of(url: str) -> str:
    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _tile_origin() -> str:
    url, _attribution = tile_source(current_app.config)
    return _origin_of(url)


def _security_headers(response):
    headers = response.headers
    # A view may have set its own (a sandboxed document, say); one pass over the headers finds which.
    present = {name.lower() for name, _ in headers.items()}
    for name, value in _FIXED_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{csp_nonce()}'; "
            # Leaflet positions map panes with inline styles.
            "style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob: {_tile_origin()}".rstrip() + "; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
            "frame-ancestors 'none'; form-action 'self'"
        ))
    if request.is_secure and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "geolocation=(), camera=(), microphone=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def writes_immediately() -> bool:
    # The JSON API only reads (the permit planner is a POST for its body, not to write anything).
    return request.method not in ("GET", "HEAD", "OPTIONS") and request.blueprint != "api" \
        and db.engine.dialect.name == "sqlite"


def _begin_writes_immediately():
    """Requests that change data take SQLite's write lock up front, so concurrent writers wait
    (busy timeout) instead of failing with "database is locked" when a read upgrades to a write."""
    if writes_immediately():
        db.session.connection(execution_options={"sqlite_immediate": True})


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"
    login_manager.login_message = None
    csrf.init_app(app)
    # Before the limiter's check: its keys may load the signed-in user, and on SQLite that first query
    # must already run inside the write transaction.
    app.before_request(_begin_writes_immediately)
    limiter.init_app(app)
    app.after_request(_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
