"""The directory: regional blocks, prefectures, municipalities and film commissions, with the gazetteer."""
from flask import Blueprint, Flask

bp = Blueprint("directory", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    # views imports layers, whose version stamp must be watched in every process that may write the data.
    from . import views  # noqa: F401 — the routes attach themselves to bp

    app.register_blueprint(bp)
