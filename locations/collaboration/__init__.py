"""FCs working together: inquiries from producers (with replies, internal notes and referral within the block
or nationwide), the block know-how board and shortlists of locations. Three blueprints: ``inquiries``,
``board`` and ``shortlists``."""
from flask import Blueprint, Flask

inquiries_bp = Blueprint("inquiries", __name__, template_folder="templates")
board_bp = Blueprint("board", __name__, template_folder="templates")
shortlists_bp = Blueprint("shortlists", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from . import shortlists
    from .views import board, inquiries  # noqa: F401 — the routes attach themselves to the blueprints
    from .views import shortlists as _shortlist_views  # noqa: F401

    app.register_blueprint(inquiries_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(shortlists_bp)
    # The location page offers "add to a shortlist" without the library importing this package.
    app.add_template_global(shortlists.shortlists_for_page, "shortlists_for_page")
