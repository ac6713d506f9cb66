"""The API's OpenAPI 3.1 description, kept beside the views it describes and tested against them
(tests/api/test_openapi.py: every /api/ route is described, and schemathesis finds no answer outside it).

Served at /api/openapi.json, with a readable page at /api/docs whose Swagger UI comes from the
flask-swagger-ui package (no CDN).
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import flask_swagger_ui
from flask import Response, current_app, render_template, request, url_for

from ..core.params import MAX_RADIUS_KM, MAX_TEXT
from ..library.models import FACILITIES
from ..library.queries import COUNT_CAP
from . import bp

SWAGGER_DIST = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")

DOCS_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "index.css")
GEOJSON = "application/geo+json"
JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, description: str, schema: dict | None = None, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}, **extra}


def _answer(description: str, schema: dict, media: str = JSON) -> dict:
    return {"description": description, "content": {media: {"schema": schema}}}


ERRORS = _answer("The request was refused; every reason is listed.", _ref("Errors"))
TOO_MANY = _answer("Too many requests from this address; try again later.", _ref("Errors"))
CODE = {"type": "string", "maxLength": 40}
FILTERS = [
    _query("q", f"Words in Japanese or English (1–2-character Japanese works), at most {MAX_TEXT} characters."),
    _query("category", "A location category code, e.g. park.", {"type": "string", "pattern": "^[a-z_]{1,40}$"}),
    _query("prefecture", "A JIS prefecture code, 01–47.", {"type": "string", "pattern": "^(0[1-9]|[1-3][0-9]|4[0-7])$"}),
    _query("block", "A regional block code, e.g. SKK.", {"type": "string", "pattern": "^[A-Z]{3}$"}),
    _query("commission", "A film commission's slug.", {"type": "string"}),
    _query("facility", "A facility the place must have (repeatable).",
           {"type": "array", "items": {"type": "string", "enum": list(FACILITIES)}}, style="form", explode=True),
    _query("facilities", "Facilities, comma-separated.", {"type": "string"}),
    _query("near", "A place name or 'lat,lon': only locations within radius_km of it.", {"type": "string"}),
    _query("radius_km", f"Radius for near, more than 0 and at most {MAX_RADIUS_KM:g} km (default 10).",
           {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS_KM}),
]


def _schemas() -> dict[str, Any]:
    point = {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"const": "Point"}, "coordinates": {"type": "array", "items": {"type": "number"},
                                                    "minItems": 2, "maxItems": 2}}}
    nullable_string = {"type": ["string", "null"]}

    def feature(properties: dict, geometry: dict | None = None) -> dict:
        return {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
            "type": {"const": "Feature"}, "geometry": geometry or point,
            "properties": {"type": "object", "properties": properties}}}

    def collection(item: dict, **extra: dict) -> dict:
        return {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": item}, **extra}}

    location = {"slug": {"type": "string"}, "name_ja": {"type": "string"}, "name_en": nullable_string,
                "category": {"type": "string"}, "url": {"type": "string"}, "thumbnail": nullable_string,
                "synthetic": {"type": "boolean"}, "distance_km": {"type": "number"},
                "cluster": {"type": "boolean"}, "count": {"type": "integer"}}
    return {
        "Errors": {"type": "object", "required": ["errors"], "properties": {
            "errors": {"type": "array", "items": {"type": "string"}},
            "suggestions": {"type": "array", "items": {"type": "string"}}}},
        "Locations": collection(feature(location), total={"type": "integer", "minimum": 0,
                      "description": f"Matches, counted up to {COUNT_CAP:,} (see total_capped); in a viewport, "
                                     "the matches in the box."}, total_capped={"type": "boolean", "description": f"More than {COUNT_CAP:,} matches."}, page={"type": "integer"}, pages={"type": "integer"}, clustered={"type": "boolean"}, capped={"type": "boolean", "description": "A word-filtered viewport with more matches than are "
                                                         "clustered: zoom in or add words."}),
        "Location": feature({**location, "description_ja": nullable_string, "description_en": nullable_string,
                             "address": nullable_string, "prefecture": {"type": "string"},
                             "commission": {"type": "string"}, "typical_permits": {"type": ["array", "null"]},
                             "photos": {"type": "array"}, "last_verified": nullable_string,
                             "source": nullable_string}),
        "Commissions": collection(feature({"slug": {"type": "string"}, "name_ja": {"type": "string"},
                                           "name_en": nullable_string, "prefecture": {"type": "string"},
                                           "block": {"type": "string"}, "approximate": {"type": "boolean"},
                                           "url": {"type": "string"}})),
        "Prefectures": collection(feature(
            {"code": {"type": "string"}, "name_ja": {"type": "string"}, "name_en": {"type": "string"},
             "block": {"type": "string"}, "url": {"type": "string"}},
            {"type": "object", "required": ["type", "coordinates"], "properties": {
                "type": {"enum": ["Polygon", "MultiPolygon"]}, "coordinates": {"type": "array"}}})),
        "BusyAreas": collection(feature({"code": {"type": "string"}, "days": {"type": "integer"},
                                         "threshold": {"type": "integer"}, "window_days": {"type": "integer"}})),
        "Activity": {"type": "object", "required": ["code", "name_ja", "name_en"], "properties": {
            "code": {"type": "string"}, "name_ja": {"type": "string"}, "name_en": {"type": "string"}}},
        "PlanRequest": {"type": "object", "required": ["location", "start_date", "end_date", "activities"],
                        "properties": {
                            "location": {"type": "object", "description": "Either slug, or lat and lon in Japan.",
                                         "properties": {"slug": {"type": "string"}, "lat": {"type": "number"},
                                                        "lon": {"type": "number"}}},
                            "start_date": {"type": "string", "format": "date"},
                            "end_date": {"type": "string", "format": "date"},
                            "activities": {"type": "array", "items": {"type": "string"}, "maxItems": 30},
                            "lang": {"enum": ["en", "ja"]}}},
        "Plan": {"type": "object", "required": ["permits", "warnings"], "properties": {
            "permits": {"type": "array", "items": {"type": "object", "required": [
                "permit_type", "name", "latest_filing_date", "lead_business_days", "reasons", "is_estimate"],
                "properties": {
                    "permit_type": {"type": "string"}, "name": {"type": "string"},
                    "legal_basis": {"type": "string"},
                    "authority": {"type": ["object", "null"], "properties": {
                        "code": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
                        "distance_km": {"type": ["number", "null"]}}},
                    "latest_filing_date": {"type": "string", "format": "date"},
                    "lead_business_days": {"type": "integer"},
                    "documents": {"type": "array", "items": {"type": "string"}},
                    "reasons": {"type": "array", "items": {"type": "string"}},
                    "is_estimate": {"type": "boolean"}}}},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "location": {"type": "object"}}},
        "EstimateRequest": {"type": "object", "required": ["total_budget_jpy", "japan_spend_jpy",
                                                           "release_countries"], "properties": {
            "total_budget_jpy": {"type": "integer", "minimum": 0},
            "japan_spend_jpy": {"type": "integer", "minimum": 0},
            "release_countries": {"type": "integer", "minimum": 0},
            "program": {"type": "string"}, "lang": {"enum": ["en", "ja"]}}},
        "Estimate": {"type": "object", "required": ["eligible", "reasons", "estimated_rebate_jpy", "program"],
                     "properties": {
                         "eligible": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}},
                         "estimated_rebate_jpy": {"type": "integer"},
                         "program": {"type": "object", "properties": {
                             "code": {"type": "string"}, "name": {"type": "string"}, "rate": {"type": "number"},
                             "cap_jpy": {"type": ["integer", "null"]}, "source": {"type": "string"},
                             "is_estimate": {"type": "boolean"}}}}},
    }


def _paths() -> dict[str, Any]:
    lang = _query("lang", "Language of names and reasons.", {"enum": ["en", "ja"]})
    return {
        "/api/locations": {"get": {
            "summary": "Search the location library, or what a map shows in a box",
            "description": "With bbox: the points in the box, or clusters when there are more than limit. "
                           "Without: one page of matches by relevance (or distance with near). format=csv "
                           "pages through the matches in id order (Link: rel=next).",
            "parameters": [*FILTERS,
                           _query("bbox", "west,south,east,north in degrees.", {"type": "string"}),
                           _query("zoom", "Map zoom 0–22 (with bbox).", {"type": "integer", "minimum": 0,
                                                                          "maximum": 22}),
                           _query("limit", "Most points before clustering (with bbox).",
                                  {"type": "integer", "minimum": 1, "maximum": 2000}),
                           _query("page", "Page number.", {"type": "integer", "minimum": 1, "maximum": 100000}),
                           _query("per_page", "Results per page (CSV: rows per request).",
                                  {"type": "integer", "minimum": 1}),
                           _query("after", "CSV only: rows with ids above this.", {"type": "integer", "minimum": 0}),
                           _query("format", "geojson (default) or csv.", {"enum": ["geojson", "csv"]})],
            "responses": {"200": {"description": "Matches as GeoJSON, or a page of CSV.", "content": {
                GEOJSON: {"schema": _ref("Locations")}, "text/csv": {"schema": {"type": "string"}}}},
                "400": ERRORS, "429": TOO_MANY}}},
        "/api/locations/{slug}": {"get": {
            "summary": "One published location with its details",
            "parameters": [{"name": "slug", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,119}$"}}],
            "responses": {"200": _answer("The location.", _ref("Location"), GEOJSON),
                          "404": _answer("No published location has this slug.", _ref("Errors"))}}},
        "/api/commissions": {"get": {
            "summary": "Film commissions as GeoJSON points",
            "parameters": [FILTERS[0], FILTERS[3], FILTERS[2]],
            "responses": {"200": _answer("The commissions.", _ref("Commissions"), GEOJSON), "400": ERRORS}}},
        "/api/prefectures": {"get": {
            "summary": "Prefecture outlines",
            "description": "With v set to the current version (the maps' URLs carry it) the answer may be "
                           "cached for a year; otherwise for five minutes.",
            "parameters": [FILTERS[3], FILTERS[2], _query("v", "Version stamp of the outlines.")],
            "responses": {"200": _answer("The outlines.", _ref("Prefectures"), GEOJSON), "400": ERRORS}}},
        "/api/municipal-outlines": {"get": {
            "summary": "Municipal outlines in a box, the maps' offline base at city zoom",
            "parameters": [{"name": "bbox", "in": "query", "required": True,
                            "description": "west,south,east,north in degrees.", "schema": {"type": "string"}}],
            "responses": {"200": _answer("The outlines meeting the box.", {
                "type": "object", "required": ["type", "features"],
                "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}}}, GEOJSON),
                "400": ERRORS}}},
        "/api/overuse": {"get": {
            "summary": "Municipalities with many recent shoot days",
            "responses": {"200": _answer("The busy areas.", _ref("BusyAreas"), GEOJSON)}}},
        "/api/activities": {"get": {
            "summary": "What a shoot can do that may need a permit",
            "responses": {"200": _answer("Every activity.", {"type": "array", "items": _ref("Activity")})}}},
        "/api/permit-plan": {"post": {
            "summary": "The permits a shoot needs, where to file each and the latest safe filing dates",
            "parameters": [lang],
            "requestBody": {"required": True, "content": {JSON: {"schema": _ref("PlanRequest")}}},
            "responses": {"200": _answer("The plan.", _ref("Plan")), "400": ERRORS, "429": TOO_MANY}}},
        "/api/incentive-estimate": {"post": {
            "summary": "Whether a production meets an incentive programme's thresholds, and the rebate",
            "parameters": [lang],
            "requestBody": {"required": True, "content": {JSON: {"schema": _ref("EstimateRequest")}}},
            "responses": {"200": _answer("The estimate.", _ref("Estimate")), "400": ERRORS, "429": TOO_MANY}}},
        "/api/openapi.json": {"get": {
            "summary": "This description",
            "responses": {"200": _answer("OpenAPI 3.1.", {"type": "object", "required": ["openapi", "paths"]})}}},
        "/api/docs": {"get": {
            "summary": "This description as a readable page",
            "responses": {"200": {"description": "HTML.", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
        "/api/docs/assets/{filename}": {"get": {
            "summary": "Swagger UI's script and styles for the page (from the flask-swagger-ui package)",
            "parameters": [{"name": "filename", "in": "path", "required": True,
                            "schema": {"enum": list(DOCS_ASSETS)}}],
            "responses": {"200": {"description": "The file.", "content": {
                "text/css": {"schema": {"type": "string"}}, "text/javascript": {"schema": {"type": "string"}}}},
                "404": _answer("No such asset.", _ref("Errors"))}}},
    }


def spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Japan film locations API", "version": "1",
                 "description": "Film commissions, prefectures, the location library, the permit planner and "
                                "the incentive estimator. Errors are JSON with every reason; text is UTF-8."},
        "servers": [{"url": "/"}],
        "paths": _paths(),
        "components": {"schemas": _schemas()},
    }


@bp.route("/openapi.json")
def openapi_json():
    response = current_app.json.response(spec())
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.route("/docs")
def docs():
    return render_template("api/docs.html", spec_url=url_for("api.openapi_json"))


@bp.route("/docs/assets/<path:filename>")
def docs_asset(filename: str):
    if filename not in DOCS_ASSETS:
        return {"errors": [f"no such asset {filename[:60]!r}"]}, 404
    response = Response(_asset(filename), mimetype="text/css" if filename.endswith(".css") else "text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 7 * 24 * 3600
    response.add_etag()
    return response.make_conditional(request)


@lru_cache(maxsize=len(DOCS_ASSETS))
def _asset(filename: str) -> bytes:
    # Held in memory (2 MB at most): the files change only with the package.
    with open(os.path.join(SWAGGER_DIST, filename), "rb") as handle:
        return handle.read()
