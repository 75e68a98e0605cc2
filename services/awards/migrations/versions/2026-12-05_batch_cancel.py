"""cancelling a draft payment batch; the intermediary directory known (issue 19)

`payment_batch` gains `cancelled_at`, `cancelled_by`, `cancel_reason`: a draft batch the treasury
cancels is `cancelled` (its lines' `open_award_id` set NULL, so the awards are back in the queue).
`known_intermediary`: parks' intermediary directory as announced (srdi.parks.intermediary.changed.v1),
the newest version of each entry by parks' id; `payee.intermediary_id`: the entry an intermediary payee's
name matched when it was set (NULL for earlier payees and other kinds).

Revision ID: 0011_awards_batch_cancel
Revises: 0009_awards_recoveries
Create Date: 2026-12-05 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_awards_batch_cancel'
down_revision = '0009_awards_recoveries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payment_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=2000), nullable=True))
    with op.batch_alter_table('payee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intermediary_id', sa.Integer(), nullable=True))
    op.create_table('known_intermediary',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_intermediary'))
    )
    with op.batch_alter_table('known_intermediary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_known_intermediary_name'), ['name'], unique=False)


def downgrade() -> None:
    op.drop_table('known_intermediary')
    with op.batch_alter_table('payee', schema=None) as batch_op:
        batch_op.drop_column('intermediary_id')
    with op.batch_alter_table('payment_batch', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by')
        batch_op.drop_column('cancelled_at')
