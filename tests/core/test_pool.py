"""The database pool: sized per process on PostgreSQL, SQLAlchemy's defaults on SQLite."""
from locations.core.config import DefaultConfig, engine_options, from_environment


def config(url, **extra):
    values = {k: getattr(DefaultConfig, k) for k in dir(DefaultConfig) if k.isupper()}
    values.update(SQLALCHEMY_DATABASE_URI=url, **extra)
    return values


def test_postgres_pool_is_sized_from_the_settings():
    options = engine_options(config("postgresql+psycopg://u@h/db", DB_POOL_SIZE=3, DB_MAX_OVERFLOW=1))
    assert options["pool_size"] == 3 and options["max_overflow"] == 1 and options["pool_pre_ping"]
    assert options["pool_timeout"] == 10


def test_sqlite_keeps_its_own_pool():
    assert "pool_size" not in engine_options(config("sqlite:///x.db"))


def test_explicit_engine_options_win_and_the_environment_sets_sizes():
    options = engine_options(config("postgresql+psycopg://u@h/db", SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 9}))
    assert options["pool_size"] == 9
    assert from_environment({"DB_POOL_SIZE": "7", "DB_MAX_OVERFLOW": "0"}) == {"DB_POOL_SIZE": 7, "DB_MAX_OVERFLOW": 0}
