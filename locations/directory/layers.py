"""The directory's map layers: prefecture outlines and film commissions, fetched by the maps from the API."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..core import maps, versions
from ..core.extensions import db
from ..core.i18n import current_language
from .queries import OUTLINES, region_choices


def outlines_url(**filters: str) -> str:
    """/api/prefectures for these filters, at the outlines' current version."""
    return url_for("api.prefectures", **filters, v=versions.current(db.session, OUTLINES))


def block_colours_by_code() -> dict[str, str]:
    return maps.block_colours([block.code for block in region_choices()])


def outline_layer(**filters: str) -> maps.RemoteLayer:
    return maps.RemoteLayer(
        kind="outlines",
        url=outlines_url(**filters),
        name=_("Prefectures"),
        options={"colors": block_colours_by_code(), "lang": current_language()},
    )


def commission_layer(**filters: str) -> maps.RemoteLayer:
    return maps.RemoteLayer(
        kind="points",
        url=url_for("api.commissions", **filters),
        name=_("Film commissions"),
        options={
            "colors": block_colours_by_code(),
            "lang": current_language(),
            "approximateText": _("Approximate position: the municipality office"),
        },
    )
