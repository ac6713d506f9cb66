"""Offline address geocoding to the town block (大字・町丁目) from Geolonia's address points (seeds/japan_towns.csv.gz).

"香川県高松市サンポート2-1" → the サンポート point, not the city hall. The municipality is found by the gazetteer; the
rest of the address is normalised (full/half width, kanji numerals before 丁目, "2-1" for 2丁目1番, 大字/字, old kanji
forms) and its longest town-name prefix wins. No town match: the municipality's office, marked as such.
"""
from __future__ import annotations

import csv
import gzip
import os
import re
import threading
import unicodedata
from typing import Optional

from flask import current_app
from sqlalchemy import select

from ..core.extensions import db
from .geo import Place, municipality_in_address
from .models import Municipality, Prefecture

TOWNS_FILE = "japan_towns.csv.gz"
_OLD_FORMS = str.maketrans("澤邊邉齋齊嶋﨑惠條廣國櫻瀧濱藏龍鐵冨舘驛與來壽團當燈證豐萬靜", "沢辺辺斎斉島崎恵条広国桜滝浜蔵竜鉄富館駅与来寿団当灯証豊万静")
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_HYPHENS = re.compile(r"[‐‑‒–—―−ーｰ－]")
_MAX_TOWN = 24


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
    text = re.sub(r"([〇一二三四五六七八九十]+)(丁目|番町|条|線)", lambda m: _kanji_number(m.group(1)) + m.group(2), text)
    text = re.sub(r"^大字|(?<=[町村])大字|(?<=[町村])字(?!\d)", "", text)
    return _HYPHENS.sub("-", text)


class Towns:
    def __init__(self, path: str) -> None:
        self.by_code: dict[str, dict[str, tuple[float, float, str]]] = {}
        self.names: dict[str, object] = {}  # code → (name, prefecture name, prefecture code), read on first use
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                towns = self.by_code.setdefault(row["code"], {})
                # The file holds each name normalised already (key): loading needs no regular expressions.
                towns.setdefault(row["key"], (float(row["lat"]), float(row["lon"]), row["town"]))

    def find(self, code: str, rest: str) -> Optional[tuple[float, float, str]]:
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
                    return towns[text[:k]]
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
    code = municipality_in_address(address)
    data = towns()
    if code is None or data is None:
        return None
    if code not in data.names:  # one query per municipality, not per address
        data.names[code] = db.session.execute(
            select(Municipality.name_ja, Prefecture.name_ja.label("prefecture"), Prefecture.code)
            .join(Prefecture, Prefecture.id == Municipality.prefecture_id).where(Municipality.code == code)).first()
    town = data.names[code]
    if town is None:
        return None
    text = normalise(address)
    # What follows the municipality's name (a ward's own name for "札幌市中央区…").
    rest = None
    for name in (normalise(town.name_ja.replace(" ", "")), normalise(town.name_ja.split(" ")[-1])):
        at = text.find(name)
        if at >= 0:
            rest = text[at + len(name):]
            break
    if not rest:
        return None
    found = data.find(code, rest)
    if found is None:
        return None
    lat, lon, name = found
    label = f"{town.prefecture}{town.name_ja.replace(' ', '')}{name}"
    return Place(label, label, lat, lon, "town", town.code, True)
