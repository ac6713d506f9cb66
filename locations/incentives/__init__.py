"""Incentive programmes for productions shooting in Japan, and the rebate estimator (page and engine)."""
from flask import Blueprint, Flask

bp = Blueprint("incentives", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401 — the routes attach themselves to bp

    app.register_blueprint(bp)
