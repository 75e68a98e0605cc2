"""Timeline use cases: keep the other departments' latest record of each award, quota year and
service-list entry (the registry's handlers), and answer one enterprise's dated history. They never
commit."""
from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy.orm import Session

from services.registry.certifications.rules import tier_on
from services.registry.enterprises import repository as enterprises
from services.registry.enterprises.service import as_rule
from services.registry.tables import Enterprise, TimelineFact
from services.registry.timeline import repository as repo
from services.registry.timeline import rules
from services.registry.timeline.schemas import Timeline
from shared.auth import Principal
from shared.contracts import EventData
from shared.events import Event
from shared.validators import uscc_error

KINDS = {"award": rules.award, "quota": rules.quota}


def remember(s: Session, event: Event, kind: str, ref: str, uscc: str | None, data: EventData) -> bool:
    """Hold `data` as the latest record of (uscc, kind, ref) unless the one held is newer (by the
    CloudEvent time, then id): a redelivered or late event changes nothing. Facts about no
    enterprise (a park's award) are not the timeline's. Returns whether the record was kept."""
    if uscc is None:
        return False
    uscc = uscc.strip().upper()
    if uscc_error(uscc):
        raise ValueError(f"{event.type} with a bad uscc: {uscc_error(uscc)}")
    record = data.model_dump_json()
    row = repo.fact_for_update(s, uscc, kind, ref)
    if row is None:
        repo.add_fact(s, uscc, kind, ref, record, event.id[:36], event.time[:40])
        return True
    if not rules.newer(event.time, event.id, row.event_time, row.event_id):
        return False
    repo.replace_fact(s, uscc, kind, ref, record, event.id[:36], event.time[:40])
    return True


def fact_entries(facts: list[TimelineFact]) -> list[rules.Entry]:
    """The other departments' facts as entries, each dated by its latest change (its event's day)."""
    out: list[rules.Entry] = []
    for f in facts:
        record, day = orjson.loads(f.record), rules.event_day(f.event_time)
        if day is None:
            continue
        if f.kind == "service_list":
            out.extend(rules.service_list(record, day))
        elif f.kind in KINDS:
            out.append(KINDS[f.kind](record, day))
    return out


def timeline(s: Session, who: Principal, uscc: str, on: dt.date) -> Timeline:
    """One enterprise's dated history up to `on`, newest first, in one answer (404 when the caller
    may not read the enterprise, as for the enterprise itself)."""
    enterprises.readable_or_404(s, who, uscc)
    e = s.get(Enterprise, uscc)
    certs = repo.certifications(s, uscc)
    entries = [*rules.titles(certs, on), *fact_entries(repo.facts(s, uscc)),
               *rules.requests(repo.service_requests(s, uscc), on), *rules.visits(repo.visits(s, uscc)),
               *rules.corrections(repo.audit_rows(s, uscc, [c.id for c in certs]))]
    return Timeline.model_validate({
        "uscc": uscc, "name": e.name, "on": on, "tier_on": tier_on([as_rule(c) for c in certs], on),
        "entries": [{"on": x.on, "kind": x.kind, "ref": x.ref, "summary_zh": x.summary_zh,
                     "summary_en": x.summary_en, "detail": x.detail} for x in rules.newest_first(entries, on)]})
