"""Every folium map the app draws, with Leaflet served locally and data loaded from our own API.

Folium would link Leaflet, jQuery and Bootstrap from public CDNs and inline every marker; here the map
takes Leaflet from the XStatic package, and point and outline layers are fetched as GeoJSON by
static/js/maps.js, so a page's size does not grow with the data and the page works offline.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import folium
import xstatic.pkg.leaflet as xstatic_leaflet
import xstatic.pkg.leaflet_markercluster as xstatic_markercluster
from branca.element import CssLink, JavascriptLink, MacroElement
from flask import Blueprint, Flask, current_app, send_from_directory, url_for
from jinja2 import Template
from markupsafe import Markup

JAPAN_CENTER = (36.2, 138.3)
JAPAN_ZOOM = 5

# One colour per regional block, in block order; chosen to stay distinguishable on a light map.
BLOCK_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)

vendor = Blueprint("vendor", __name__)


@vendor.route("/vendor/leaflet/<path:filename>")
def leaflet_asset(filename: str):
    return send_from_directory(xstatic_leaflet.BASE_DIR, filename, max_age=7 * 24 * 3600)


@vendor.route("/vendor/markercluster/<path:filename>")
def markercluster_asset(filename: str):
    return send_from_directory(xstatic_markercluster.BASE_DIR, filename, max_age=7 * 24 * 3600)


@dataclass(frozen=True)
class MapParts:
    """What a page needs to show one map: asset tags for <head>, the container and the script."""

    header: Markup
    html: Markup
    script: Markup


@dataclass
class RemoteLayer:
    """A GeoJSON layer the browser fetches from ``url``.

    ``kind``: "outlines" (polygons), "points" (fetched once) or "viewport" (refetched for the
    visible box on every pan and zoom; the API answers with points or cluster counts).
    """

    kind: str
    url: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)

    def as_options(self) -> dict[str, Any]:
        return {"kind": self.kind, "url": self.url, "name": self.name, **self.options}


class _RemoteLayers(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        LocationsMaps.addLayers({{ this._parent.get_name() }}, {{ this.layers|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, layers: list[RemoteLayer]):
        super().__init__()
        self._name = "RemoteLayers"
        self.layers = [layer.as_options() for layer in layers]


def bounds_around(
    points: list[tuple[float, float]], margin: float = 0.6
) -> tuple[tuple[float, float], tuple[float, float]]:
    """South-west and north-east corners around the points, widened by ``margin`` degrees.

    Fitting to points rather than outlines keeps remote islands (Ogasawara, say) from
    shrinking the mainland to a speck.
    """
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return (min(lats) - margin, min(lons) - margin), (max(lats) + margin, max(lons) + margin)


def block_colours(block_codes: list[str]) -> dict[str, str]:
    return {code: BLOCK_PALETTE[i % len(BLOCK_PALETTE)] for i, code in enumerate(block_codes)}


def build_map(
    layers: list[RemoteLayer],
    center: tuple[float, float] = JAPAN_CENTER,
    zoom: int = JAPAN_ZOOM,
    bounds: Optional[tuple[tuple[float, float], tuple[float, float]]] = None,
) -> MapParts:
    """A map with the configured tiles (if any) and the given remote layers."""
    fmap = folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=True)
    # MarkerCluster needs the map's own maxZoom: without tiles nothing else sets one.
    fmap.options.update(maxZoom=18, minZoom=3)
    fmap.default_js = [("leaflet", url_for("vendor.leaflet_asset", filename="leaflet.js"))]
    fmap.default_css = [("leaflet_css", url_for("vendor.leaflet_asset", filename="leaflet.css"))]
    tile_url = current_app.config.get("TILE_URL")
    if tile_url:
        folium.TileLayer(
            tiles=tile_url,
            attr=current_app.config.get("TILE_ATTRIBUTION") or "",
            name="tiles",
            control=False,
        ).add_to(fmap)
    if bounds:
        fmap.fit_bounds([list(bounds[0]), list(bounds[1])])
    _RemoteLayers(layers).add_to(fmap)

    root = fmap.get_root()
    root.render()
    # Keep only the asset links from folium's header: its page-wide styles would fight ours.
    assets = [
        child.render()
        for child in root.header._children.values()
        if isinstance(child, (JavascriptLink, CssLink))
    ]
    if any(layer.kind == "viewport" for layer in layers):
        for name in ("MarkerCluster.css", "MarkerCluster.Default.css"):
            assets.append(f'<link rel="stylesheet" href="{url_for("vendor.markercluster_asset", filename=name)}">')
        assets.append(f'<script src="{url_for("vendor.markercluster_asset", filename="leaflet.markercluster.js")}"></script>')
    assets.append(f'<script src="{url_for("static", filename="js/maps.js")}"></script>')
    return MapParts(
        header=Markup("\n".join(assets)),
        html=Markup(root.html.render()),
        script=Markup(root.script.render()),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(vendor)
