"""The rule book, loaded once per process and rebuilt when its reference data changes.

``engine.load_rules`` stays the one reader of the database; this keeps its result per app together with the
version stamp it was read at (core/versions.py). Every write to the tables below raises the stamp in the same
transaction; each web process and worker reads the stamp at most once a second (``versions.recent``), so
it sees another process's change within a second and its own at the next plan.
"""
from __future__ import annotations

from ..core import versions
from .engine import RuleBook, load_rules

STAMP = "permit_rules"
versions.watch(STAMP, ("authority_kind", "activity", "permit_type", "activity_permit", "permit_authority",
                       "authority_prefecture", "municipality", "prefecture"))

def cached_rules(session) -> RuleBook:
    """The rule book as ``load_rules`` would read it now, from this process's copy when that is current."""
    return versions.kept(session, STAMP, lambda: load_rules(session))


def warm(app) -> None:
    """Build the rule book before a server process takes its first request (about a second at full size,
    which would otherwise land on whoever asks for a plan first). A database that does not answer yet is
    left to the first request, which reads the rules as usual."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..core.extensions import db

    with app.app_context():
        try:
            cached_rules(db.session)
        except SQLAlchemyError:
            app.logger.warning("permit rule book not built ahead: the database did not answer", exc_info=True)
        finally:
            db.session.remove()
