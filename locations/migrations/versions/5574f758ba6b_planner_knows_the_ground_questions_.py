"""planner knows the ground: questions, answers, authority jurisdiction, candidates, inclusive thresholds

Revision ID: 5574f758ba6b
Revises: 74d8aea1d5cc
Create Date: 2026-12-02 02:27:42

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5574f758ba6b'
down_revision = '74d8aea1d5cc'
branch_labels = None
depends_on = None


def upgrade():
    # Issue 13: the planner asks questions, stores the answers, and routes to authorities by jurisdiction.
    op.create_table('permit_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text_ja', sa.String(length=300), nullable=False),
    sa.Column('text_en', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=True),
    sa.Column('answered_by', sa.String(length=40), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permit_question')),
    sa.UniqueConstraint('code', name=op.f('uq_permit_question_code'))
    )
    op.create_table('authority_municipality',
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['permit_authority.id'], name=op.f('fk_authority_municipality_authority_id_permit_authority'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_authority_municipality_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('authority_id', 'municipality_id', name=op.f('pk_authority_municipality'))
    )
    with op.batch_alter_table('activity_permit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.String(length=500), nullable=True))

    with op.batch_alter_table('film_commission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_kind', sa.String(length=30), server_default='fc', nullable=False))

    with op.batch_alter_table('incentive_program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thresholds_inclusive', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('permit_authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jurisdiction', sa.String(length=20), server_default='unknown', nullable=False))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('takes_applications', sa.Boolean(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('is_candidate', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('layer', sa.String(length=10), server_default='seed', nullable=False))
        batch_op.create_index(batch_op.f('ix_permit_authority_layer'), ['layer'], unique=False)
        batch_op.create_index(batch_op.f('ix_permit_authority_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_permit_authority_parent_id_permit_authority'), 'permit_authority', ['parent_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('permit_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requirement', sa.String(length=20), server_default='needed', nullable=False))

    with op.batch_alter_table('shoot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers', sa.Text(), server_default='{}', nullable=False))

    # ### end Alembic commands ###


def downgrade():
    # Issue 13: the planner asks questions, stores the answers, and routes to authorities by jurisdiction.
    with op.batch_alter_table('shoot', schema=None) as batch_op:
        batch_op.drop_column('answers')

    with op.batch_alter_table('permit_step', schema=None) as batch_op:
        batch_op.drop_column('requirement')

    with op.batch_alter_table('permit_authority', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_permit_authority_parent_id_permit_authority'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_permit_authority_parent_id'))
        batch_op.drop_index(batch_op.f('ix_permit_authority_layer'))
        batch_op.drop_column('layer')
        batch_op.drop_column('is_candidate')
        batch_op.drop_column('takes_applications')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('jurisdiction')

    with op.batch_alter_table('incentive_program', schema=None) as batch_op:
        batch_op.drop_column('thresholds_inclusive')

    with op.batch_alter_table('film_commission', schema=None) as batch_op:
        batch_op.drop_column('contact_kind')

    with op.batch_alter_table('activity_permit', schema=None) as batch_op:
        batch_op.drop_column('rule')

    op.drop_table('authority_municipality')
    op.drop_table('permit_question')
    # ### end Alembic commands ###
