"""JSON and GeoJSON for maps and other tools; errors are JSON with a reason."""
from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, request, url_for

from .. import directory
from ..directory import CommissionFilter

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"
BLOCK_CODE = re.compile(r"^[A-Z]{3}$")
PREFECTURE_CODE = re.compile(r"^(0[1-9]|[1-3][0-9]|4[0-7])$")


def _code_arg(name: str, pattern: re.Pattern) -> str | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not pattern.match(value):
        abort(400, description=f"'{name}' is not a valid code: {value[:20]!r}")
    return value


def _geojson(payload: dict):
    response = jsonify(payload)
    response.mimetype = GEOJSON
    return response


@bp.route("/commissions")
def commissions():
    filters = CommissionFilter(
        text=request.args.get("q", "").strip()[:100],
        block=_code_arg("block", BLOCK_CODE),
        prefecture=_code_arg("prefecture", PREFECTURE_CODE),
    )
    found = directory.find_commissions(filters)
    return _geojson(
        directory.commissions_geojson(
            found, lambda slug: url_for("public.commission", slug=slug)
        )
    )


@bp.route("/prefectures")
def prefectures():
    payload = directory.prefectures_geojson(
        _code_arg("block", BLOCK_CODE),
        _code_arg("prefecture", PREFECTURE_CODE),
        lambda code: url_for("public.prefecture", code=code),
    )
    response = _geojson(payload)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
