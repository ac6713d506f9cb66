"""People and their inbox: users and roles' accounts, sign-in with sessions and two-step codes, throttling,
sign-up and email checks, password changes and resets, notifications and the mail outbox."""
from flask import Blueprint, Flask
from flask_login import current_user

bp = Blueprint("accounts", __name__, template_folder="templates")


def unread_notifications() -> int:
    """For the header's badge: one COUNT query per page, and none for visitors who are not signed in."""
    from .notifications import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0


def init_app(app: Flask) -> None:
    from ..core.access import login_manager
    from .access import load_user
    from .views import account, auth, notifications, registration  # noqa: F401 — the routes attach to bp

    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
    app.add_template_global(unread_notifications)
