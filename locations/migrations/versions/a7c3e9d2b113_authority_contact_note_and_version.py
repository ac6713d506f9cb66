"""authorities edited in the app: a contact note, and a version for optimistic locking

Revision ID: a7c3e9d2b113
Revises: c0de5e550001
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d2b113'
down_revision = 'c0de5e550001'
branch_labels = None
depends_on = None


def upgrade():
    # Issue 13: admins and an authority's own officers maintain its jurisdiction and contacts in the app.
    with op.batch_alter_table('permit_authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('permit_authority', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('contact_note')
