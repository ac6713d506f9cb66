"""Spatial layers for the planner: is a point inside a DID (which), inside a national park (park and zone),
how far from an airport or heliport, how near a registered cultural property. Each answer is yes, no or
unknown, and unknown is said as unknown (there is no quasi-national or prefectural park layer, so a point
outside the national parks is not proof of "no park").

The layers are small simplified GeoJSON files (seeds/layers/, built by ``flask build-layers`` from
../shared/data) held in shapely STRtrees in process, so a point test costs well under a millisecond on either
database. Layers whose licence is not confirmed (C28 airport premises, 登録有形文化財) are loaded only from
the extra files named in ``SPATIAL_EXTRA_LAYERS`` (tests use small samples).
"""
from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

from .engine import Fact

KM_PER_DEGREE = 111.32
# Distances for the drone and fireworks questions. An airport's restricted surfaces reach about 4 km around
# small fields (水平表面) and up to 24 km around the largest (外側水平表面); heliports' are small. Between the
# two the answer stays unknown and the planner asks (and points to the 地理院地図「空港等の周辺空域」).
AIRPORT_YES_KM, AIRPORT_NO_KM = 6.0, 24.0
HELIPORT_YES_KM, HELIPORT_NO_KM = 1.0, 5.0
DID_EDGE_KM = 0.15  # the DID layer is simplified to ≈ 100 m: nearer its edge than this is "unknown"
CULTURAL_NEAR_M = 100.0
ZONES_JA = {"special_protection": "特別保護地区", "special_1": "第1種特別地域", "special_2": "第2種特別地域",
            "special_3": "第3種特別地域", "ordinary": "普通地域", "marine": "海域公園地区", "unknown": "地種不明"}
ZONES_EN = {"special_protection": "special protection zone", "special_1": "class 1 special zone",
            "special_2": "class 2 special zone", "special_3": "class 3 special zone", "ordinary": "ordinary zone",
            "marine": "marine park zone", "unknown": "zone not recorded"}
# Order of strictness when zones overlap at a point (the stricter zone's rules apply).
_ZONE_RANK = ("special_protection", "special_1", "special_2", "special_3", "marine", "ordinary", "unknown")


@dataclass
class Layer:
    name: str
    geometries: list
    properties: list[dict]
    credit: str
    tree: object = None

    xs: object = None  # for point layers: coordinates as arrays, for vectorised distances
    ys: object = None

    @classmethod
    def from_file(cls, path: str) -> Layer:
        import numpy
        import shapely

        with open(path, encoding="utf-8") as f:
            text = f.read()
        data = json.loads(text)
        # GEOS parses the whole collection at once, far faster than one shapely.geometry.shape per feature.
        geometries = list(shapely.from_geojson(text).geoms) if data["features"] else []
        layer = cls(name=data.get("meta", {}).get("layer", os.path.basename(path)), geometries=geometries,
                    properties=[feat["properties"] for feat in data["features"]],
                    credit=data.get("meta", {}).get("credit", ""), tree=shapely.STRtree(geometries))
        if geometries and all(g.geom_type == "Point" for g in geometries):
            layer.xs = numpy.array([g.x for g in geometries])
            layer.ys = numpy.array([g.y for g in geometries])
        return layer

    def containing(self, point) -> list[int]:
        return [int(i) for i in self.tree.query(point, predicate="within")]

    def near(self, point, km: float) -> bool:
        """Whether any feature lies within about ``km`` of the point (degrees of latitude: a quick test)."""
        return len(self.tree.query(point, predicate="dwithin", distance=km / KM_PER_DEGREE)) > 0

    def within_km(self, lat: float, lon: float, km: float) -> list[tuple[float, int]]:
        """(distance km, index) of the features within ``km`` of the point, nearest first."""
        from shapely.geometry import Point, box

        dlat = km / KM_PER_DEGREE
        scale = max(0.2, math.cos(math.radians(lat)))
        dlon = dlat / scale
        hits = self.tree.query(box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
        if self.xs is not None:
            dx = (self.xs[hits] - lon) * KM_PER_DEGREE * scale
            dy = (self.ys[hits] - lat) * KM_PER_DEGREE
            distances = (dx * dx + dy * dy) ** 0.5
            return sorted((float(d), int(i)) for d, i in zip(distances, hits) if d <= km)
        point = Point(lon, lat)
        found = [(_km(point, self.geometries[int(i)], lat), int(i)) for i in hits]
        return sorted(f for f in found if f[0] <= km)


def _km(point, geometry, lat: float) -> float:
    """Approximate distance in km between a point and a geometry (equirectangular, fine at these scales)."""
    from shapely.ops import nearest_points

    near = nearest_points(point, geometry)[1]
    dx = (near.x - point.x) * KM_PER_DEGREE * math.cos(math.radians(lat))
    dy = (near.y - point.y) * KM_PER_DEGREE
    return math.hypot(dx, dy)


@dataclass
class Layers:
    did: Optional[Layer] = None
    parks: Optional[Layer] = None
    landing: Optional[Layer] = None  # aerodromes and heliports (points)
    premises: Optional[Layer] = None  # airport premises (polygons), licence unconfirmed
    cultural: Optional[Layer] = None  # registered tangible cultural properties (points), licence unconfirmed
    credits: list[str] = field(default_factory=list)


_CACHE: dict[tuple, Layers] = {}
_LOCK = threading.Lock()
FILES = {"did": "did.geojson", "parks": "national_parks.geojson", "landing": "landing_sites_osm.geojson"}
EXTRA = {"airport_premises": "premises", "cultural": "cultural"}


def load_layers(folder: str, extra: tuple[str, ...] = ()) -> Layers:
    """The layers in ``folder`` (and the extra files), built once per process and kept."""
    key = (folder, extra)
    with _LOCK:
        if key not in _CACHE:
            layers = Layers()
            for attr, name in FILES.items():
                path = os.path.join(folder, name)
                if os.path.exists(path):
                    setattr(layers, attr, Layer.from_file(path))
            for path in extra:
                layer = Layer.from_file(path)
                setattr(layers, EXTRA.get(layer.name, layer.name), layer)
            layers.credits = [layer.credit for layer in (layers.did, layers.parks, layers.landing,
                                                          layers.premises, layers.cultural) if layer and layer.credit]
            _CACHE[key] = layers
        return _CACHE[key]


def app_layers() -> Layers:
    """The layers of the running app (seeds/layers under SEEDS_DIR, plus SPATIAL_EXTRA_LAYERS)."""
    from flask import current_app

    folder = current_app.config.get("SPATIAL_LAYERS_DIR") or os.path.join(current_app.config["SEEDS_DIR"], "layers")
    return load_layers(folder, tuple(current_app.config.get("SPATIAL_EXTRA_LAYERS") or ()))


# ------------------------------------------------------------------------------------------------ facts

def N_(text: str) -> str:
    """Marks a note's English template for the catalogue (readers of zh/ko get it through ``Fact.note_for``)."""
    return text


def _fact(value: str | None, ja: str, template: str, **params: Any) -> Fact:
    values = {key: str(v) for key, v in params.items()}
    return Fact(value, ja, template % values if values else template, template, tuple(values.items()))


def did_fact(layers: Layers, lat: float, lon: float) -> Fact:
    from shapely.geometry import Point

    if layers.did is None:
        return _fact(None, "人口集中地区のデータがありません", N_("no DID data is loaded"))
    point = Point(lon, lat)
    inside = layers.did.containing(point)
    if inside:
        p = layers.did.properties[inside[0]]
        year_ja = "平成22年" if p["year"] == 2010 else "令和2年"
        template = N_("inside the DID of “%(name)s” (%(year)s census; Osaka is still the 2010 DID)") \
            if p["year"] == 2010 else N_("inside the DID of “%(name)s” (%(year)s census)")
        return _fact("yes", f"{p['name']}の人口集中地区内({year_ja}国勢調査)", template, name=p["name"], year=p["year"])
    if layers.did.near(point, DID_EDGE_KM):
        return _fact(None, f"人口集中地区の境界から約{DID_EDGE_KM * 1000:.0f} m以内。地理院地図で確認してください",
                     N_("within about %(m)s m of a DID edge: check the official DID map"), m=f"{DID_EDGE_KM * 1000:.0f}")
    return _fact("no", "人口集中地区の外(令和2年国勢調査)", N_("outside every DID (2020 census)"))


def park_fact(layers: Layers, lat: float, lon: float) -> tuple[Fact, Optional[dict]]:
    from shapely.geometry import Point

    if layers.parks is None:
        return _fact(None, "自然公園のデータがありません", N_("no park data is loaded")), None
    found = [layers.parks.properties[i] for i in layers.parks.containing(Point(lon, lat))]
    if not found:
        return _fact(None, "国立公園の区域外。国定公園・都道府県立自然公園は未収録のため確認が必要です",
                     N_("outside the national parks; quasi-national and prefectural parks are not mapped, so ask")), None
    best = min(found, key=lambda p: _ZONE_RANK.index(p["grade"]) if p["grade"] in _ZONE_RANK else 99)
    ja = f"{best['park']}国立公園 {ZONES_JA.get(best['grade'], best['grade'])}"
    en = f"“{best['park']}” National Park, {ZONES_EN.get(best['grade'], best['grade'])}"
    if best["grade"] == "ordinary":
        ja, en = ja + "(届出: 第33条)", en + " (a notice: art. 33)"
    elif best["grade"].startswith("special"):
        ja, en = ja + "(許可: 第20条・第21条)", en + " (a permit: arts. 20–21)"
    return Fact("yes", ja, en), best


def airport_fact(layers: Layers, lat: float, lon: float) -> tuple[Fact, Optional[dict]]:
    """Whether the point is near an airport or heliport; the nearest one found, with its distance."""
    nearest: Optional[dict] = None
    verdict: Optional[str] = "no"
    for layer, kind_of in ((layers.premises, lambda p: "aerodrome"), (layers.landing, lambda p: p["kind"])):
        if layer is None:
            continue
        for distance, i in layer.within_km(lat, lon, AIRPORT_NO_KM):
            props = layer.properties[i]
            kind = kind_of(props)
            yes_km, no_km = (HELIPORT_YES_KM, HELIPORT_NO_KM) if kind == "heliport" else (AIRPORT_YES_KM, AIRPORT_NO_KM)
            here = "yes" if distance <= yes_km else (None if distance < no_km else "no")
            if nearest is None or distance < nearest["km"]:
                nearest = {"name": props.get("name") or "?", "kind": kind, "km": distance}
            if here == "yes":
                verdict = "yes"
            elif here is None and verdict == "no":
                verdict = None
    if layers.landing is None and layers.premises is None:
        return _fact(None, "空港のデータがありません", N_("no airport data is loaded")), None
    if nearest is None:
        return _fact("no", f"{AIRPORT_NO_KM:.0f} km以内に空港・ヘリポートはありません(OpenStreetMap)",
                     N_("no airport or heliport within %(km)s km (OpenStreetMap)"), km=f"{AIRPORT_NO_KM:.0f}"), None
    heliport = nearest["kind"] == "heliport"
    ja = f"最寄りの{'ヘリポート' if heliport else '空港'}: {nearest['name']}({nearest['km']:.1f} km)"
    if verdict is None:
        ja += "。制限表面の中か地理院地図で確認してください"
        template = N_("nearest heliport: “%(name)s” (%(km)s km); check its restricted surfaces on the official map") \
            if heliport else \
            N_("nearest airport: “%(name)s” (%(km)s km); check its restricted surfaces on the official map")
    else:
        template = N_("nearest heliport: “%(name)s” (%(km)s km)") if heliport else \
            N_("nearest airport: “%(name)s” (%(km)s km)")
    return _fact(verdict, ja, template, name=nearest["name"], km=f"{nearest['km']:.1f}"), nearest


def cultural_fact(layers: Layers, lat: float, lon: float) -> tuple[Fact, Optional[dict]]:
    if layers.cultural is None:
        return _fact(None, "文化財の位置データは未収録です(指定文化財は対象外)",
                     N_("cultural properties are not mapped here (designated ones never are)")), None
    near = layers.cultural.within_km(lat, lon, CULTURAL_NEAR_M / 1000)
    if not near:
        return _fact(None, f"{CULTURAL_NEAR_M:.0f} m以内に登録有形文化財(建造物)はありません。指定文化財は未収録です",
                     N_("no registered tangible cultural property within %(m)s m; designated properties are not "
                        "mapped"), m=f"{CULTURAL_NEAR_M:.0f}"), None
    distance, i = near[0]
    name = layers.cultural.properties[i]["name"]
    return _fact(None, f"登録有形文化財「{name}」まで{distance * 1000:.0f} m",
                 N_("registered tangible cultural property “%(name)s” is %(m)s m away"), name=name,
                 m=f"{distance * 1000:.0f}"), \
        {"name": name, "m": distance * 1000}


def facts_at(layers: Layers, lat: float, lon: float) -> dict[str, Fact]:
    """Facts keyed as questions' ``answered_by`` (did, national_park, airport, cultural)."""
    return {"did": did_fact(layers, lat, lon), "national_park": park_fact(layers, lat, lon)[0],
            "airport": airport_fact(layers, lat, lon)[0], "cultural": cultural_fact(layers, lat, lon)[0]}


def ground_at(layers: Layers, lat: float, lon: float, lang: str) -> list[tuple[str, Optional[str], str]]:
    """For the location page: (label, yes / no / None, what the layer says) per layer."""
    facts = facts_at(layers, lat, lon)
    labels = {"en": {"did": "Densely inhabited district (DID)", "national_park": "Natural park",
                     "airport": "Near an airport or heliport", "cultural": "Registered cultural property nearby"},
              "ja": {"did": "人口集中地区(DID)", "national_park": "自然公園", "airport": "空港・ヘリポートの周辺",
                     "cultural": "付近の登録有形文化財"}}["ja" if lang == "ja" else "en"]
    return [(labels[k], f.value, f.note("ja" if lang == "ja" else "en")) for k, f in facts.items()]
