"""channels connected with their rights and health; why a send failed; the sandbox network

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import otklik.db.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('url', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('capabilities', JSON, nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('health', sa.String(length=16), nullable=False,
                                      server_default='unlinked'))
        batch_op.add_column(sa.Column('health_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('verified_at', otklik.db.base.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failure', sa.String(length=24), nullable=True))
    op.create_table(
        'sandbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('network', sa.String(length=32), nullable=False),
        sa.Column('external_id', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('from_brand', sa.Boolean(), nullable=False),
        sa.Column('channel_external_id', sa.String(length=200), nullable=False),
        sa.Column('author_external_id', sa.String(length=200), nullable=False),
        sa.Column('author_name', sa.String(length=200), nullable=True),
        sa.Column('parent_external_id', sa.String(length=300), nullable=True),
        sa.Column('thread_external_id', sa.String(length=300), nullable=True),
        sa.Column('place_external_id', sa.String(length=300), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=200), nullable=True),
        sa.Column('created_at', otklik.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('due_at', otklik.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_messages')),
        sa.UniqueConstraint('external_id', name=op.f('uq_sandbox_messages_external_id')),
        sa.UniqueConstraint('idempotency_key',
                            name=op.f('uq_sandbox_messages_idempotency_key')),
    )
    op.create_index(op.f('ix_sandbox_messages_due_at'), 'sandbox_messages', ['due_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_sandbox_messages_due_at'), table_name='sandbox_messages')
    op.drop_table('sandbox_messages')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('failure')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        for column in ('verified_at', 'health_reason', 'health', 'capabilities', 'url'):
            batch_op.drop_column(column)
