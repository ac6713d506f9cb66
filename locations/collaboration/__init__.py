"""FCs working together: inquiries from producers (with replies, internal notes and referral within the block
or nationwide) and the block know-how board. Two blueprints: ``inquiries`` and ``board``."""
from flask import Blueprint, Flask

inquiries_bp = Blueprint("inquiries", __name__, template_folder="templates")
board_bp = Blueprint("board", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from .views import board, inquiries  # noqa: F401 — the routes attach themselves to the blueprints

    app.register_blueprint(inquiries_bp)
    app.register_blueprint(board_bp)
