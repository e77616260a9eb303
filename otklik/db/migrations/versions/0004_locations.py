"""locations of a brand; the location each brand mention is about

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import otklik.db.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'locations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('aliases', JSON, nullable=False),
        sa.Column('places', JSON, nullable=False),
        sa.Column('hours', sa.String(length=200), nullable=False),
        sa.Column('team', sa.String(length=200), nullable=False),
        sa.Column('responsible_id', sa.Integer(), nullable=True),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', otklik.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', otklik.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['brand_id'], ['brands.id'],
                                name=op.f('fk_locations_brand_id_brands')),
        sa.ForeignKeyConstraint(['responsible_id'], ['users.id'],
                                name=op.f('fk_locations_responsible_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
        sa.UniqueConstraint('brand_id', 'name', name=op.f('uq_locations_brand_id')),
    )
    op.create_index(op.f('ix_locations_brand_id'), 'locations', ['brand_id'])
    with op.batch_alter_table('mention_brands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_mention_brands_location_id'), ['location_id'])
        batch_op.create_foreign_key(batch_op.f('fk_mention_brands_location_id_locations'),
                                    'locations', ['location_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('mention_brands', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mention_brands_location_id_locations'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_mention_brands_location_id'))
        batch_op.drop_column('location_id')
    op.drop_index(op.f('ix_locations_brand_id'), table_name='locations')
    op.drop_table('locations')
