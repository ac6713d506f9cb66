"""PostgreSQL: a narrow search table of the visible locations (id, tsvector, lat, lon), kept by a trigger

The location table is wide (descriptions, contacts, review notes), so counting and ranking the matches of a
common word through it visited one heap page per match (山: 4,850 pages at 100k for a capped count). The
narrow copy holds only what search and word-filtered map viewports read, for the locations producers see, as
SQLite's FTS5 table does: the capped count, the bounded ranking and the filtered clusters read a few hundred
pages instead. SQLite is unchanged.

Revision ID: 9b2e4d7a1c30
Revises: c0de5e550001
Create Date: 2026-12-02 06:20:00

"""
from alembic import op


revision = "9b2e4d7a1c30"
down_revision = "c0de5e550001"
branch_labels = None
depends_on = None

VISIBLE = "{row}.status = 'published' AND {row}.hidden_stale IS FALSE"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE location_search (id integer PRIMARY KEY, vector tsvector NOT NULL, "
               "lat double precision NOT NULL, lon double precision NOT NULL)")
    op.execute("INSERT INTO location_search (id, vector, lat, lon) SELECT id, search_vector, lat, lon "
               f"FROM location WHERE {VISIBLE.format(row='location')}")
    op.execute("CREATE INDEX ix_location_search_words ON location_search USING gin (vector)")
    # A word-filtered viewport of a small box ANDs this with the word's bitmap instead of reading every match
    # of the word (公園 at zoom 8, 1M rows: 185 -> 25 ms).
    op.execute("CREATE INDEX ix_location_search_position ON location_search (lat, lon)")
    # AFTER triggers see the stored generated search_vector of the new row.
    op.execute(f"""CREATE FUNCTION location_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            DELETE FROM location_search WHERE id = OLD.id;
          END IF;
          IF TG_OP <> 'DELETE' AND {VISIBLE.format(row='NEW')} THEN
            INSERT INTO location_search (id, vector, lat, lon) VALUES (NEW.id, NEW.search_vector, NEW.lat, NEW.lon);
          END IF;
          RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER location_search_insert_delete AFTER INSERT OR DELETE ON location "
               "FOR EACH ROW EXECUTE FUNCTION location_search_sync()")
    # Only updates that change what the copy holds touch it (a rename of the description alone does, through
    # search_text; a freshness check does not).
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ("search_text", "status", "hidden_stale",
                                                                        "lat", "lon"))
    op.execute(f"CREATE TRIGGER location_search_update AFTER UPDATE ON location FOR EACH ROW WHEN ({changed}) "
               "EXECUTE FUNCTION location_search_sync()")
    op.execute("ANALYZE location_search")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS location_search_update ON location")
    op.execute("DROP TRIGGER IF EXISTS location_search_insert_delete ON location")
    op.execute("DROP FUNCTION IF EXISTS location_search_sync()")
    op.execute("DROP TABLE IF EXISTS location_search")
