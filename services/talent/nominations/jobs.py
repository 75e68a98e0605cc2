"""The nominations' background job: the keyed hash of nominations made before it existed."""
from __future__ import annotations

import structlog

from services.talent.nominations import pii, service
from shared.app import every
from shared.errors import Problem


def fill_person_keys(app) -> None:
    """Nominations made before `person_key` existed get their keyed hash (at start, then hourly
    while any is left), so that a repeat is found against them too."""
    try:
        cipher, keyer = pii.cipher_of(app.state), pii.person_key_of(app.state)
    except Problem as p:  # keys not configured: nominations are refused (503) until they are
        structlog.get_logger().warning("person keys not filled", reason=p.code)
        return
    with app.state.db.transaction() as s:
        service.fill_person_keys(s, cipher, keyer)


person_key_filler = every("person_key_filler", fill_person_keys, lambda app: 3600.0)
