"""Admin pages: accounts, film commissions with their sources and flags, authorities (import and export),
reference data, and the whole audit trail."""
from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401 — the routes attach themselves to bp

    app.register_blueprint(bp)
