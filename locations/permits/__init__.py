"""Permits: the rules engine (pure), permit types and activities, authorities, and the guideline."""
from flask import Blueprint, Flask

bp = Blueprint("permits", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    # rulebook: its version stamp must be watched in every process that may write the reference data.
    from . import office_views, queries, rulebook, views  # noqa: F401 — the routes attach themselves to bp

    app.register_blueprint(bp)
    # Pages of the directory list a prefecture's authorities and count the permit types without importing these.
    app.add_template_global(queries.permit_type_count)
    app.add_template_global(queries.authorities_serving)
