"""gather planner statistics

Without statistics SQLite treats status = 'published' as selective and scans every location through
that index instead of the full-text index or the lat/lon index (40 s for a one-hit search at 100k
rows in bench/run.py). The app refreshes them after bulk changes (seed, demo data); this gives
existing databases their first set.

Revision ID: 7c1d2e3f4a5b
Revises: 064937aa21c4
Create Date: 2026-11-26 13:45:00

"""
from alembic import op

revision = '7c1d2e3f4a5b'
down_revision = '064937aa21c4'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ANALYZE")


def downgrade():
    # Statistics are not schema; there is nothing to undo.
    pass
