"""How the API answers: GeoJSON with its media type, and errors as JSON with every reason."""
from __future__ import annotations

from flask import jsonify

GEOJSON = "application/geo+json"


def geojson(payload: dict):
    response = jsonify(payload)
    response.mimetype = GEOJSON
    return response


def bad_request(errors: list[str], **extra):
    return jsonify(errors=errors, **extra), 400
