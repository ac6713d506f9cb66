"""Who may open a page: the sign-in manager and named access decorators over the role table.

A view says ``@fc_staff_only`` or ``@signed_in``; each query for editable data is then scoped to the
user's FC, authority or production by the view itself (another's row answers 404).
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, request
from flask_login import LoginManager, current_user

from .extensions import db
from .roles import CASE_ACTORS, SIGNED_IN

login_manager = LoginManager()


def roles_required(*roles: str) -> Callable:
    """Only signed-in users with one of ``roles``; others are sent to sign in (401) or refused (403, audited)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                from . import audit

                audit.record("denied", detail=f"{request.method} {request.path}"[:500])
                db.session.commit()
                abort(403)
            return view(*args, **kwargs)
        wrapped.required_roles = roles
        return wrapped
    return decorator


signed_in = roles_required(*SIGNED_IN)
admins_only = roles_required("admin")
fc_staff_only = roles_required("fc_staff")
producers_only = roles_required("producer")
officers_only = roles_required("authority")
case_actors_only = roles_required(*CASE_ACTORS)
fc_staff_or_admins = roles_required("fc_staff", "admin")
producers_or_officers = roles_required("producer", "authority")
officers_or_admins = roles_required("authority", "admin")
