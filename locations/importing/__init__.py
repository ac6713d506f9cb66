"""CSV and GeoJSON import and export: locations (per film commission) and permit authorities (admin).

Parsing checks every row and collects every problem without writing; applying writes only a clean plan
and never commits (the view or command does, once). The column sets are documented in locations.py and
authorities.py; formats.py reads files and checks single values for both.
"""
from ..core.fileformats import Change, Format, ImportResult, RowError
from ..permits.importing import AuthorityPlan, apply_authorities, export_authorities, parse_authorities
from .locations import (
    COLUMNS,
    REQUIRED,
    ImportPlan,
    PlanEntry,
    apply_plan,
    export_locations,
    generated_slug,
    parse_locations,
)

__all__ = [
    "COLUMNS", "REQUIRED", "AuthorityPlan", "Change", "Format", "ImportPlan", "ImportResult", "PlanEntry",
    "RowError", "apply_authorities", "apply_plan", "export_authorities", "export_locations", "generated_slug",
    "parse_authorities", "parse_locations",
]
