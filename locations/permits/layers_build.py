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


# --------------------------------------------------------------------------- candidate offices (OSM, ODbL)

OSM_FIELDS = ("code", "kind", "name_ja", "name_en", "prefecture_codes", "municipality_code", "address", "lat", "lon",
              "phone", "website", "jurisdiction", "served_municipalities", "parent_code", "takes_applications",
              "source", "coords_are_estimate", "is_estimate")
_POLICE = re.compile(r"警察署$")
_FIRE = re.compile(r"(消防署|消防本部|消防局|分署)$")


def _placer(seeds: str):
    """(prefecture code, nearest municipality office code) for a point: the prefecture by its outline, the
    municipality by its office (approximate; OSM gives no address)."""
    import math

    from shapely import STRtree
    from shapely.geometry import Point, shape

    with open(os.path.join(seeds, "prefecture_boundaries.geojson"), encoding="utf-8") as f:
        outlines = json.load(f)["features"]
    with open(os.path.join(seeds, "prefectures.csv"), encoding="utf-8") as f:
        codes = {row["name_ja"]: row["code"] for row in csv.DictReader(f)}
    shapes = [shape(o["geometry"]) for o in outlines]
    pref_codes = [codes[o["properties"]["N03_001"]] for o in outlines]
    tree = STRtree(shapes)
    towns: dict[str, list[tuple[float, float, str]]] = {}
    with open(os.path.join(seeds, "municipalities_localgovjp.csv"), encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if " " in row["city"]:
                continue  # wards: place at the city, whose office the ward shares or is near
            towns.setdefault(f"{int(row['pid']):02d}", []).append(
                (float(row["lat"]), float(row["lng"]), row["lgcode"].zfill(6)[:5]))

    def place(lat: float, lon: float):
        point = Point(lon, lat)
        hits = tree.query(point, predicate="within")
        if len(hits) == 0:
            near = tree.query_nearest(point, max_distance=0.05)  # a pier or a small island off the outline
            if len(near) == 0:
                return None, None
            hits = near
        pref = pref_codes[int(hits[0])]
        scale = math.cos(math.radians(lat))
        town = min(towns.get(pref, []), key=lambda t: (t[0] - lat) ** 2 + ((t[1] - lon) * scale) ** 2,
                   default=None)
        return pref, town[2] if town else None

    return place


def build_osm_offices(shared: str, seeds: str) -> dict[str, int]:
    """seeds/authorities_osm.csv: OSM 警察署 (no 交番/駐在所) and fire stations (no 消防団 depots, no unnamed
    points), as unconfirmed candidate offices. A separate file so a confirmed list can replace it."""
    place = _placer(seeds)
    rows, counts = [], {"police_station": 0, "fire_department": 0}
    sources = (
        ("police_station", os.path.join(shared, "osm-police-2014", "police.geojson"), _POLICE,
         "© OpenStreetMap contributors (ODbL 1.0), 2014"),
        ("fire_department", os.path.join(shared, "osm-facilities-fire-aerodrome-military", "fire_stations.geojson"),
         _FIRE, "© OpenStreetMap contributors (ODbL 1.0)"))
    seen = set()
    for kind, path, pattern, credit in sources:
        with open(path, encoding="utf-8") as f:
            features = json.load(f)["features"]
        for number, feat in enumerate(features):
            name = (feat["properties"].get("name") or "").strip()
            if not pattern.search(name) or "消防団" in name:
                continue
            lon, lat = feat["geometry"]["coordinates"][:2]
            pref, town = place(lat, lon)
            if pref is None or (kind, name, pref) in seen:
                continue
            seen.add((kind, name, pref))
            ident = feat["properties"].get("id", f"n{number}").replace("/", "-")
            rows.append({
                "code": f"osm-{'police' if kind == 'police_station' else 'fire'}-{ident}", "kind": kind,
                "name_ja": name, "name_en": "", "prefecture_codes": pref, "municipality_code": town or "",
                "address": "", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "phone": "", "website": "",
                "jurisdiction": "unknown", "served_municipalities": "",
                "parent_code": f"police-hq-{pref}" if kind == "police_station" else "", "takes_applications": "1",
                "source": credit,
                "coords_are_estimate": "0", "is_estimate": "1"})
            counts[kind] += 1
    rows.sort(key=lambda r: (r["kind"], r["prefecture_codes"], r["code"]))
    with open(os.path.join(seeds, "authorities_osm.csv"), "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=OSM_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return counts
