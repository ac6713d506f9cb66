"""Effect verification: the shoot reports FC staff record, the public figures (with privacy protection),
charts and the choropleth, and busy areas (overuse)."""
from flask import Blueprint, Flask

bp = Blueprint("reports", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from . import (
        figures,
        overuse,
        views,  # noqa: F401 — the routes attach themselves to bp
    )

    app.register_blueprint(bp)
    # Directory pages and the FC workspace show these without importing this package.
    app.add_template_global(figures.commission_report_figures)
    app.add_template_global(figures.block_report_figures)
    app.add_template_global(overuse.busy_areas_in)
