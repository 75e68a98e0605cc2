"""nomination.person_key (keyed hash of the resident ID); the stronger mask everywhere it is stored

The older mask (110111********123X) hid exactly the eight birth-date digits and kept the check
character, and the birth date was stored beside it, in the audit log's states and in the answers
kept for Idempotency-Key replays: together they are the number. This revision re-masks the stored
masks (1101*************X: the new mask keeps only positions the old one kept, so it is computed
from it) and removes birth dates from those copies. `person_key` is filled for older nominations by
the service's person_key_filler job (it needs the keys, which a migration does not hold).

Revision ID: 0002_talent_person_key
Revises: 0001_talent
Create Date: 2026-12-02 10:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0002_talent_person_key'
down_revision = '0001_talent'
branch_labels = None
depends_on = None


def _mask(number: str) -> str:
    # Frozen copy of services.talent.pii.mask as of this revision.
    return number[:4] + "*" * 13 + number[17:18]


def _scrub(value):
    """The value with every nomination's person re-masked and without its birth date; the same
    object when nothing changed."""
    if isinstance(value, list):
        items = [_scrub(v) for v in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    if not isinstance(value, dict):
        return value
    out = {k: _scrub(v) for k, v in value.items()}
    person = out.get("person")
    if isinstance(person, dict):
        person = dict(person)
        person.pop("birth_date", None)
        for key in ("id_number", "id_number_masked"):
            if isinstance(person.get(key), str) and len(person[key]) == 18:
                person[key] = _mask(person[key])
        out["person"] = person
    return out if out != value else value


def upgrade() -> None:
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_nomination_person_key', ['person_key'], unique=False)

    conn = op.get_bind()
    nomination = sa.table('nomination', sa.column('id', sa.Integer), sa.column('id_masked', sa.String))
    for nid, masked in conn.execute(sa.select(nomination.c.id, nomination.c.id_masked)).all():
        if _mask(masked) != masked:
            conn.execute(nomination.update().where(nomination.c.id == nid).values(id_masked=_mask(masked)))

    audit_log = sa.table('audit_log', sa.column('id', sa.Integer), sa.column('object_type', sa.String),
                         sa.column('before', sa.JSON), sa.column('after', sa.JSON))
    rows = conn.execute(sa.select(audit_log.c.id, audit_log.c.before, audit_log.c.after)
                        .where(audit_log.c.object_type == 'nomination')).all()
    for aid, before, after in rows:
        b, a = _scrub(before), _scrub(after)
        if b is not before or a is not after:
            conn.execute(audit_log.update().where(audit_log.c.id == aid).values(before=b, after=a))

    kept = sa.table('idempotency_key', sa.column('principal', sa.String), sa.column('key', sa.String),
                    sa.column('response_body', sa.Text))
    for principal, key, body in conn.execute(sa.select(kept.c.principal, kept.c.key, kept.c.response_body)
                                             .where(kept.c.response_body.is_not(None))).all():
        try:
            answer = json.loads(body)
        except ValueError:
            continue
        scrubbed = _scrub(answer)
        if scrubbed is not answer:
            conn.execute(kept.update().where(kept.c.principal == principal, kept.c.key == key)
                         .values(response_body=json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":"))))


def downgrade() -> None:
    # The masks and the removed birth dates stay as they are: they were a leak, not data to restore.
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_index('ix_nomination_person_key')
        batch_op.drop_column('person_key')
