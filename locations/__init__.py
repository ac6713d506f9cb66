"""locations: Japan's film location commission directory and permit coordinator."""
from __future__ import annotations

import os
from typing import Any, Mapping, Optional

from flask import Flask

import json

from . import cli, cli_import, cli_reminders, errors, i18n, mail, maps, photos, security
from .config import DefaultConfig, from_environment
from .extensions import db, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment, then ``config``."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment())
    if config:
        app.config.from_mapping(config)

    if app.config["SECRET_KEY"] == DefaultConfig.SECRET_KEY and not (app.debug or app.testing):
        # Sessions signed with a published key can be forged; say so loudly rather than refuse to start.
        app.logger.warning("SECRET_KEY is the development default: set SECRET_KEY in the environment for production")

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    i18n.init_app(app)
    maps.init_app(app)
    photos.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    cli_import.init_app(app)
    cli_reminders.init_app(app)
    mail.init_app(app)

    # locations, planner and incentives add routes to public
    from .views import admin, api, auth, authority, board, commission, incentives, inquiries, locations, notices, outputs, planner, producer, public, reports  # noqa: F401,E501

    for blueprint in (public.bp, api.bp, auth.bp, producer.bp, commission.bp, authority.bp, admin.bp):
        app.register_blueprint(blueprint)
    # Read-only JSON API: no cookies change anything there, so no CSRF token is asked for.
    security.csrf.exempt(api.bp)
    app.jinja_env.filters["fromjson"] = json.loads
    app.jinja_env.globals["unread_notifications"] = _unread_notifications
    return app


def _unread_notifications() -> int:
    """For the header's badge: one COUNT query per page, and none for visitors who are not signed in."""
    from flask_login import current_user

    from .notifications import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0
