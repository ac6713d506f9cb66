"""Every SQLite connection the app opens is set up alike: foreign keys, WAL, a busy timeout, a larger page cache."""
import pytest
from sqlalchemy import text

from locations.core.extensions import SQLITE_CACHE_KIB, db


def test_sqlite_connections_are_tuned(app_context):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's connection settings")
    connection = db.session.connection()
    settings = {name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout", "cache_size")}
    assert settings == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000, "cache_size": -SQLITE_CACHE_KIB}
    assert SQLITE_CACHE_KIB >= 32 * 1024
