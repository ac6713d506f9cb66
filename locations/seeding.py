"""Load the sourced reference data in seeds/ into the database, in dependency order, upserting by natural key.

Every file is validated before anything is written; the first bad row stops the load with its file,
line and reason, and the caller rolls back. Loaders add and flush; the command commits once.
"""
from __future__ import annotations

from .core.extensions import db
from .core.seeding import Loader, SeedError, SeedReport  # noqa: F401 (SeedError: what callers catch)
from .directory.seed import load_blocks, load_commissions, load_municipalities, load_prefectures
from .incentives.seed import load_incentive_programs
from .library.cells import rebuild_cells
from .library.queries import refresh_statistics
from .library.seed import load_categories, load_takamatsu
from .permits.seed import (
    load_activities,
    load_activity_permits,
    load_authorities,
    load_authority_kinds,
    load_guideline_steps,
    load_permit_types,
    load_questions,
)


def seed_all(seeds_dir: str) -> SeedReport:
    """Upsert every seed table in dependency order; flushes, never commits."""
    loader = Loader(seeds_dir)
    with db.session.no_autoflush:
        members = load_blocks(loader)
        db.session.flush()
        load_prefectures(loader, members)
        load_municipalities(loader)
        load_authority_kinds(loader)
        load_activities(loader)
        load_permit_types(loader)
        load_questions(loader)
        load_activity_permits(loader)
        load_commissions(loader)
        load_authorities(loader)
        load_guideline_steps(loader)
        load_categories(loader)
        load_takamatsu(loader)
        load_incentive_programs(loader)
        if loader.report.counts["location"]["created"] or loader.report.counts["location"]["updated"]:
            rebuild_cells()
        if loader.report.changed:
            db.session.flush()
            refresh_statistics()
    return loader.report
