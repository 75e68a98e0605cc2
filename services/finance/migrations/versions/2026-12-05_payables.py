"""payables (issue 19): subsidies and compensations through the treasury

`payable`: what the finance office asks the treasury to pay (a subsidy quarter, a compensation share);
the awards service keeps each as an award, approved against its programme's budget and paid there.
The subsidy quarters finance recorded as paid before (the treasury called finance directly, with no
budget) move here as paid, with a note saying so; `subsidy_payment` goes.

Revision ID: 0006_finance_payables
Revises: 0005_finance_corrections
Create Date: 2026-12-05 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_finance_payables'
down_revision = '0005_finance_corrections'
branch_labels = None
depends_on = None

BEFORE = "在财政审批接入之前由财政局直接在金融服务中记录为已拨付 / paid before the treasury's approval existed"


def upgrade() -> None:
    op.create_table('payable',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=12), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('payee', sa.String(length=64), nullable=False),
    sa.Column('payee_type', sa.String(length=20), nullable=False),
    sa.Column('amount_yuan', sa.BigInteger(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loan.id'], name=op.f('fk_payable_loan_id_loan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payable')),
    sa.UniqueConstraint('kind', 'loan_id', 'ref', 'attempt', name=op.f('uq_payable_kind_loan_id_ref_attempt'))
    )
    with op.batch_alter_table('payable', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payable_loan_id'), ['loan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payable_uscc'), ['uscc'], unique=False)
        batch_op.create_index('ix_payable_state', ['state'], unique=False)
    day = "DATE(p.paid_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(p.paid_at AS DATE)"
    op.execute(sa.text(
        "INSERT INTO payable (kind, loan_id, ref, attempt, uscc, payee, payee_type, amount_yuan, basis, state, "
        "requested_by, requested_on, settled_on, note, created_at, updated_at) "
        "SELECT 'first_loan_subsidy', p.loan_id, p.quarter, 1, l.uscc, l.uscc, 'enterprise', p.amount_yuan, p.basis, "
        f"'paid', p.paid_by, {day}, {day}, :note, p.paid_at, p.paid_at "
        "FROM subsidy_payment p JOIN loan l ON l.id = p.loan_id ORDER BY p.id").bindparams(note=BEFORE))
    op.drop_table('subsidy_payment')


def downgrade() -> None:
    op.create_table('subsidy_payment',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('amount_yuan', sa.BigInteger(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('paid_by', sa.String(length=200), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loan.id'], name=op.f('fk_subsidy_payment_loan_id_loan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_payment')),
    sa.UniqueConstraint('loan_id', 'quarter', name=op.f('uq_subsidy_payment_loan_id_quarter'))
    )
    op.execute("INSERT INTO subsidy_payment (loan_id, quarter, amount_yuan, basis, paid_by, paid_at) "
               "SELECT loan_id, ref, amount_yuan, basis, requested_by, created_at FROM payable "
               "WHERE kind = 'first_loan_subsidy' AND state = 'paid'")
    op.drop_table('payable')
