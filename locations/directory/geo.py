"""Places and distances: romanised municipality names, an offline gazetteer, optional Nominatim.

It is long because the offline gazetteer (Japanese, kana and romaji matching) and the optional
Nominatim fallback share their normalisation and ranking.
"""
from __future__ import annotations

import difflib
import logging
import re
import threading
import time
import unicodedata
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Optional

from flask import current_app
from geopy.distance import great_circle
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy import select

from ..core.extensions import db
from . import boundaries
from .models import Municipality, Prefecture

log = logging.getLogger(__name__)

MUNICIPAL_SUFFIXES = {"市": ("し",), "区": ("く",), "町": ("ちょう", "まち"), "村": ("むら", "そん")}
MAX_QUERY = 200
# A capital's city hall is within ~5 km of its prefectural office (岐阜 5.2); same-name cities that are not
# the capital lie 11 km (山梨市) or more away.
CAPITAL_KM = 8.0
NOMINATIM_CACHE_SIZE = 1024
NOMINATIM_TIMEOUT = 5
# After a failure, leave Nominatim alone for a while: every request would otherwise wait for the timeout.
NOMINATIM_RETRY_AFTER = 60.0

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆]")
_KANA_ONLY = re.compile(r"[\u3041-\u309f\u30a1-\u30fcー]+")
# English and romanised kind words; the kind narrows the match ("Kyoto City" vs "Kyoto Prefecture").
_KIND_WORDS = {
    "city": "市", "shi": "市", "town": "町", "cho": "町", "machi": "町", "village": "村", "mura": "村",
    "son": "村", "ward": "区", "ku": "区", "prefecture": "pref", "pref": "pref", "ken": "pref", "fu": "pref",
    "to": "pref", "district": "", "gun": "",
}
_NOISE_WORDS = {"japan", "of"}


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def romanize_reading(kana: str) -> str:
    """Hepburn romaji of a kana reading, long vowels folded as in common English use (とうきょう → tokyo)."""
    text = "".join(part["hepburn"] for part in _kakasi().convert(kana))
    text = re.sub(r"ou", "o", re.sub(r"uu", "u", re.sub(r"oo", "o", text)))
    return re.sub(r"\s+", " ", text).strip()


def romanize_name(text: Optional[str]) -> Optional[str]:
    """Romaji of a name written in kana or kanji, word by word ('栗林公園' → 'kuribayashi koen'), for search.

    From kanji this is a guess (pykakasi's reading); a file's own kana (名称_カナ) gives the true one."""
    if not text or not _JAPANESE.search(text):
        return None
    words = []
    for part in _kakasi().convert("".join(c for c in text[:150] if c <= "\uffff")):
        # The middle dot between katakana words (コンベンション・ビューロー) is a word break, not text.
        hepburn = part["hepburn"].replace("・", " ").strip()
        word = re.sub(r"ou", "o", re.sub(r"uu", "u", re.sub(r"oo", "o", hepburn)))
        if word and re.search(r"[a-z0-9]", word):
            words.append(word)
    return " ".join(" ".join(words).split())[:300] or None


def romaji_of(name: str, kana: Optional[str] = None) -> Optional[str]:
    """The kana read out (the true reading: リツリンコウエン → ritsurinkoen), then the name's words as pykakasi
    reads them (栗林公園 → kuribayashi koen): a search finds either."""
    read = [romanize_name(kana) if kana else None, romanize_name(name)]
    return " ".join(dict.fromkeys(r for r in read if r))[:300] or None


def municipality_romaji(name_ja: str, kana: str) -> str:
    """'高松市', 'たかまつし' → 'Takamatsu'; designated-city wards keep both parts ('Sapporo Chuo')."""
    words = kana.split()
    names = name_ja.split() if " " in name_ja else [name_ja]
    stripped = []
    for index, word in enumerate(words):
        suffix_char = names[index][-1] if index < len(names) and names[index] else (name_ja[-1] if name_ja else "")
        for ending in MUNICIPAL_SUFFIXES.get(suffix_char, ()):
            if word.endswith(ending) and len(word) > len(ending):
                word = word[: -len(ending)]
                break
        stripped.append(word)
    # capitalize, not title(): "kan'onji" must become "Kan'onji", not "Kan'Onji".
    return " ".join(romanize_reading(w).capitalize() for w in stripped)


@dataclass(frozen=True)
class Place:
    """A geocoded point; gazetteer places are approximate: the point is the office, not the address."""

    name: str
    name_en: str
    lat: float
    lon: float
    kind: Literal["prefecture", "municipality", "town", "nominatim"]
    prefecture_code: Optional[str]
    approximate: bool
    # For town points, what the address reached: "block" (町丁目), "koaza" (小字), "oaza" (a 大字 or a town
    # without 丁目, often km wide), "stem" (several towns sharing the name's first characters).
    level: str = ""


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    return great_circle(a, b).km


def geocode(query: str) -> Optional[Place]:
    """The best place for a name or address: Nominatim when configured and reachable, else the gazetteer."""
    text = _clean(query)
    if text is None:
        return None
    if current_app.config.get("GEOCODER") == "nominatim":
        place = _nominatim(text)
        if place is not None:
            return place
    places = _lookup(_gazetteer(), text)
    return places[0] if places else None


def suggest(query: str, limit: int = 5) -> list[Place]:
    """Close gazetteer matches for an unknown or ambiguous place, best first (same-name places included)."""
    text = _clean(query)
    if text is None or limit <= 0:
        return []
    g = _gazetteer()
    places = _lookup(g, text)
    places += [other for place in places for other in g.same_name.get(place, ())]
    if _JAPANESE.search(text):
        keys, probes = g.fuzzy_ja, [re.sub(r"\s+", "", text)]
    else:
        words = [w for w, _ in _romaji_tokens(text)]
        keys, probes = g.romaji, [" ".join(words)] + words[:5]
    for probe in filter(None, probes):
        for key in difflib.get_close_matches(probe, keys, n=limit, cutoff=0.6):
            places += keys[key]
    return list(dict.fromkeys(places))[:limit]


def clear_gazetteer_cache() -> None:
    """Forget the current app's gazetteer, e.g. after seeding changed prefectures or municipalities."""
    current_app.extensions.pop("gazetteer", None)


# --- normalising -----------------------------------------------------------------------------------------


def _clean(query: str) -> Optional[str]:
    """NFKC text with control characters as spaces and runs of space collapsed; None if empty or overlong."""
    if not isinstance(query, str) or len(query.strip()) > MAX_QUERY:
        return None
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in _nfkc(query))
    text = " ".join(text.split())
    return text if text and len(text) <= MAX_QUERY else None


def _nfkc(text: str) -> str:
    # Names are written with ヶ and ケ interchangeably (七ヶ宿町 / 七ケ宿町).
    return unicodedata.normalize("NFKC", text).replace("ヶ", "ケ").replace("ヵ", "カ")


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _fold(word: str) -> str:
    """Spelling variants folded the way romanize_reading folds them: Tōkyō, Toukyou, Tokyo; Gumma, Gunma."""
    word = re.sub(r"ou", "o", re.sub(r"uu", "u", re.sub(r"oo", "o", word)))
    return re.sub(r"m(?=[bmp])", "n", word)


def _ascii_lower(text: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"['’`]", "", text.lower())


def _romaji_key(name: str) -> str:
    return " ".join(_fold(w) for w in re.split(r"[^a-z0-9]+", _ascii_lower(name)) if w)


def _romaji_tokens(text: str) -> list[tuple[str, Optional[str]]]:
    """Words with the kind that a following kind word gives them: 'Takamatsu-shi' → [('takamatsu', '市')]."""
    tokens: list[tuple[str, Optional[str]]] = []
    for part in re.sub(r"[^a-z0-9,\- ]", " ", _ascii_lower(text)).split(","):
        start = len(tokens)
        for word in part.replace("-", " ").split():
            word = _fold(word)
            if word in _KIND_WORDS:
                if len(tokens) > start:  # a kind word names the kind of the word before it
                    tokens[-1] = (tokens[-1][0], _KIND_WORDS[word] or tokens[-1][1])
            elif word not in _NOISE_WORDS:
                tokens.append((word, None))
    return tokens


def _strip(name: str, suffixes: str) -> str:
    return name[:-1] if len(name) > 1 and name[-1] in suffixes else name


# --- the gazetteer -------------------------------------------------------------------------------------


@dataclass
class _Gazetteer:
    # Full names, also with their prefecture in front; found anywhere in a text (addresses). The flag says
    # the form names the prefecture too.
    forms: dict[str, list[tuple[Place, bool]]] = field(default_factory=lambda: defaultdict(list))
    # Names without suffix and kana readings: too short to search for inside a text ("京都" is in "東京都"),
    # so only matched as the whole query or its start.
    names: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    romaji: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    code: dict[Place, str] = field(default_factory=dict)
    same_name: dict[Place, list[Place]] = field(default_factory=dict)
    # Capitals named like their prefecture (京都市, 広島市): a bare "Kyoto" means the city. Places that merely
    # share the name (岩手町, 山梨市, 沖縄市) do not shadow their prefecture.
    twins: dict[Place, Place] = field(default_factory=dict)
    fuzzy_ja: dict[str, list[Place]] = field(default_factory=dict)
    longest_form: int = 0


def _gazetteer() -> _Gazetteer:
    g = current_app.extensions.get("gazetteer")
    if g is None:  # two threads may both build it once; the result is the same
        g = current_app.extensions["gazetteer"] = _build_gazetteer()
    return g


def _build_gazetteer() -> _Gazetteer:
    g = _Gazetteer()
    prefectures: dict[int, tuple[Place, str]] = {}
    for row in db.session.execute(select(Prefecture.id, Prefecture.code, Prefecture.name_ja, Prefecture.name_en,
                                         Prefecture.office_lat, Prefecture.office_lon).order_by(Prefecture.code)):
        name = _nfkc(row.name_ja)
        place = Place(name, row.name_en, row.office_lat, row.office_lon, "prefecture", row.code, True)
        prefectures[row.id] = (place, _strip(name, "都府県"))
        g.code[place] = row.code
        g.forms[name].append((place, True))
        g.names[_strip(name, "都府県")].append(place)
        g.romaji[_romaji_key(row.name_en)].append(place)

    groups: dict[str, list[Place]] = defaultdict(list)
    for row in db.session.execute(select(
        Municipality.code, Municipality.name_ja, Municipality.kana, Municipality.name_romaji,
        Municipality.prefecture_id, Municipality.office_lat, Municipality.office_lon, Municipality.is_ward,
    ).order_by(Municipality.code)):
        prefecture, prefecture_bare = prefectures[row.prefecture_id]
        name = _nfkc(row.name_ja)
        romaji = row.name_romaji or romanize_reading(row.kana).title()
        place = Place(prefecture.name + name, f"{romaji}, {prefecture.name_en}", row.office_lat, row.office_lon,
                      "municipality", prefecture.prefecture_code, True)
        g.code[place] = row.code
        for form in dict.fromkeys((name, prefecture.name + name, prefecture_bare + name)):
            g.forms[form].append((place, form != name))
        bare = _strip(name, "市町村区")
        kana = re.sub(r"\s+", "", row.kana)
        readings = {kana} | {kana[: -len(e)] for e in MUNICIPAL_SUFFIXES.get(name[-1], ()) if kana.endswith(e)}
        # A ward without its city ("中央") names a dozen places; keep wards to their full name and reading.
        for key in readings if row.is_ward else readings | {bare, prefecture.name + bare}:
            g.names[key].append(place)
        g.romaji[_romaji_key(romaji)].append(place)
        local = name.split("市", 1)[1] if row.is_ward and "市" in name[:-1] else name
        groups[_strip(local, "市町村区")].append(place)
        if (bare == prefecture_bare or _romaji_key(romaji) == _romaji_key(prefecture.name_en)) and name[-1] == "市" \
                and distance_km((place.lat, place.lon), (prefecture.lat, prefecture.lon)) < CAPITAL_KM:
            g.twins[place] = prefecture
    for group in groups.values():
        for place in group:
            g.same_name[place] = group
    # Plain dicts from here on: a lookup must never add a key.
    g.forms, g.names, g.romaji = dict(g.forms), dict(g.names), dict(g.romaji)
    g.longest_form = max(map(len, g.forms), default=0)
    g.fuzzy_ja = {key: [p for p, _ in places] for key, places in g.forms.items()} | dict(g.names)
    return g


# --- matching ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    place: Place
    start: int
    end: int
    in_context: bool = False  # the text also names the place's prefecture


def _lookup(g: _Gazetteer, text: str) -> list[Place]:
    """Gazetteer places for a cleaned query, best first."""
    if _JAPANESE.search(text):
        hits = _japanese_hits(g, re.sub(r"\s+", "", text))
        if hits:
            return _choose(g, hits)
    return _choose(g, _romaji_hits(g, text))


def _japanese_hits(g: _Gazetteer, text: str) -> list[_Hit]:
    whole = len(text)
    hits = [_Hit(p, 0, whole) for p in g.names.get(text, ())]
    if _KANA_ONLY.fullmatch(text):
        # Prefectures have no reading in the data, so a reading is also tried as romaji (いわて → Iwate).
        hiragana = _hiragana(text)
        hits += [_Hit(p, 0, whole) for p in g.names.get(hiragana, ())]
        hits += [_Hit(h.place, 0, whole) for h in _romaji_hits(g, romanize_reading(hiragana))]
    if hits:
        return hits
    hits, i = [], 0
    while i < whole:  # longest full name at each position, left to right, as addresses are written
        for k in range(min(g.longest_form, whole - i), 1, -1):
            if text[i:i + k] in g.forms:
                hits += [_Hit(p, i, i + k, named) for p, named in g.forms[text[i:i + k]]]
                i += k
                break
        else:
            i += 1
    if any(h.place.kind == "municipality" for h in hits):
        return hits
    # No full municipality name: a bare name at the start or right after a prefecture (高松駅, 香川県高松駅).
    start = hits[0].end if hits and hits[0].start == 0 else 0
    for k in range(whole - start, 1, -1):
        if text[start:start + k] in g.names:
            return hits + [_Hit(p, start, start + k) for p in g.names[text[start:start + k]]]
    return hits


def _romaji_hits(g: _Gazetteer, text: str) -> list[_Hit]:
    tokens = _romaji_tokens(text)
    hits = []
    for i in range(len(tokens)):
        for j in range(i + 1, min(len(tokens), i + 3) + 1):
            keys = [(" ".join(w for w, _ in tokens[i:j]), tokens[j - 1][1])]
            if j == i + 2:  # "Chuo-ku, Sapporo" → "sapporo chuo"
                keys.append((f"{tokens[i + 1][0]} {tokens[i][0]}", tokens[i][1]))
            for key, kind in keys:
                hits += [_Hit(p, i, j) for p in g.romaji.get(key, ()) if _fits(p, kind)]
    return hits


def _fits(place: Place, kind: Optional[str]) -> bool:
    if kind == "pref":
        return place.kind == "prefecture"
    return not kind or place.kind == "municipality" and place.name.endswith(kind)


def _choose(g: _Gazetteer, hits: list[_Hit]) -> list[Place]:
    """Order hits: municipalities inside a prefecture the text names, earliest, longest, lowest code."""
    prefectures = sorted((h for h in hits if h.place.kind == "prefecture"),
                         key=lambda h: (h.start, h.start - h.end, g.code[h.place]))

    def disjoint(a: _Hit, b: _Hit) -> bool:
        return a.end <= b.start or b.end <= a.start

    municipalities = sorted(
        (_Hit(h.place, h.start, h.end, h.in_context or any(
            disjoint(p, h) and p.place.prefecture_code == h.place.prefecture_code for p in prefectures))
         for h in hits if h.place.kind == "municipality"),
        key=lambda h: (not h.in_context, h.start, h.start - h.end, g.code[h.place]),
    )
    ordered = [h.place for h in municipalities + prefectures]
    if municipalities and not municipalities[0].in_context:
        best = municipalities[0]
        named = [p.place for p in prefectures if disjoint(p, best)]
        if named:  # "東京都高松市", "Takamatsu, Tokyo": the named prefecture beats a municipality outside it
            return list(dict.fromkeys(named + ordered))
        rivals = [h.place for h in municipalities + prefectures if (h.start, h.end) == (best.start, best.end)]
        return list(dict.fromkeys(_rank_tie(g, rivals) + ordered))
    return list(dict.fromkeys(ordered))


def _rank_tie(g: _Gazetteer, places: list[Place]) -> list[Place]:
    """Equal matches: a capital named like its prefecture, else the prefecture, else the lowest code."""
    prefectures = [p for p in places if p.kind == "prefecture"]
    twins = [p for p in places if g.twins.get(p) in prefectures]
    return twins + prefectures + places


# --- Nominatim -----------------------------------------------------------------------------------------


@dataclass
class _Nominatim:
    geocode: RateLimiter
    cache: OrderedDict[str, Optional[Place]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    retry_at: float = 0.0


_state_lock = threading.Lock()


def _nominatim(text: str) -> Optional[Place]:
    """Nominatim's answer, cached per app; None when it has none or fails (then the gazetteer answers)."""
    key = text.casefold()
    try:
        state = _nominatim_state()
    except Exception as error:  # e.g. a rejected user agent: a configuration mistake must not break search
        log.warning("Nominatim is not usable, using the offline gazetteer: %r", error)
        return None
    with state.lock:
        if key in state.cache:
            state.cache.move_to_end(key)
            return state.cache[key]
    if time.monotonic() < state.retry_at:
        return None
    try:
        location = state.geocode(text, exactly_one=True, country_codes="jp")
        place = None if location is None else _nominatim_place(location)
    except Exception as error:  # an optional service: whatever goes wrong, the gazetteer still answers
        log.warning("Nominatim failed for %r, using the offline gazetteer: %r", text, error)
        state.retry_at = time.monotonic() + NOMINATIM_RETRY_AFTER
        return None
    with state.lock:
        state.cache[key] = place
        while len(state.cache) > NOMINATIM_CACHE_SIZE:
            state.cache.popitem(last=False)
    return place


def _nominatim_state() -> _Nominatim:
    with _state_lock:
        state = current_app.extensions.get("geocoder")
        if state is None:
            geolocator = Nominatim(user_agent=current_app.config.get("GEOCODER_USER_AGENT") or "locations-app",
                                   timeout=NOMINATIM_TIMEOUT)
            # No retries: each waits seconds inside a web request; _nominatim backs off after a failure instead.
            limited = RateLimiter(geolocator.geocode, min_delay_seconds=1, max_retries=0, swallow_exceptions=False)
            state = current_app.extensions["geocoder"] = _Nominatim(limited)
        return state


def _nominatim_place(location) -> Place:
    address = str(location.address)
    within = _lookup(_gazetteer(), _clean(address[-MAX_QUERY:]) or "")  # "番町, 高松市, 香川県, 日本" → 37
    return Place(address, address, float(location.latitude), float(location.longitude), "nominatim",
                 within[0].prefecture_code if within else None, False)


def nearest_municipality(lat: float, lon: float) -> Optional[Municipality]:
    """The municipality the point lies in (boundary polygons); off every polygon, the one whose office is closest."""
    found = boundaries.place(lat, lon)
    if found is not None:
        town = db.session.scalar(select(Municipality).where(Municipality.code == found.code))
        if town is not None:
            return town
    box = 0.3
    candidates = db.session.scalars(select(Municipality).where(
        Municipality.office_lat.between(lat - box, lat + box), Municipality.office_lon.between(lon - box, lon + box)))
    return min(candidates, key=lambda m: (m.office_lat - lat) ** 2 + (m.office_lon - lon) ** 2, default=None)


def municipality_in_address(address: str) -> Optional[str]:
    """The code of the municipality a Japanese address names ("香川県高松市…" → 37201), or None.

    Only full names count (高松市, not 高松), so a street or station named after a town is no match."""
    text = _clean(address or "")
    if text is None or not _JAPANESE.search(text):
        return None
    g = _gazetteer()
    compact = re.sub(r"\s+", "", text)
    hits, i = [], 0
    while i < len(compact):
        for k in range(min(g.longest_form, len(compact) - i), 1, -1):
            if compact[i:i + k] in g.forms:
                hits += [_Hit(p, i, i + k, named) for p, named in g.forms[compact[i:i + k]]]
                i += k
                break
        else:
            i += 1
        if any(h.place.kind == "municipality" for h in hits):
            break  # the first municipality named is the address's; the rest is town, block and building
    prefectures = {h.place.prefecture_code for h in hits if h.place.kind == "prefecture"}
    places = [p for p in _choose(g, hits) if p.kind == "municipality"]
    if not places or (prefectures and places[0].prefecture_code not in prefectures):
        return None  # "香川県昭和町…": no 昭和町 in 香川県, so the address names no municipality we know
    return g.code[places[0]]
