"""After a bulk write the planner statistics are refreshed, and connections opened before it (in this process's
pool or another process's) use the new ones: SQLite reads them per connection, so they reload on checkout."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from locations.core.extensions import db
from locations.library.queries import refresh_statistics


def test_a_connection_opened_before_an_import_reloads_the_new_statistics(app_context):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's statistics are shared by every session, and ANALYZE invalidates cached plans")
    other = create_engine(db.engine.url)  # stands for another worker process's pool on the same file
    try:
        with other.connect() as connection:
            before = connection.connection.info["statistics_epoch"]
        refresh_statistics()  # what apply_plan, demo data and merges call
        db.session.commit()
        epoch = db.session.execute(text("PRAGMA user_version")).scalar_one()
        assert epoch != before
        with other.connect() as connection:  # the same pooled DBAPI connection, checked out again
            assert connection.connection.info["statistics_epoch"] == epoch
            assert connection.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar_one() > 0
    finally:
        other.dispose()
