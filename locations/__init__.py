"""locations: Japan's film location commission directory and permit coordinator."""
from __future__ import annotations

import json
import os
import secrets
from typing import Any, Mapping, Optional

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    accounts,
    admin,
    api,
    cases,
    cli,
    cli_backup,
    collaboration,
    directory,
    incentives,
    library,
    permits,
    reports,
    worker,
)
from .core import caching, clock, errors, http, i18n, maps, security
from .core.config import DefaultConfig, engine_options, from_environment, read_secret_key_file, weak_secret_key
from .core.extensions import db, migrate
from .core.file_storage import MODES as FILE_STORAGE_MODES
from .core.roles import CASE_VIEWERS, role_label

MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment, then ``config``."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        # Shared templates and static files live in core/; each domain package adds its own templates.
        template_folder="core/templates",
        static_folder="core/static",
    )
    app.config.from_object(DefaultConfig)
    app.config.from_mapping(read_secret_key_file(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment())
    if config:
        app.config.from_mapping(config)
    check_secret_key(app)
    if app.config.get("FILE_STORAGE") not in FILE_STORAGE_MODES:
        raise ValueError(f"FILE_STORAGE must be {' or '.join(FILE_STORAGE_MODES)}, not {app.config.get('FILE_STORAGE')!r}")
    _harden_cookies_and_proxies(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)

    from . import models  # noqa: F401 — every table known before anything maps or migrates

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    errors.init_app(app)  # first: it adds the <id:…> URL converter the blueprints' routes use
    clock.init_app(app)
    i18n.init_app(app)
    maps.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    http.init_app(app)
    cli.init_app(app)
    cli_backup.init_app(app)
    worker.init_app(app)
    directory.init_app(app)
    permits.init_app(app)
    incentives.init_app(app)
    library.init_app(app)
    accounts.init_app(app)
    cases.init_app(app)
    collaboration.init_app(app)
    reports.init_app(app)

    api.init_app(app)
    admin.init_app(app)
    app.jinja_env.filters["fromjson"] = json.loads
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals["CASE_VIEWERS"] = CASE_VIEWERS
    return app


def _harden_cookies_and_proxies(app: Flask) -> None:
    """``__Host-`` cookie name when the cookie is Secure (the browser then refuses it from any other host or
    path), and X-Forwarded-For/-Proto believed only from the configured number of proxies."""
    if app.config.get("SESSION_COOKIE_SECURE") and app.config.get("SESSION_COOKIE_NAME") == "session":
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_DOMAIN"] = None
        app.config["SESSION_COOKIE_PATH"] = "/"
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


class MissingSecretKey(RuntimeError):
    pass


def check_secret_key(app: Flask) -> None:
    """Refuse to serve with no key or a published one: anyone could forge an admin's session.

    Debug and test apps get a throwaway key. Flask commands other than ``run`` may go on without one
    (``setup`` is what writes it), since they sign no sessions.
    """
    if not weak_secret_key(app.config.get("SECRET_KEY")):
        return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    command = click.get_current_context(silent=True)
    if command is not None and command.command.name != "run":
        return
    require_secret_key(app)


def require_secret_key(app: Flask) -> None:
    if weak_secret_key(app.config.get("SECRET_KEY")) and not (app.debug or app.testing):
        raise MissingSecretKey(
        "No usable SECRET_KEY (missing, shorter than 16 characters, or a published default). "
        "Run `flask --app wsgi setup`, which writes a random one to instance/secret_key, "
        "or set SECRET_KEY in the environment.")
