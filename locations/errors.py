"""One error page for every HTTP error, in the visitor's language; JSON with a reason under /api/."""
from __future__ import annotations

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from .extensions import db


def handle_http_error(error: HTTPException):
    if error.code and error.code >= 500:
        # Whatever the failed request wrote must not leak into the next one on this connection.
        db.session.rollback()
    if request.path.startswith("/api/"):
        return jsonify(errors=[error.description]), error.code
    return render_template("error.html", error=error), error.code


def reject_unusable_input():
    """Refuse absurd query strings early (a 10 kB URL is no search), and NUL characters, which no
    field needs and PostgreSQL cannot store."""
    if len(request.query_string) > current_app.config.get("MAX_QUERY_STRING_BYTES", 4096):
        abort(400, description=_("the query string is too long"))
    if b"%00" in request.query_string or any(
        "\x00" in value for values in request.form.listvalues() for value in values
    ):
        abort(400, description=_("the request contains a NUL character"))


def init_app(app: Flask) -> None:
    app.before_request(reject_unusable_input)
    # Unhandled exceptions reach this as InternalServerError (and still propagate when TESTING).
    app.register_error_handler(HTTPException, handle_http_error)
