"""The talent service: `uvicorn services.talent.main:app`."""
from __future__ import annotations

from pathlib import Path

import structlog

from services.talent import pii, service
from services.talent.api import router
from services.talent.handlers import handlers
from services.talent.models import Base
from shared.app import ServiceSpec, create_app, every
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

SPEC = ServiceSpec(name="talent", title="SRDI talent (区人社局 / 区委人才办)", router=router, metadata=Base.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions", handlers=handlers,
                   jobs=[person_key_filler], policy_writers=("talent",))
app = create_app(SPEC)
