"""The JSON and GeoJSON API: thin shims over the packages' functions; every error is JSON with its reasons."""
from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api", template_folder="templates")


def init_app(app: Flask) -> None:
    from ..core.security import csrf
    from . import openapi, planning, views  # noqa: F401 — the routes attach themselves to bp

    app.register_blueprint(bp)
    # Read-only JSON API: no cookies change anything there, so no CSRF token is asked for.
    csrf.exempt(bp)
