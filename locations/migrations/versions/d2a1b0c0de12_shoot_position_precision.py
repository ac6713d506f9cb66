"""shoot position precision

Revision ID: d2a1b0c0de12
Revises: c0de5e550001
Create Date: 2026-12-02 06:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2a1b0c0de12'
down_revision = 'c0de5e550001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shoot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position_precision', sa.String(length=12), server_default='exact', nullable=False))


def downgrade():
    with op.batch_alter_table('shoot', schema=None) as batch_op:
        batch_op.drop_column('position_precision')
