"""Who is signed in (the session record behind the cookie) and what producers may do before their address is
confirmed; the role decorators themselves are core's (core/access.py)."""
from __future__ import annotations

from functools import wraps
from typing import Optional

from flask import render_template, session
from flask_login import current_user

from ..core.security import writes_immediately
from . import sessions
from .models import User


def load_user(identity: str) -> Optional[User]:
    """The cookie names the user and epoch; the session record it points to must still be open."""
    user_id, _, epoch = identity.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    return sessions.user_for(int(user_id), int(epoch), session.get(sessions.TOKEN_KEY), writing=writes_immediately())


def verified_email_required(view):
    """Producers act (productions, inquiries) only once their address is confirmed; others see why and
    can have the link sent again."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and current_user.role == "producer" and not current_user.email_verified:
            return render_template("accounts/verify_needed.html"), 403
        return view(*args, **kwargs)
    return wrapped
