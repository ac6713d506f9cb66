"""join the round's migrations

Revision ID: c0de5e550001
Revises: 5079cce68720, 86b97d2aeaec, f76a92097292, 5574f758ba6b, 6dbf36920d6e
Create Date: 2026-12-02 02:59:25.641866

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0de5e550001'
down_revision = ('5079cce68720', '86b97d2aeaec', 'f76a92097292', '5574f758ba6b', '6dbf36920d6e')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
