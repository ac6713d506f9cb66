"""Places and distances: romanised municipality names, an offline gazetteer, optional Nominatim."""
from __future__ import annotations

import re
from functools import lru_cache

MUNICIPAL_SUFFIXES = {"市": ("し",), "区": ("く",), "町": ("ちょう", "まち"), "村": ("むら", "そん")}


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def romanize_reading(kana: str) -> str:
    """Hepburn romaji of a kana reading, long vowels folded as in common English use (とうきょう → tokyo)."""
    text = "".join(part["hepburn"] for part in _kakasi().convert(kana))
    text = re.sub(r"ou", "o", re.sub(r"uu", "u", re.sub(r"oo", "o", text)))
    return re.sub(r"\s+", " ", text).strip()


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
    return " ".join(romanize_reading(w).title() for w in stripped)
