"""Maps reuse what folium drew for the same frame, with new element ids on every page."""
import re

from locations.core import maps

HEX_ID = re.compile(r"[0-9a-f]{32}")
LAYERS = [maps.RemoteLayer(kind="viewport", url="/api/locations", name="Locations")]


def _without_ids(parts: maps.MapParts) -> str:
    page = "\n".join((parts.header, parts.html, parts.script))
    return re.sub(r'nonce="[^"]*"', 'nonce=""', HEX_ID.sub("ID", page))


def test_a_reused_frame_is_what_folium_draws_afresh_with_new_ids(app):
    with app.test_request_context("/map"):
        first = maps.build_map(LAYERS, bounds=((34.1, 133.9), (34.4, 134.2)))
        second = maps.build_map(LAYERS, bounds=((34.1, 133.9), (34.4, 134.2)))
        maps._drawn_frame.cache_clear()
        fresh = maps.build_map(LAYERS, bounds=((34.1, 133.9), (34.4, 134.2)))
    assert _without_ids(first) == _without_ids(second) == _without_ids(fresh)
    assert set(HEX_ID.findall(first.script)).isdisjoint(HEX_ID.findall(second.script))
    for parts in (first, second):
        name = re.search(r'class="folium-map" id="(map_[0-9a-f]{32})"', parts.html).group(1)
        assert f'<script type="application/json" id="{name}_layers"' in parts.html
        assert f'LocationsMaps.addLayersFrom({name}, "{name}_layers")' in parts.script
        assert "fitBounds(" in parts.script and "[34.1, 133.9]" in parts.script


def test_frames_differ_by_place_and_by_the_tile_setting(app):
    app.config["TILE_URL"] = "https://tiles.example/{z}/{x}/{y}.png"
    with app.test_request_context("/map"):
        japan = maps.build_map(LAYERS)
        osaka = maps.build_map(LAYERS, center=(34.69, 135.5), zoom=11)
        app.config["TILE_URL"] = ""
        offline = maps.build_map(LAYERS)
    assert "[34.69, 135.5]" in osaka.script and "[34.69, 135.5]" not in japan.script
    assert "tile_layer_" in japan.script and "tile_layer_" not in offline.script
