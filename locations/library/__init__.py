"""The location library: places to shoot with their photos, search and the map, the FC workspace, import and
export, freshness, and demo data."""
from flask import Blueprint, Flask

bp = Blueprint("library", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from . import cli, names, queries
    from .contacts import shared_contact
    from .views import contacts, duplicates, importing, public, workspace  # noqa: F401 — the routes attach themselves to bp

    app.register_blueprint(bp)
    cli.init_app(app)
    # Pages of the directory count a commission's locations without importing this package.
    app.add_template_global(queries.published_location_count)
    app.add_template_global(names.place_name)
    app.add_template_global(shared_contact)
    app.add_template_global(names.place_name_text)
