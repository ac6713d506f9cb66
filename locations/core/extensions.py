"""Extensions, created unbound and wired to the app in create_app."""
from flask_babel import Babel
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
babel = Babel()


# Each connection's page cache (SQLite's default is 2 MB). A word-filtered map viewport at 1M locations reads
# tens of MB of the text index; with 64 MB the pages stay between requests (p95 through gunicorn 34.8 → 28.3
# ms on the bench's 1M file). Pages are cached as they are read, so a small database uses what it has.
SQLITE_CACHE_KIB = 64 * 1024


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record):
    """Enforce foreign keys, let readers and a writer work side by side on SQLite, and keep more pages."""
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    # SQLAlchemy emits BEGIN itself (see _begin_sqlite), so pysqlite must not start transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    """BEGIN IMMEDIATE for transactions marked as writes, plain BEGIN for the rest."""
    if conn.dialect.name == "sqlite":
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@event.listens_for(Engine, "checkout")
def _reload_statistics(dbapi_connection, connection_record, connection_proxy):
    """SQLite reads planner statistics when a connection opens, so a pooled connection would plan with the
    statistics of before a bulk import (0.6–2.8 s map queries instead of 8–40 ms). The import's ANALYZE bumps
    user_version (library.queries.refresh_statistics); a connection that sees a new one reloads them."""
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    cursor = dbapi_connection.cursor()
    epoch = cursor.execute("PRAGMA user_version").fetchone()[0]
    if connection_record.info.setdefault("statistics_epoch", epoch) != epoch:
        cursor.execute("ANALYZE sqlite_schema")
        connection_record.info["statistics_epoch"] = epoch
    cursor.close()
