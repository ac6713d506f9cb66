"""Every folium map the app draws, with Leaflet served locally and data loaded from our own API.

Folium would link Leaflet, jQuery and Bootstrap from public CDNs and inline every marker; here the map
takes Leaflet from the XStatic package, and point and outline layers are fetched as GeoJSON by
static/js/maps.js, so a page's size does not grow with the data and the page works offline.

No data value ever reaches folium. branca compiles every element's rendered script as a new Jinja
template, so a name such as ``{{ lipsum.__globals__ }}`` inside a tooltip or layer option would run on
the server. The layers' options (names, labels, pins) travel instead in a JSON ``<script
type="application/json">`` element beside the map, written by ``layer_data_element`` and read by
static/js/maps.js, which puts every value into the page with ``textContent``.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

import folium
import xyzservices
import xstatic.pkg.leaflet as xstatic_leaflet
import xstatic.pkg.leaflet_markercluster as xstatic_markercluster
from branca.element import CssLink, JavascriptLink, MacroElement
from flask import Blueprint, Flask, current_app, send_from_directory, url_for
from flask_babel import gettext as _
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from .config import tile_source
from .security import csp_nonce

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
    """Asks static/js/maps.js to draw the layers described in the JSON element named after the map
    (``<name>_layers``).

    Only the map's generated name is written into the script, never data, because branca renders this
    script as a template a second time.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        LocationsMaps.addLayersFrom({{ this._parent.get_name() }}, {{ (this._parent.get_name() ~ "_layers")|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "RemoteLayers"


def layer_data_element(data_id: str, layers: list[dict[str, Any]]) -> Markup:
    """The layers as inert JSON in the page: the browser does not run it and no template engine reads it.

    ``htmlsafe_json_dumps`` escapes ``<``, ``>``, ``&`` and ``'``, so no value can close the element. It
    carries the page's nonce like every inline script, although browsers never run this type.
    """
    return Markup('<script type="application/json" id="{}" nonce="{}">{}</script>').format(
        data_id, csp_nonce(), htmlsafe_json_dumps(layers))


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


def _base_map(center: tuple[float, float], zoom: int,
              bounds: Optional[tuple[tuple[float, float], tuple[float, float]]],
              tile_url: str, attribution: str, leaflet: tuple[str, str]) -> folium.Map:
    """A folium map with Leaflet from our own server (``leaflet``: its script and style URLs) and the tiles."""
    fmap = folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=True)
    # MarkerCluster needs the map's own maxZoom: without tiles nothing else sets one.
    fmap.options.update(maxZoom=18, minZoom=3)
    fmap.default_js = [("leaflet", leaflet[0])]
    fmap.default_css = [("leaflet_css", leaflet[1])]
    if tile_url:
        # A provider, not the URL: folium first looks a string up by name among xyzservices' thousand
        # providers (3 ms, a tenth of the search page). Its URL is then set back exactly as configured, since
        # building it from the provider would fill placeholders such as {name}.
        layer = folium.TileLayer(
            tiles=xyzservices.TileProvider(name="tiles", url=tile_url, attribution=attribution),
            attr=attribution,
            name="tiles",
            control=False,
        )
        layer.tiles = tile_url
        layer.add_to(fmap)
    if bounds:
        fmap.fit_bounds([list(bounds[0]), list(bounds[1])])
    return fmap


@dataclass(frozen=True)
class _Frame:
    """What folium writes for a map, all but its layers (which travel as JSON beside it)."""

    header: str
    html: str
    script: str
    name: str  # the map's name in the script, which the layers' JSON element is named after
    ids: tuple[str, ...]  # the elements' random ids, renewed on every page that reuses the frame


def _element_ids(element) -> list[str]:
    return [element._id] + [i for child in element._children.values() for i in _element_ids(child)]


@lru_cache(maxsize=256)
def _drawn_frame(center, zoom, bounds, tile_url, attribution, leaflet, extra_assets) -> _Frame:
    """Drawn once per distinct frame: branca compiles each element's output as a new Jinja template, which
    was 2 ms of every page with a map. Every argument is a number, a setting or one of our URLs."""
    fmap = _base_map(center, zoom, bounds, tile_url, attribution, leaflet)
    _RemoteLayers().add_to(fmap)
    root = fmap.get_root()
    root.render()
    # Keep only the asset links from folium's header: its page-wide styles would fight ours.
    assets = [child.render() for child in root.header._children.values() if isinstance(child, (JavascriptLink, CssLink))]
    return _Frame(header="\n".join([*assets, *extra_assets]), html=root.html.render(), script=root.script.render(),
                  name=fmap.get_name(), ids=tuple(_element_ids(root)))


def _frame(center, zoom, bounds, viewport: bool) -> _Frame:
    """This map's frame, its elements given new ids (as a map drawn afresh would have)."""
    tile_url, attribution = tile_source(current_app.config)
    leaflet = (url_for("vendor.leaflet_asset", filename="leaflet.js"),
               url_for("vendor.leaflet_asset", filename="leaflet.css"))
    extra = []
    if viewport:
        for name in ("MarkerCluster.css", "MarkerCluster.Default.css"):
            extra.append(f'<link rel="stylesheet" href="{url_for("vendor.markercluster_asset", filename=name)}">')
        extra.append(f'<script src="{url_for("vendor.markercluster_asset", filename="leaflet.markercluster.js")}"></script>')
    extra.append(f'<script src="{url_for("static", filename="js/maps.js")}"></script>')
    bounds = (tuple(bounds[0]), tuple(bounds[1])) if bounds else None
    frame = _drawn_frame(tuple(center), zoom, bounds, tile_url, attribution, leaflet, tuple(extra))
    fresh = {old: os.urandom(16).hex() for old in frame.ids}
    ids = re.compile("|".join(frame.ids))

    def renew(text: str) -> str:
        return ids.sub(lambda found: fresh[found.group(0)], text)

    return _Frame(header=renew(frame.header), html=renew(frame.html), script=renew(frame.script),
                  name=renew(frame.name), ids=tuple(fresh.values()))


def base_layer(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """The offline base every map draws under its own layers: prefecture outlines (unless the map already has
    them) and, from city zoom on, the municipal outlines of the visible box; drawn thin, grey and not
    clickable, so a click on the map (the shoot picker's) never lands on them. maps.js also falls back to
    this base alone, saying so, when the tiles fail to load."""
    return {
        "kind": "base",
        "name": _("Outlines (offline base map)"),
        "prefectures": None if any(layer.get("kind") in ("outlines", "choropleth") for layer in layers)
        else url_for("api.prefectures"),
        "municipalities": url_for("api.municipal_outlines"),
        "minZoom": MUNICIPAL_MIN_ZOOM,
        "tilesFailedText": _("Map tiles could not be loaded: showing the app's own outlines instead."),
        "listText": _("Points on this map, for keyboards and screen readers (%(n)s)", n="{n}"),
    }


# From this zoom on (a prefecture fills the map) the base draws municipal outlines.
MUNICIPAL_MIN_ZOOM = 8


def _render(center, zoom, bounds, layers: list[dict[str, Any]]) -> MapParts:
    layers = [base_layer(layers), *layers]
    frame = _frame(center, zoom, bounds, viewport=any(layer.get("kind") == "viewport" for layer in layers))
    return MapParts(header=Markup(frame.header),
                    html=Markup(frame.html) + layer_data_element(f"{frame.name}_layers", layers),
                    script=Markup(frame.script))


def build_map(
    layers: list[RemoteLayer],
    center: tuple[float, float] = JAPAN_CENTER,
    zoom: int = JAPAN_ZOOM,
    bounds: Optional[tuple[tuple[float, float], tuple[float, float]]] = None,
    circle: Optional[tuple[float, float, float]] = None,
) -> MapParts:
    """A map with the configured tiles (if any) and the given remote layers; ``circle`` (lat, lon, km) draws a
    search radius, and the map then fits it."""
    options = [layer.as_options() for layer in layers]
    if circle is not None:
        lat, lon, km = circle
        options.append({"kind": "circle", "lat": lat, "lon": lon, "radiusM": km * 1000})
        bounds = bounds or circle_bounds(lat, lon, km)
    return _render(center, zoom, bounds, options)


def circle_bounds(lat: float, lon: float, km: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The box around a circle of ``km`` (a degree of latitude is ~111 km; of longitude, that times cos lat)."""
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    return (lat - dlat, lon - dlon), (lat + dlat, lon + dlon)


def init_app(app: Flask) -> None:
    app.register_blueprint(vendor)


# Choropleth classes: a light grey for "nothing recorded", then light to dark red.
CHOROPLETH_ZERO = "#eeeeee"
CHOROPLETH_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
# A withheld figure (privacy): grey, unlike any value.
CHOROPLETH_WITHHELD = "#9e9e9e"
# In a tall map frame at zoom 5 this shows Okinawa Island to Hokkaido; fitting bounds would snap to
# zoom 4, where the prefectures become too small to tell apart.
CHOROPLETH_CENTER = (36.2, 136.0)


@dataclass(frozen=True)
class LegendStep:
    colour: str
    low: int
    high: int


def choropleth_steps(values: dict[str, Optional[int]]) -> list[LegendStep]:
    """Zero on its own, then up to five equal, whole-number classes from 1 to the largest value
    (withheld values, None, are left out)."""
    steps = [LegendStep(CHOROPLETH_ZERO, 0, 0)]
    top = max((v for v in values.values() if v is not None), default=0)
    if top <= 0:
        return steps
    width = -(-top // len(CHOROPLETH_COLOURS))  # ceiling division: the last class reaches ``top``
    low = 1
    for colour in CHOROPLETH_COLOURS:
        high = min(low + width - 1, top)
        steps.append(LegendStep(colour, low, high))
        if high >= top:
            break
        low = high + 1
    return steps


def choropleth_colour(value: Optional[int], steps: list[LegendStep]) -> str:
    if value is None:
        return CHOROPLETH_WITHHELD
    return next((s.colour for s in steps if s.low <= value <= s.high), steps[-1].colour)


def choropleth_map(values: dict[str, Optional[int]], labels: dict[str, str], outlines_url: str, name: str,
                   lang: str) -> tuple[MapParts, list[LegendStep]]:
    """Prefectures filled by ``values`` (code → number), with ``labels`` (code → text) in the tooltips.

    The outlines come from ``outlines_url`` (the cached prefecture GeoJSON): inlining them would add
    ~320 kB to every page; the 47 values and colours travel inline.
    """
    steps = choropleth_steps(values)
    layer = RemoteLayer(kind="choropleth", url=outlines_url, name=name, options={
        "lang": lang,
        "values": values,
        "labels": labels,
        "fills": {code: choropleth_colour(value, steps) for code, value in values.items()},
    })
    return build_map([layer], center=CHOROPLETH_CENTER, zoom=JAPAN_ZOOM), steps


# --- A production's map: its shoots, the authorities its permit steps are addressed to, and the lines
# between them. The few points travel inline (a production has a handful), drawn by folium itself.

SHOOT_COLOUR = "#1f77b4"
AUTHORITY_COLOUR = "#b2182b"


@dataclass(frozen=True)
class MapPin:
    """A point with plain-text tooltip lines (the first is its name); the browser sets them as text."""

    lat: float
    lon: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class MapLink:
    start: tuple[float, float]
    end: tuple[float, float]
    lines: tuple[str, ...]


def _pin(pin: MapPin) -> dict[str, Any]:
    return {"lat": pin.lat, "lon": pin.lon, "lines": [str(line) for line in pin.lines]}


def build_production_map(shoots: list[MapPin], authorities: list[MapPin], links: list[MapLink]) -> MapParts:
    """Shoots as blue dots, authorities as smaller red rings, and a dashed line per (shoot, authority).

    The pins travel as data and static/js/maps.js draws them, tooltips as plain text."""
    points = [(p.lat, p.lon) for p in (*shoots, *authorities)]
    bounds = bounds_around(points, margin=0.01) if len(points) > 1 else None
    layer = {
        "kind": "pins",
        "shootColor": SHOOT_COLOUR,
        "authorityColor": AUTHORITY_COLOUR,
        "shoots": [_pin(p) for p in shoots],
        "authorities": [_pin(p) for p in authorities],
        "links": [{"start": list(link.start), "end": list(link.end), "lines": [str(x) for x in link.lines]}
                  for link in links],
    }
    return _render(points[0] if points else JAPAN_CENTER, 12 if points else JAPAN_ZOOM, bounds, [layer])
