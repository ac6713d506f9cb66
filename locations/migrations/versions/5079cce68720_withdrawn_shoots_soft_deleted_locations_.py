"""withdrawn shoots, soft-deleted locations and photos

Issue 14 (no silent loss): a shoot with steps under way is withdrawn instead of deleted; a deleted location or
photo keeps its row for the undo period. Plain nullable columns, so it runs the same on SQLite and PostgreSQL.

Revision ID: 5079cce68720
Revises: 74d8aea1d5cc
Create Date: 2026-12-02 02:25:32.587625

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5079cce68720'
down_revision = '74d8aea1d5cc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status_before_delete', sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f('ix_location_deleted_at'), ['deleted_at'], unique=False)

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('shoot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('shoot', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_deleted_at'))
        batch_op.drop_column('status_before_delete')
        batch_op.drop_column('deleted_at')
