"""service requests: the day a department accepted one (受理), for the enterprise's timeline.
Requests accepted before this revision take the day their acceptance was audited (Shanghai time):
the audit log is where that day was kept until now.

Revision ID: 0017_registry_accepted_on
Revises: 0016_registry_legal_refs_zh
Create Date: 2026-12-07 00:00:00
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0017_registry_accepted_on'
down_revision = '0016_registry_legal_refs_zh'
branch_labels = None
depends_on = None

SHANGHAI = dt.timezone(dt.timedelta(hours=8))  # no summer time: a fixed offset, as frozen as the migration


def upgrade() -> None:
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_on', sa.Date(), nullable=True))
    audit = sa.table('audit_log', sa.column('at', sa.DateTime()), sa.column('action', sa.String()),
                     sa.column('object_type', sa.String()), sa.column('object_id', sa.String()))
    request = sa.table('service_request', sa.column('id', sa.Integer()), sa.column('accepted_on', sa.Date()))
    bind = op.get_bind()
    accepted = bind.execute(sa.select(audit.c.object_id, sa.func.min(audit.c.at))
                            .where(audit.c.action == 'service_request.accepted',
                                   audit.c.object_type == 'service_request')
                            .group_by(audit.c.object_id)).all()
    for object_id, at in accepted:
        if not object_id.isdigit():
            continue
        if isinstance(at, str):  # SQLite hands back text where no type is bound
            at = dt.datetime.fromisoformat(at)
        day = at.replace(tzinfo=dt.UTC).astimezone(SHANGHAI).date()
        bind.execute(request.update().where(request.c.id == int(object_id)).values(accepted_on=day))


def downgrade() -> None:
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('accepted_on')
