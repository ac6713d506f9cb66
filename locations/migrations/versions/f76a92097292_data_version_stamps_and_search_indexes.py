"""data version stamps and search indexes

On PostgreSQL the search text gets a stored tsvector column with its own GIN index (the old expression index
recomputed to_tsvector for every candidate row, and its row estimates were off by 1,000x); SQLite keeps FTS5.

Revision ID: f76a92097292
Revises: 74d8aea1d5cc
Create Date: 2026-12-02 02:22:40.223014

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f76a92097292'
down_revision = '74d8aea1d5cc'
branch_labels = None
depends_on = None


def upgrade():
    # Version stamps of reference data: each process caches what it builds from them (the permit rule book).
    data_version = op.create_table(
        "data_version",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_version")),
    )
    # The row exists from the start, so raising a stamp is always an UPDATE and never races on an INSERT.
    op.bulk_insert(data_version, [{"name": "permit_rules", "version": 0},
                                  {"name": "prefecture_outlines", "version": 0}])
    if op.get_bind().dialect.name == "postgresql":
        # Generated, so every writer (the app, imports, SQL by hand) keeps it right; unknown to the models.
        op.execute("ALTER TABLE location ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
                   "(to_tsvector('simple'::regconfig, coalesce(search_text, ''))) STORED")
        op.execute("CREATE INDEX ix_location_search_vector ON location USING gin (search_vector) "
                   "WHERE status = 'published'")
        op.execute("DROP INDEX IF EXISTS ix_location_search_text")
        op.execute("ANALYZE location")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_location_search_text ON location USING gin "
                   "(to_tsvector('simple'::regconfig, search_text)) WHERE status = 'published'")
        op.execute("DROP INDEX IF EXISTS ix_location_search_vector")
        op.execute("ALTER TABLE location DROP COLUMN IF EXISTS search_vector")
    op.drop_table("data_version")
