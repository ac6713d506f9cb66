"""One error page for every HTTP error, in the visitor's language; JSON with a reason under /api/.

Input the app can never use is refused here, before any view: over-long query strings, NUL characters,
and ids outside what the database stores (the ``<id:…>`` URL converter and ``parse_id``).
"""
from __future__ import annotations

from typing import Any, Optional

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, ValidationError

from .extensions import db

# Ids are 32-bit integers on PostgreSQL (int4) and positive everywhere: anything else names no row.
MAX_ID = 2 ** 31 - 1


def parse_id(value: Any) -> Optional[int]:
    """An id from a form field or query argument, or None when it cannot name a row."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter(BaseConverter):
    """``<id:name>``: a row id in URLs; out-of-range numbers are no route at all (404), on every database."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def handle_http_error(error: HTTPException):
    if error.code and error.code >= 500:
        # Whatever the failed request wrote must not leak into the next one on this connection.
        db.session.rollback()
    if request.path.startswith("/api/"):
        return jsonify(errors=[error.description]), error.code
    # Our own reasons (abort(400, description=…), already in the visitor's language) are shown; werkzeug's
    # stock English descriptions are not.
    reason = error.description if error.description != type(error).description else None
    return render_template("error.html", error=error, reason=reason), error.code


def reject_unusable_input():
    """Refuse absurd query strings early (a 10 kB URL is no search), and NUL characters, which no
    field needs and PostgreSQL cannot store."""
    if len(request.query_string) > current_app.config["MAX_QUERY_STRING_BYTES"]:
        abort(400, description=_("the query string is too long"))
    # Only a form body has fields to look into (request.form of any other body is empty, but costs a parse).
    has_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if "\x00" in request.path or b"%00" in request.query_string or has_form and any(
        "\x00" in value for values in request.form.listvalues() for value in values
    ):
        abort(400, description=_("the request contains a NUL character"))


def init_app(app: Flask) -> None:
    # Before any blueprint is registered: their rules are compiled with the converters known then.
    app.url_map.converters["id"] = IdConverter
    app.before_request(reject_unusable_input)
    # Unhandled exceptions reach this as InternalServerError (and still propagate when TESTING).
    app.register_error_handler(HTTPException, handle_http_error)
