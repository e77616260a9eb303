"""a near-duplicate cluster's size and last growth are counted from its members, not stored

Every copy used to add one to its cluster's row (`size = size + 1`), so in an information attack
every worker queued on that row. The members carry `mentions.cluster_id` (indexed): the size is
an index-only count when a page reads it.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import otklik.db.base

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('duplicate_clusters', schema=None) as batch_op:
        batch_op.drop_column('size')
        batch_op.drop_column('last_seen_at')


def downgrade() -> None:
    with op.batch_alter_table('duplicate_clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('last_seen_at', otklik.db.base.UTCDateTime(timezone=True),
                                      nullable=False, server_default=sa.func.now()))
    op.execute("UPDATE duplicate_clusters SET size = (SELECT count(*) FROM mentions "
               "WHERE mentions.cluster_id = duplicate_clusters.id)")
