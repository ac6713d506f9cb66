"""filter tokens in the text indexes: words with a category, prefecture or block filter answered by the index alone

A search for 山 among parks joined every location matching 山 with its row to test the category: at 1M rows
that read 176,000 rows for one page (0.4-2 s). Each location now has generated filter tokens ("xc<category id>
xp<prefecture id>", computed by the database from the row, so every writer keeps them right), indexed beside
the words: SQLite's FTS5 table gets them as a second column that the ranking weighs 0 (bm25(1, 0)), so the order
of results is the words' alone; PostgreSQL's narrow search table adds them to its vector, and ranking there uses
the words' query alone.

Revision ID: 3c8d5e7f9a12
Revises: d1e2f3a4b5c6
Create Date: 2026-12-02 07:20:00

"""
from alembic import op


revision = "3c8d5e7f9a12"
down_revision = "d1e2f3a4b5c6"
branch_labels = None
depends_on = None

TOKENS = "'xc' || category_id || ' xp' || prefecture_id"
VISIBLE = "{row}.status = 'published' AND {row}.hidden_stale = 0"
TRIGGERS = ("location_fts_insert", "location_fts_delete", "location_fts_update")


def _sqlite_text_index(columns: tuple[str, ...]) -> None:
    """(Re)create the FTS5 table over ``columns`` with the visible rows and the triggers that keep it."""
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS location_fts")
    listed = ", ".join(columns)
    op.execute(f"CREATE VIRTUAL TABLE location_fts USING fts5({listed}, content='location', content_rowid='id', "
               "tokenize='unicode61 remove_diacritics 2')")
    op.execute(f"INSERT INTO location_fts(rowid, {listed}) SELECT id, {listed} FROM location "
               f"WHERE {VISIBLE.format(row='location')}")
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(f"""CREATE TRIGGER location_fts_insert AFTER INSERT ON location WHEN {VISIBLE.format(row='new')} BEGIN
        INSERT INTO location_fts(rowid, {listed}) VALUES (new.id, {new});
      END""")
    op.execute(f"""CREATE TRIGGER location_fts_delete AFTER DELETE ON location WHEN {VISIBLE.format(row='old')} BEGIN
        INSERT INTO location_fts(location_fts, rowid, {listed}) VALUES ('delete', old.id, {old});
      END""")
    # One trigger, delete before insert (two would fire in an unspecified order). The generated tokens change
    # with category_id and prefecture_id, which are watched instead.
    watched = "search_text, status, hidden_stale" + (", category_id, prefecture_id" if len(columns) > 1 else "")
    op.execute(f"""CREATE TRIGGER location_fts_update AFTER UPDATE OF {watched} ON location BEGIN
        INSERT INTO location_fts(location_fts, rowid, {listed})
          SELECT 'delete', old.id, {old} WHERE {VISIBLE.format(row='old')};
        INSERT INTO location_fts(rowid, {listed})
          SELECT new.id, {new} WHERE {VISIBLE.format(row='new')};
      END""")


def _postgresql_search_table(with_tokens: bool) -> None:
    vector = "NEW.search_vector || to_tsvector('simple'::regconfig, NEW.filter_tokens)" if with_tokens \
        else "NEW.search_vector"
    visible = "NEW.status = 'published' AND NEW.hidden_stale IS FALSE"
    op.execute(f"""CREATE OR REPLACE FUNCTION location_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            DELETE FROM location_search WHERE id = OLD.id;
          END IF;
          IF TG_OP <> 'DELETE' AND {visible} THEN
            INSERT INTO location_search (id, vector, lat, lon) VALUES (NEW.id, {vector}, NEW.lat, NEW.lon);
          END IF;
          RETURN NULL;
        END $$""")
    watched = ["search_text", "status", "hidden_stale", "lat", "lon"] + (["category_id", "prefecture_id"]
                                                                          if with_tokens else [])
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watched)
    op.execute("DROP TRIGGER IF EXISTS location_search_update ON location")
    op.execute(f"CREATE TRIGGER location_search_update AFTER UPDATE ON location FOR EACH ROW WHEN ({changed}) "
               "EXECUTE FUNCTION location_search_sync()")
    source = "location.search_vector" + (" || to_tsvector('simple'::regconfig, location.filter_tokens)"
                                         if with_tokens else "")
    op.execute(f"UPDATE location_search SET vector = {source} FROM location WHERE location.id = location_search.id")
    op.execute("ANALYZE location_search")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE location ADD COLUMN filter_tokens text GENERATED ALWAYS AS "
                   f"('xc' || category_id::text || ' xp' || prefecture_id::text) STORED")
        _postgresql_search_table(with_tokens=True)
        return
    op.execute(f"ALTER TABLE location ADD COLUMN filter_tokens TEXT GENERATED ALWAYS AS ({TOKENS}) VIRTUAL")
    _sqlite_text_index(("search_text", "filter_tokens"))
    # The tokens say which rows to keep; the words alone say how well a row matches.
    op.execute("INSERT INTO location_fts(location_fts, rank) VALUES ('rank', 'bm25(1.0, 0.0)')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_search_table(with_tokens=False)
        op.execute("ALTER TABLE location DROP COLUMN filter_tokens")
        return
    _sqlite_text_index(("search_text",))
    op.execute("ALTER TABLE location DROP COLUMN filter_tokens")
