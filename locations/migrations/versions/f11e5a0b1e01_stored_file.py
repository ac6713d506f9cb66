"""stored_file: uploaded files' bytes when FILE_STORAGE is "database"

Revision ID: f11e5a0b1e01
Revises: c0de5e550001
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f11e5a0b1e01'
down_revision = "c0de5e550001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_file',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_file')),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Photos and documents are compressed already: TOAST keeps them out of line without trying again.
        op.execute("ALTER TABLE stored_file ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade():
    op.drop_table('stored_file')
