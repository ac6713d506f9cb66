"""What caches may keep: nothing that was answered to a signed-in user, unless the view said otherwise."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user


def _private_for_signed_in_users(response):
    # Pages for signed-in users carry their names, contact details and permit cases; a shared cache
    # (or the browser's back button on a shared computer) must not serve them to someone else.
    # Views that know better (public photos, static files, prefecture outlines) set their own header.
    if "Cache-Control" not in response.headers and current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_private_for_signed_in_users)
