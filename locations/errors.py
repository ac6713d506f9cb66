"""One error page for every HTTP error, in the visitor's language; JSON with a reason under /api/."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .extensions import db


def handle_http_error(error: HTTPException):
    if error.code and error.code >= 500:
        # Whatever the failed request wrote must not leak into the next one on this connection.
        db.session.rollback()
    if request.path.startswith("/api/"):
        return jsonify(errors=[error.description]), error.code
    return render_template("error.html", error=error), error.code


def init_app(app: Flask) -> None:
    # Unhandled exceptions reach this as InternalServerError (and still propagate when TESTING).
    app.register_error_handler(HTTPException, handle_http_error)
