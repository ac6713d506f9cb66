"""Build the small spatial layers the app ships (seeds/layers/) from the open datasets in ../shared/data:
simplified, with only the attributes the planner uses. Run by ``flask --app wsgi build-layers``; the output
is committed, so a clean clone (and CI) needs no ../shared."""
from __future__ import annotations

import csv
import json
import os
import re
from typing import Iterable

# Tolerances in degrees (1e-3 ≈ 100 m): DIDs are a "likely DID" flag, parks a "likely in the park" answer;
# both say so, and both point to the official maps. Coordinates are rounded to 5 decimals (≈ 1 m).
DID_TOLERANCE = 0.001
PARK_TOLERANCE = 0.0015
AIRPORT_TOLERANCE = 0.0002
GRADES = {"特別保護地区": "special_protection", "第1種特別地域": "special_1", "第2種特別地域": "special_2",
          "第3種特別地域": "special_3", "普通地域": "ordinary", "海中公園地区": "marine", "海域公園地区": "marine",
          "地種不明": "unknown"}


def _rounded(geometry):
    from shapely import set_precision
    return set_precision(geometry, 0.00001)


def _feature(geometry, properties: dict) -> dict:
    from shapely.geometry import mapping
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def _polygons(geometry):
    from shapely import make_valid
    from shapely.geometry import GeometryCollection, MultiPolygon, Polygon
    if not geometry.is_valid:
        geometry = make_valid(geometry)
    if isinstance(geometry, GeometryCollection):
        parts = [g for g in geometry.geoms if isinstance(g, (Polygon, MultiPolygon))]
        geometry = MultiPolygon([p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])])
    return geometry


def _write(path: str, features: Iterable[dict], meta: dict) -> int:
    features = list(features)
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"type": "FeatureCollection", "meta": meta, "features": features}, out, ensure_ascii=False,
                  separators=(",", ":"))
    return len(features)


def build_did(shared: str, out: str) -> int:
    from shapely.geometry import shape
    folder = os.path.join(shared, "did-2020")
    files = sorted(f for f in os.listdir(folder) if re.fullmatch(r"r02_did_\d\d_[a-z]+\.geojson", f))
    files.append(os.path.join("fallback-2010", "h22_did_27_osaka.geojson"))
    features = []
    for name in files:
        year = 2010 if name.startswith("fallback") else 2020
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            data = json.load(f)
        for feat in data["features"]:
            p = feat["properties"]
            geometry = _polygons(shape(feat["geometry"])).simplify(DID_TOLERANCE, preserve_topology=True)
            if geometry.is_empty:
                continue
            features.append(_feature(_rounded(geometry), {
                "code": f"{int(p['KEN']):02d}{int(p['CITY']):03d}", "name": p["CITYNAME"], "year": year}))
    return _write(os.path.join(out, "did.geojson"), features, {
        "layer": "did", "tolerance_deg": DID_TOLERANCE,
        "credit": "出典：政府統計の総合窓口(e-Stat)「人口集中地区」（令和2年国勢調査; 大阪府は平成22年）"
                  "データを加工して作成"})


def build_parks(shared: str, out: str) -> int:
    from shapely.geometry import shape
    with open(os.path.join(shared, "national-parks-moe", "national_parks_2016_simplified.geojson"),
              encoding="utf-8") as f:
        data = json.load(f)
    features = []
    for feat in data["features"]:
        p = feat["properties"]
        geometry = _polygons(shape(feat["geometry"])).simplify(PARK_TOLERANCE, preserve_topology=True)
        if geometry.is_empty or geometry.area < 2e-6:
            continue
        features.append(_feature(_rounded(geometry), {"park": p["name"], "grade": GRADES.get(p["grade"], "unknown")}))
    return _write(os.path.join(out, "national_parks.geojson"), features, {
        "layer": "national_park", "tolerance_deg": PARK_TOLERANCE,
        "credit": "出典：環境省生物多様性センター「国立公園区域」データ（kamataryo/nationalpark-map による変換）"
                  "を加工して作成"})


def build_landing_sites(shared: str, out: str) -> int:
    with open(os.path.join(shared, "osm-facilities-fire-aerodrome-military", "landing_sites.geojson"),
              encoding="utf-8") as f:
        data = json.load(f)
    features = []
    for feat in data["features"]:
        p = feat["properties"]
        lon, lat = feat["geometry"]["coordinates"]
        kind = "heliport" if p.get("aeroway") == "heliport" else "aerodrome"
        features.append({"type": "Feature", "properties": {"name": p.get("name") or "", "kind": kind},
                         "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}})
    return _write(os.path.join(out, "landing_sites_osm.geojson"), features, {
        "layer": "airport", "credit": "© OpenStreetMap contributors (ODbL 1.0)"})


def build_test_samples(shared: str, out: str) -> dict[str, int]:
    """Licence-unconfirmed layers (C28 airport premises, 登録有形文化財): small samples for tests only."""
    counts = {}
    with open(os.path.join(shared, "ksj-c28-airports", "airport_surfaces.geojson"), encoding="utf-8") as f:
        data = json.load(f)
    keep = [ft for ft in data["features"] if ft["geometry"] and ft["properties"].get("C28_005") in (
        "東京国際空港", "大阪国際空港", "高松空港", "新千歳空港")]
    counts["airports"] = _write(os.path.join(out, "airports_c28_sample.geojson"), [
        {"type": "Feature", "properties": {"name": ft["properties"]["C28_005"]}, "geometry": ft["geometry"]}
        for ft in keep], {"layer": "airport_premises",
                          "credit": "出典：国土交通省「国土数値情報（空港データ）」を加工して作成"})
    rows = []
    with open(os.path.join(shared, "bunka-registered-tangible-buildings", "touroku_yukei_bunkazai_kenzobutsu.csv"),
              encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["都道府県"] in ("香川県", "東京都") and row["緯度"] and row["経度"]:
                rows.append({"type": "Feature", "properties": {"name": row["名称"]},
                             "geometry": {"type": "Point", "coordinates": [round(float(row["経度"]), 5),
                                                                          round(float(row["緯度"]), 5)]}})
    counts["cultural"] = _write(os.path.join(out, "cultural_registered_sample.geojson"), rows, {
        "layer": "cultural", "credit": "出典：文化庁「国指定文化財等データベース」（登録有形文化財（建造物））"})
    return counts
