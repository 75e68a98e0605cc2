"""Intermediaries use cases: register one, change its entry (each announced whole: intermediary.changed.v1,
in the same transaction), record a service it gave. Never commit."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.parks import events
from services.parks.intermediaries import repository
from services.parks.intermediaries.schemas import (
    IntermediaryIn,
    IntermediaryPatch,
    IntermediaryPublic,
    ServiceRecordIn,
    ServiceRecordPublic,
)
from services.parks.parks import repository as parks
from services.parks.tables import Intermediary, ServiceRecord
from shared import audit
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem, field_error


def create_intermediary(s: Session, actor: str, body: IntermediaryIn) -> Intermediary:
    same = repository.named(s, body.name)
    if same is not None:
        raise Problem(409, "intermediary-exists", f"中介机构已登记：{body.name}",
                      f"An intermediary named {body.name} exists already",
                      existing=IntermediaryPublic.model_validate(same).model_dump(mode="json"))
    m = insert(s, Intermediary(**body.model_dump()),  # a racing registration of the name: the same 409
               Problem(409, "intermediary-exists", f"中介机构已登记：{body.name}",
                       f"An intermediary named {body.name} exists already"))
    audit.record(s, actor, "intermediary.create", "intermediary", str(m.id), None,
                 IntermediaryPublic.model_validate(m).model_dump(mode="json"))
    events.intermediary_changed(s, m)  # the awards service matches an introducer's payee to it
    return m


def update_intermediary(s: Session, actor: str, m: Intermediary, body: IntermediaryPatch) -> Intermediary:
    """Change a directory entry (the fields given; the name stays unique): the version bumped, audited and
    announced. The same values again change nothing and announce nothing."""
    changes = {k: v for k, v in body.model_dump(include=body.model_fields_set).items() if getattr(m, k) != v}
    if not changes:
        return m
    if "name" in changes:
        same = repository.named(s, changes["name"])
        if same is not None and same.id != m.id:
            raise Problem(409, "intermediary-exists", f"中介机构已登记：{changes['name']}",
                          f"An intermediary named {changes['name']} exists already")
    before = IntermediaryPublic.model_validate(m).model_dump(mode="json")
    for k, v in changes.items():
        setattr(m, k, v)
    m.version += 1
    try:
        with s.begin_nested():
            s.flush()
    except IntegrityError:  # a racing registration took the name
        raise Problem(409, "intermediary-exists", f"中介机构已登记：{changes.get('name')}",
                      f"An intermediary named {changes.get('name')} exists already") from None
    audit.record(s, actor, "intermediary.update", "intermediary", str(m.id), before,
                 IntermediaryPublic.model_validate(m).model_dump(mode="json"))
    events.intermediary_changed(s, m)
    return m


def announce_intermediaries(s: Session, actor: str) -> int:
    """Re-announce every directory entry as it stands (its current version): the awards service learns
    the intermediaries registered before it listened; it keeps the newest version, so a repeat changes
    nothing there."""
    n = 0
    for m in repository.every(s):
        events.intermediary_changed(s, m)
        n += 1
    audit.record(s, actor, "intermediary.announce", "intermediary", "*", None, {"announced": n})
    return n


def add_service_record(s: Session, who: Principal, intermediary_id: int, body: ServiceRecordIn) -> ServiceRecord:
    """A park operator's record is always its own park's (another park's id is 404); econ's names
    any park, or none (district-wide)."""
    park_id = body.park_id
    if who.role == "park":
        park_id = parks.get(s, who, body.park_id or who.org).id
    m = repository.get(s, who, intermediary_id)
    if park_id is not None and not parks.exists(s, park_id):
        raise field_error("park_id", "所填园区不存在", "no such park", code="unknown-park")
    r = repository.add(s, ServiceRecord(intermediary_id=m.id, created_by=who.actor,
                                        **{**body.model_dump(), "park_id": park_id}))
    audit.record(s, who.actor, "service_record.add", "service_record", str(r.id), None,
                 ServiceRecordPublic.model_validate(r).model_dump(mode="json"))
    return r
