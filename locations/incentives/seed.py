"""Seed the incentive programmes: each version of a rebate scheme, kept as history."""
from __future__ import annotations

import re
from datetime import date

from ..core.extensions import db
from ..core.seeding import Loader, SeedError, read_csv
from .models import IncentiveProgram


def load_incentive_programs(loader: Loader) -> None:
    """Programme versions by code. Thresholds are strict ("more than") unless thresholds_inclusive ("以上");
    empty means no such criterion
    (amount and country thresholds come in pairs), an empty cap means the source gives none."""
    path, existing = loader.path("incentive_programs.csv"), loader.existing(IncentiveProgram, "code")
    seen: dict[str, int] = {}
    for line, row in read_csv(path):
        loader.required(path, line, row, "code", "name_ja", "name_en", "valid_from", "rate", "source")
        code = row["code"]
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", code):
            raise SeedError(path, line, f"code {code!r} must be lower-case letters, digits and hyphens")
        if code in seen:
            raise SeedError(path, line, f"code {code!r} repeats line {seen[code]}")
        seen[code] = line
        valid_from = iso_date(path, line, row["valid_from"], "valid_from")
        valid_to = iso_date(path, line, row["valid_to"], "valid_to") if row["valid_to"] else None
        if valid_to is not None and valid_to < valid_from:
            raise SeedError(path, line, "valid_to is before valid_from")
        try:
            rate = float(row["rate"])
        except ValueError:
            raise SeedError(path, line, f"rate {row['rate']!r} is not a number") from None
        if not 0 < rate <= 1:
            raise SeedError(path, line, f"rate {row['rate']!r} must be a share above 0 and at most 1 (0.5 = 50%)")
        amounts = {name: whole(path, line, row[name], name) for name in (
            "cap_jpy", "min_japan_spend_alone_jpy", "min_total_budget_jpy", "min_japan_spend_with_total_jpy",
            "min_release_countries", "min_japan_spend_with_release_jpy")}
        for pair in (("min_total_budget_jpy", "min_japan_spend_with_total_jpy"),
                     ("min_release_countries", "min_japan_spend_with_release_jpy")):
            if (amounts[pair[0]] is None) != (amounts[pair[1]] is None):
                raise SeedError(path, line, f"'{pair[0]}' and '{pair[1]}' must both be given or both be empty")
        loader.upsert(IncentiveProgram, code, {
            "code": code, "name_ja": row["name_ja"], "name_en": row["name_en"], "valid_from": valid_from,
            "valid_to": valid_to, "rate": rate, **amounts,
            "is_estimate": loader.flag(path, line, row["is_estimate"], "is_estimate"), "source": row["source"],
            "thresholds_inclusive": loader.flag(path, line, row.get("thresholds_inclusive") or "0",
                                                "thresholds_inclusive"),
        }, existing)
    db.session.flush()

def iso_date(path: str, line: int, value: str, name: str) -> date:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise SeedError(path, line, f"'{name}' {value!r} is not a date (YYYY-MM-DD)")

def whole(path: str, line: int, value: str, name: str) -> int | None:
    if value == "":
        return None
    if not value.isdigit() or not value.isascii():
        raise SeedError(path, line, f"'{name}' {value!r} is not a whole number")
    return int(value)
