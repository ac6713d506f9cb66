"""Offline address geocoding to the town block (大字・町丁目) from Geolonia's address points (seeds/japan_towns.csv.gz).

"香川県高松市サンポート2-1" → the サンポート point, not the city hall. The municipality is found by the gazetteer; the
rest of the address is normalised (full/half width, kanji numerals before 丁目, "2-1" for 2丁目1番, 大字/字, old kanji
forms) and its longest town-name prefix wins. No town match: the municipality's office, marked as such.
"""
from __future__ import annotations

import csv
import gzip
import math
import os
import re
import threading
import unicodedata
from collections.abc import Collection
from typing import Optional

from flask import current_app
from sqlalchemy import select

from ..core.extensions import db
from .geo import Place, geocode, municipality_in_address
from .models import Municipality, Prefecture

TOWNS_FILE = "japan_towns.csv.gz"
_OLD_FORMS = str.maketrans("澤邊邉齋齊嶋﨑惠條廣國櫻瀧濱藏龍鐵冨舘驛與來壽團當燈證豐萬靜栁髙德濵",
                           "沢辺辺斎斉島崎恵条広国桜滝浜蔵竜鉄富館駅与来寿団当灯証豊万静柳高徳浜")
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_HYPHENS = re.compile(r"[‐‑‒–—―−ーｰ－]")
_MAX_TOWN = 24
_MAX_KOAZA = 8
# Kanji numbers before these are numbers (一丁目, 北一条, 第三号, 第2地割); elsewhere they stay (一宮, 三原).
# Both sides are normalised alike, so a name such as 九条山 (→ 9条山) still matches.
_NUMBERED = re.compile(r"([〇一二三四五六七八九十]+)(丁目|番町|条|線|号|地割)")
STEM_SPREAD_M = 2_000
_KOAZA_END = re.compile(r"[\d\-番の部、,(（\s]")


def _kanji_number(text: str) -> str:
    """一 → 1, 十二 → 12, 二十三 → 23 (丁目 numbers stay below a hundred)."""
    if "十" not in text:
        return "".join(str(_KANJI_DIGITS[c]) for c in text)
    tens, _, ones = text.partition("十")
    return str((_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0))


def normalise(text: str) -> str:
    """The form both the address and the town names are compared in."""
    text = unicodedata.normalize("NFKC", text).replace("ヶ", "ケ").replace("ヵ", "カ").translate(_OLD_FORMS)
    text = re.sub(r"\s+", "", text)
    text = _NUMBERED.sub(lambda m: _kanji_number(m.group(1)) + m.group(2), text)
    text = re.sub(r"^大?字|(?<=[市区町村])大字|(?<=[市区町村])字(?!\d)", "", text)
    return _HYPHENS.sub("-", text)


def normalise_koaza(text: str) -> str:
    """A 小字 as the seed keys it: "字ナ" → "ナ", "わ" stays hiragana (わ and ワ can be different 小字)."""
    return re.sub(r"^小?字", "", normalise(text))


def _metres(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return math.hypot((a[0] - b[0]) * 111_195, (a[1] - b[1]) * 111_195 * math.cos(math.radians(a[0])))


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


class Towns:
    def __init__(self, path: str) -> None:
        self.by_code: dict[str, dict[str, tuple[float, float, str]]] = {}
        # (code, town key) → {小字 key: point}; a town without a point of its own takes its first 小字's.
        self.koaza: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
        self.stems: dict[str, dict[str, list[str]]] = {}  # code → {first characters: town keys}, built on use
        self.prefectures: Optional[dict[str, str]] = None
        self.wards: dict[str, list[str]] = {}  # designated city's name → its wards' codes, read on first use
        self.names: dict[str, object] = {}  # code → (name, prefecture name, prefecture code), read on first use
        own_point: set[tuple[str, str]] = set()
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                towns = self.by_code.setdefault(row["code"], {})
                # The file holds each name normalised already (key): loading needs no regular expressions.
                town, point = (row["code"], row["key"]), (float(row["lat"]), float(row["lon"]))
                if row.get("koaza"):
                    self.koaza.setdefault(town, {}).setdefault(row["koaza"], point)
                    towns.setdefault(row["key"], (*point, row["town"]))
                elif town not in own_point:
                    own_point.add(town)
                    towns[row["key"]] = (*point, row["town"])

    def prefecture_codes(self) -> dict[str, str]:
        """Prefecture name → 2-digit code (the first digits of its municipalities' codes), read once."""
        if self.prefectures is None:
            self.prefectures = {name: code for name, code in db.session.execute(
                select(Prefecture.name_ja, Prefecture.code))}
        return self.prefectures

    def find(self, code: str, rest: str) -> Optional[tuple[float, float, str, str]]:
        towns = self.by_code.get(code)
        if not towns:
            return None
        rest = normalise(rest)
        candidates = [rest]
        # "番町1-8-15" is 番町一丁目8番15号: the first number is the 丁目.
        block = re.match(r"^(\D+?)(\d+)(?:-|番地?|$)", rest)
        if block:
            candidates.insert(0, f"{block.group(1)}{block.group(2)}丁目")
        for text in candidates:
            for k in range(min(_MAX_TOWN, len(text)), 0, -1):
                if text[:k] in towns:
                    lat, lon, name = towns[text[:k]]
                    return (self._in_koaza(code, text[:k], text[k:])
                            or (lat, lon, name, "block" if "丁目" in name else "oaza"))
        return self._by_stem(code, rest)

    def _by_stem(self, code: str, rest: str) -> Optional[tuple[float, float, str, str]]:
        """No town is named in full: "朝霧台2丁目" when the data has only 朝霧台一丁目, "香南町617" for 香南町由佐,
        香南町岡 …, "小坂南" for 小坂町. The towns sharing the longest stem (2+ characters): the one, or the middle
        of several when they lie within STEM_SPREAD_M of it (else the municipality is the honest answer)."""
        stems = self.stems.get(code)
        if stems is None:
            stems = self.stems[code] = {}
            for key in self.by_code[code]:
                for k in range(2, min(_MAX_TOWN, len(key)) + 1):
                    stems.setdefault(key[:k], []).append(key)
        stem = re.match(r"^\D+", rest)
        text = stem.group(0) if stem else ""
        for k in range(min(_MAX_TOWN, len(text)), 1, -1):
            keys = stems.get(text[:k])
            if not keys:
                continue
            points = [self.by_code[code][key] for key in keys]
            lat = sum(p[0] for p in points) / len(points)
            lon = sum(p[1] for p in points) / len(points)
            if all(_metres((lat, lon), p) <= STEM_SPREAD_M for p in points):
                return lat, lon, points[0][2] if len(points) == 1 else text[:k], "stem"
            return None
        return None

    def _in_koaza(self, code: str, town: str, rest: str) -> Optional[tuple[float, float, str, str]]:
        """The 小字 named right after the town ("ナ68-63", "字北ロ1番地", "ア部6番地"), if the data has its point."""
        koaza = self.koaza.get((code, town))
        if not koaza:
            return None
        rest = re.sub(r"^小?字", "", rest)
        folded = _katakana(rest)
        # A 小字 ends where the 地番 starts (a digit, 番, -, の), at 部 (七尾市藤橋町ア部6) or at the end.
        for k in range(min(_MAX_KOAZA, len(rest)), 0, -1):
            if k < len(rest) and not _KOAZA_END.match(rest[k]):
                continue
            for key in (rest[:k], folded[:k]):
                if key in koaza:
                    lat, lon = koaza[key]
                    return lat, lon, self.by_code[code][town][2] + rest[:k], "koaza"
        return None


_lock = threading.Lock()
_cache: dict[str, Optional[Towns]] = {}


def towns() -> Optional[Towns]:
    path = os.path.join(current_app.config["SEEDS_DIR"], TOWNS_FILE)
    with _lock:
        if path not in _cache:
            _cache[path] = Towns(path) if os.path.exists(path) else None
        return _cache[path]


def geocode_address(address: str) -> Optional[Place]:
    """The town block a Japanese address names, as an approximate Place of kind "town"; None if no town matched."""
    data = towns()
    if data is None:
        return None
    code = municipality_in_address(address)
    if code is None:
        return _without_municipality(data, address)
    town = _municipality(data, code)
    if town is None:
        return None
    text = normalise(address)
    # What follows the municipality's name (a ward's own name for "札幌市中央区…").
    rest = None
    for name in (normalise(town.name_ja.replace(" ", "")), normalise(town.name_ja.split(" ")[-1])):
        at = text.find(name)
        if at >= 0:
            rest = text[at + len(name):]
            rest = rest[len(name):] if rest.startswith(name) else rest  # "金沢市金沢市袋町"
            break
    if not rest:
        return None
    rest = _KYOTO_DIRECTIONS.sub("", rest)  # "烏丸通七条下る東塩小路町": the town follows the street directions
    if code not in data.by_code:  # a designated city without its ward ("浜松市元城町") or with a former one
        return _in_some_ward(data, town, rest)
    found = data.find(code, rest)
    return None if found is None else _place(town, code, found)


# Kyoto's street addresses: the street, the crossing street and 上る/下る/東入る/西入る before the town's name.
_KYOTO_DIRECTIONS = re.compile(r"^.*(?:上る|下る|上ル|下ル|東入る|西入る|東入ル|西入ル|東入|西入)")


def _in_some_ward(data: Towns, city, rest: str) -> Optional[Place]:
    """The town in one of the city's wards, when exactly one ward has it (本町 is in several of them); a ward
    name the data no longer has (浜松市中区, before 2024) is skipped first."""
    wards = data.wards.get(city.name_ja)
    if wards is None:
        wards = data.wards[city.name_ja] = list(db.session.scalars(select(Municipality.code).where(
            Municipality.name_ja.like(f"{city.name_ja}%区"), Municipality.name_ja != city.name_ja)))
    stripped = re.sub(r"^.{1,3}?区", "", rest)
    hits = {}
    for ward in wards:
        for text in (rest, stripped):
            found = data.find(ward, text) if ward in data.by_code else None
            if found is not None and found[3] != "stem":
                hits[ward] = found
                break
    if len(hits) != 1:
        return None
    (ward, found), = hits.items()
    town = _municipality(data, ward)
    return None if town is None else _place(town, ward, found)


def _municipality(data: Towns, code: str):
    if code not in data.names:  # one query per municipality, not per address
        data.names[code] = db.session.execute(
            select(Municipality.name_ja, Prefecture.name_ja.label("prefecture"), Prefecture.code)
            .join(Prefecture, Prefecture.id == Municipality.prefecture_id).where(Municipality.code == code)).first()
    return data.names[code]


def _place(town, code: str, found: tuple[float, float, str, str]) -> Place:
    lat, lon, name, level = found
    label = f"{town.prefecture}{town.name_ja.replace(' ', '')}{name}"
    return Place(label, label, lat, lon, "town", town.code, True, level)


def _without_municipality(data: Towns, address: str) -> Optional[Place]:
    """"石川県万行町11部3番地" (the 市 left out) or "石川県鹿島郡能登部下134部" (only the 郡): the town, when exactly
    one municipality of the named prefecture has a town of that name (三文字 at least, so 本町 or 中町 never decide)."""
    text = normalise(address)
    prefecture = re.match(r"^(北海道|東京都|京都府|大阪府|.{2,3}県)", text)
    if prefecture is None:
        return None
    prefecture_code = data.prefecture_codes().get(prefecture.group(1))
    if prefecture_code is None:
        return None
    rest = re.sub(r"^.{1,5}?郡", "", text[prefecture.end():])
    best: list[tuple[int, str]] = []
    for code, towns_of in data.by_code.items():
        if not code.startswith(prefecture_code):
            continue
        for k in range(min(_MAX_TOWN, len(rest)), 2, -1):
            if rest[:k] in towns_of:
                best.append((k, code))
                break
    longest = max((k for k, _ in best), default=0)
    codes = [code for k, code in best if k == longest]
    if len(codes) != 1:
        return None
    town = _municipality(data, codes[0])
    found = data.find(codes[0], rest)
    return None if town is None or found is None else _place(town, codes[0], found)


# How precise a geocoded point is, as locations and shoots store it (Location.PRECISIONS).
PRECISION = {"town": "town", "municipality": "municipality", "prefecture": "prefecture", "nominatim": "town"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々]")


def locate(query: str, areas: Collection[str] = ()) -> Optional[Place]:
    """An address or place name typed by a person: the town geocoder, then the gazetteer (or Nominatim).

    Text without Japanese ("China", "SOMA", "Mine") is a place only when it is the whole name of one in one of
    ``areas`` (prefecture codes: the FC's, the production's FCs'); otherwise English words would land on 知名町,
    相馬市 or 美祢市."""
    place = geocode_address(query) or geocode(query)
    return place if place is not None and foreign_text_allowed(query, place, areas) else None


def foreign_text_allowed(query: str, place: Place, areas: Collection[str]) -> bool:
    if JAPANESE.search(query):
        return True

    def key(text: str) -> str:
        return re.sub(r"[^a-z]", "", text.lower())

    return (place.prefecture_code in areas and place.kind != "nominatim"
            and key(query) == key(place.name_en.split(",")[0]))
