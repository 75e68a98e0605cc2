"""payments (issue 19): payees with their bank accounts (encrypted, masked), payment batches and their
lines with the payment system's result per line

`payee` (one per kind and ref), `payment_batch` (draft → exported → settled), `payment_line` (one award
per line; `open_award_id` unique: an award stands in at most one open batch).

Revision ID: 0008_awards_payments
Revises: 0007_awards_corrections
Create Date: 2026-12-03 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_awards_payments'
down_revision = '0007_awards_corrections'
branch_labels = None
depends_on = None

Money = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('payee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('bank_name', sa.String(length=200), nullable=False),
    sa.Column('account_cipher', sa.String(length=500), nullable=False),
    sa.Column('account_mask', sa.String(length=40), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payee')),
    sa.UniqueConstraint('kind', 'ref', name=op.f('uq_payee_kind_ref'))
    )
    op.create_table('payment_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('amount_yuan', Money, nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('exported_at', sa.DateTime(), nullable=True),
    sa.Column('settled_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batch')),
    sa.UniqueConstraint('number', name=op.f('uq_payment_batch_number'))
    )
    with op.batch_alter_table('payment_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_batch_state'), ['state'], unique=False)

    op.create_table('payment_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('open_award_id', sa.Integer(), nullable=True),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('payee_name', sa.String(length=200), nullable=False),
    sa.Column('bank_name', sa.String(length=200), nullable=False),
    sa.Column('account_cipher', sa.String(length=500), nullable=False),
    sa.Column('account_mask', sa.String(length=40), nullable=False),
    sa.Column('amount_yuan', Money, nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=True),
    sa.Column('voucher', sa.String(length=200), nullable=True),
    sa.Column('returned_reason', sa.String(length=2000), nullable=True),
    sa.Column('result_by', sa.String(length=200), nullable=True),
    sa.Column('result_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'], name=op.f('fk_payment_line_batch_id_payment_batch')),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_payment_line_award_id_award')),
    sa.ForeignKeyConstraint(['payee_id'], ['payee.id'], name=op.f('fk_payment_line_payee_id_payee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_line')),
    sa.UniqueConstraint('batch_id', 'seq', name=op.f('uq_payment_line_batch_id_seq')),
    sa.UniqueConstraint('open_award_id', name=op.f('uq_payment_line_open_award_id'))
    )
    with op.batch_alter_table('payment_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_line_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_line_award_id'), ['award_id'], unique=False)


def downgrade() -> None:
    op.drop_table('payment_line')
    op.drop_table('payment_batch')
    op.drop_table('payee')
