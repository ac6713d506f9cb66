"""join this round's migrations (narrow search table, stored files, authority contacts and version, shoot position precision)

Revision ID: d1e2f3a4b5c6
Revises: 9b2e4d7a1c30, f11e5a0b1e01, a7c3e9d2b113, d2a1b0c0de12
Create Date: 2026-12-02 07:00:00

"""

revision = "d1e2f3a4b5c6"
down_revision = ("9b2e4d7a1c30", "f11e5a0b1e01", "a7c3e9d2b113", "d2a1b0c0de12")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
