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


def remember(s: Session, event: Event, data: EventData) -> bool:
    """Hold `data` as the latest record of its fact (rules.fact_of: uscc, kind, ref) unless the one
    held is newer (by the CloudEvent time, then id): a redelivered or late event changes nothing.
    Facts about no enterprise (a park's award) are not the timeline's. Returns whether the record
    was kept. Read ahead for a batch (`read_ahead`), it was written already: only the batch's view of
    what is held moves on."""
    key = _key(event, data)
    if key is None:
        return False
    stamp = (event.time[:40], event.id[:36])  # as the row holds them
    ahead = s.info.get(_AHEAD)
    if ahead is not None and key in ahead:
        held = ahead[key]
        if held is not None and not rules.newer(event.time, event.id, *held):
            return False
        ahead[key] = stamp
        return True
    row = repo.fact_for_update(s, *key)
    if row is not None and not rules.newer(event.time, event.id, row.event_time, row.event_id):
        return False
    (repo.add_fact if row is None else repo.replace_fact)(s, *key, data.model_dump_json(), stamp[1], stamp[0])
    return True


def read_ahead(s: Session, batch: list[tuple[Event, EventData]]) -> None:
    """For a consumer's batch (shared.handlers.before_batch): the newest record of each fact the
    batch brings is written now, the held ones read and locked in one statement, new ones added in
    one and newer ones replaced in one, instead of a read and a write an event (issue 15: every
    department's award and quota event passes here). `remember` then answers, event by event, whether
    it would have kept its record."""
    newest: dict[tuple[str, str, str], tuple[Event, EventData]] = {}
    for event, data in batch:
        try:
            key = _key(event, data)
        except ValueError:
            continue  # a bad USCC: its handler refuses it
        if key is not None and (key not in newest or rules.newer(event.time, event.id, newest[key][0].time,
                                                                   newest[key][0].id)):
            newest[key] = (event, data)
    if not newest:
        return
    held = repo.facts_for_update(s, sorted(newest))
    added, replaced = [], []
    for key, (event, data) in sorted(newest.items()):
        if key not in held or rules.newer(event.time, event.id, *held[key]):
            (added if key not in held else replaced).append(
                (*key, data.model_dump_json(), event.id[:36], event.time[:40]))
    repo.add_facts(s, added)
    repo.replace_facts(s, replaced)
    s.info[_AHEAD] = {key: held.get(key) for key in newest}


_AHEAD = "timeline_facts_ahead"  # Session.info: (event_time, event_id) held of each fact read ahead


def _key(event: Event, data: EventData) -> tuple[str, str, str] | None:
    """(uscc, kind, ref) of the fact `data` is the latest record of; None when it is about no
    enterprise; ValueError for a malformed USCC (the event's own error)."""
    fact = rules.fact_of(data)
    if fact is None or fact[2] is None:
        return None
    uscc = fact[2].strip().upper()
    if uscc_error(uscc):
        raise ValueError(f"{event.type} with a bad uscc: {uscc_error(uscc)}")
    return uscc, fact[0], fact[1]


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
    may not read the enterprise, as for the enterprise itself). Another department's facts only for
    the roles that department lets read them (rules.FACT_READERS)."""
    enterprises.readable_or_404(s, who, uscc)
    e = s.get(Enterprise, uscc)
    certs = repo.certifications(s, uscc)
    facts = [f for f in repo.facts(s, uscc) if who.role in rules.FACT_READERS.get(f.kind, ())]
    entries = [*rules.titles(certs, on), *fact_entries(facts),
               *rules.requests(repo.service_requests(s, uscc), on), *rules.visits(repo.visits(s, uscc)),
               *rules.corrections(repo.audit_rows(s, uscc, [c.id for c in certs]))]
    return Timeline.model_validate({
        "uscc": uscc, "name": e.name, "on": on, "tier_on": tier_on([as_rule(c) for c in certs], on),
        "entries": [{"on": x.on, "kind": x.kind, "ref": x.ref, "summary_zh": x.summary_zh,
                     "summary_en": x.summary_en, "detail": x.detail} for x in rules.newest_first(entries, on)]})
