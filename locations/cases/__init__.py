"""The permit case: productions and their shoots, one permit step per shoot and permit, documents, the
guideline checklist, packets, calendar, timeline and map, reminders, the authority queue and the planner."""
from flask import Blueprint, Flask

bp = Blueprint("cases", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from . import reminders
    from .views import authority, outputs, planner, productions, shoots, steps  # noqa: F401 — routes attach to bp

    app.register_blueprint(bp)
    reminders.init_app(app)
