"""SQLite: a covering index of each location's position by id, for word-filtered map viewports

A viewport filtered by a word joins the text index's matches to their positions by id. On SQLite each join
read the whole location row (descriptions and all): 5,001 matches of 山 took 11.5 ms at 100k rows, and far
more at 1M once the rows no longer sat in the page cache. This index holds (id, lat, lon) alone, so the join
reads it instead (4.2 ms). PostgreSQL already reads positions from its narrow search table (9b2e4d7a1c30).

Revision ID: 7d3f1a2b4c65
Revises: 5e7a9c1b3d24
Create Date: 2026-12-02 22:40:00

"""
from alembic import op


revision = "7d3f1a2b4c65"
down_revision = "5e7a9c1b3d24"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE INDEX IF NOT EXISTS ix_location_point ON location (id, lat, lon)")
        op.execute("ANALYZE location")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_location_point")
