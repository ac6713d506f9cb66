"""Build seeds/japan_towns.csv.gz from Geolonia's address points (``flask --app wsgi build-towns``).

The source names each town by prefecture + municipality (郡 included, wards joined: 河北郡内灘町, 京都市上京区); the
seed names it by the 5-digit code of seeds/municipalities_localgovjp.csv. 小字 rows (koaza: イ, ロ, 前田 …) are kept
as their own rows, because rural addresses name them (津幡町字津幡ナ68 → 字津幡, 小字 ナ) and a 大字 can be km wide.
Each row also carries ``key``, the name as ``towns.normalise`` writes it, so loading needs no regular expressions.
"""
from __future__ import annotations

import csv
import gzip
import io
import os
import re

from .towns import normalise, normalise_koaza

FIELDS = ("code", "town", "key", "koaza", "lat", "lon")
# Hamamatsu's seven wards became three on 2024-01-01, after the source's commit (2024-01-15 still has the old
# ones): 中・東・西・南区 → 中央区, 浜北区 → 浜名区; 北区 was split between the two, so its towns go to both.
RENAMED = {"浜松市中区": ("22138",), "浜松市東区": ("22138",), "浜松市西区": ("22138",), "浜松市南区": ("22138",),
           "浜松市浜北区": ("22139",), "浜松市北区": ("22138", "22139")}


def municipality_codes(localgov_csv: str) -> dict[tuple[str, str], str]:
    """(prefecture, municipality name without spaces) → 5-digit code."""
    codes = {}
    with open(localgov_csv, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["city"]:
                codes[(row["pref"], row["city"].replace(" ", "").replace("ヶ", "ケ"))] = row["lgcode"][:5]
    return codes


def build(source_gz: str, localgov_csv: str, out_gz: str) -> dict[str, int]:
    """Write the seed; return counts (towns, koaza, rows without a point, municipalities not found)."""
    codes = municipality_codes(localgov_csv)
    seen: set[tuple[str, str, str]] = set()
    counts = {"towns": 0, "koaza": 0, "no point": 0, "unknown municipality": 0}
    unknown: set[str] = set()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    with gzip.open(source_gz, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["municipality"].replace("ヶ", "ケ")
            code = codes.get((row["prefecture"], name)) or codes.get((row["prefecture"], re.sub(r"^.+?郡", "", name)))
            targets = (code,) if code else RENAMED.get(name, ())
            if not targets:
                unknown.add(f"{row['prefecture']}{row['municipality']}")
                continue
            if not row["lat"] or not row["lon"]:
                counts["no point"] += 1
                continue
            koaza = normalise_koaza(row["koaza"]) if row["koaza"] else ""
            key = normalise(row["town"])
            for code in targets:
                if (code, key, koaza) in seen:
                    continue  # the first point of a name is kept
                seen.add((code, key, koaza))
                counts["koaza" if koaza else "towns"] += 1
                writer.writerow((code, row["town"], key, koaza, f"{float(row['lat']):.5f}",
                                 f"{float(row['lon']):.5f}"))
    counts["unknown municipality"] = len(unknown)
    os.makedirs(os.path.dirname(out_gz) or ".", exist_ok=True)
    with gzip.GzipFile(out_gz, "wb", compresslevel=9, mtime=0) as handle:
        handle.write(buffer.getvalue().encode("utf-8"))
    return counts
