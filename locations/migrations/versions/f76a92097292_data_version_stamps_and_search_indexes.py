"""data version stamps and search indexes

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


def downgrade():
    op.drop_table("data_version")
