"""Nomination use cases: nominate on a quota, move through review, read (the whole resident ID
audited), and the person's other nominations. They write through the caller's session and never
commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.talent import events, rules
from services.talent.nominations import pii
from services.talent.nominations import repository as repo
from services.talent.nominations.pii import IdCipher, PersonKey
from services.talent.nominations.schemas import NominationIn, NominationPublic, NominationRecord, PersonPublic
from services.talent.quotas import repository as quotas
from services.talent.quotas.service import settle
from services.talent.tables import Nomination
from shared import audit
from shared.auth import Principal
from shared.errors import Problem, field_error, not_found
from shared.validators import resident_id_facts


def _fields(n: Nomination, whole_id: str | None, birth_date: bool) -> dict:
    """A nomination's answer fields. The resident ID whole only when the caller passes it (talent,
    audited); the birth date only when asked (the talent office's reads: with the birth date, the
    old mask gave the number back, so it goes nowhere else, and never into a stored answer or the
    audit log)."""
    born = {"birth_date": n.birth_date} if birth_date else {}
    person = PersonPublic(name=n.person_name, id_number=whole_id or n.id_masked, id_number_masked=n.id_masked,
                          gender=n.gender, education=n.education, post=n.post, **born)
    return {"id": n.id, "uscc": n.uscc, "year": n.year, "category": n.category, "state": n.state,
            "state_reason": n.state_reason, "holds_quota": rules.holds_quota(n.state), "person": person,
            "documents": n.documents, "created_by": n.created_by, "created_at": n.created_at,
            "updated_at": n.updated_at}


def record(n: Nomination) -> dict:
    """A nomination as the audit log keeps it: masked, no birth date, no other nominations."""
    return NominationRecord(**_fields(n, None, False)).model_dump(mode="json", exclude_unset=True)


def public(s: Session, who: Principal, ns: list[Nomination], whole_id: str | None = None,
           birth_date: bool = False) -> list[NominationPublic]:
    """Nominations as `who` sees them, each with the person's other nominations (another year,
    another enterprise, or again after a rejection), matched by the keyed hash of the resident ID,
    never the number; an enterprise liaison learns only of its own enterprise's."""
    by_key: dict[str, list[Nomination]] = {}
    for o in repo.with_person_keys(s, who, {n.person_key for n in ns if n.person_key}):
        by_key.setdefault(o.person_key, []).append(o)
    out = []
    for n in ns:
        others = [o for o in by_key.get(n.person_key, []) if o.id != n.id]
        out.append(NominationPublic(**_fields(n, whole_id, birth_date), repeat=bool(others), same_person=others))
    return out


def nominate(s: Session, who: Principal, body: NominationIn, cipher: IdCipher, keyer: PersonKey,
             today: dt.date) -> NominationPublic:
    """Nominate a person on one of the enterprise's quotas of a year; refused when none is left.
    An enterprise liaison nominates for its own enterprise only. The answer is kept for
    Idempotency-Key replays: masked, no birth date, whoever asks."""
    if who.role == "enterprise" and body.uscc != who.org:
        raise Problem(403, "not-your-enterprise", "企业联络员只能为本企业提名",
                      "An enterprise liaison nominates only on its own enterprise's quotas")
    if rules.lapsed(body.year, today):
        raise Problem(409, "quota-lapsed", f"{body.year}年度的落户指标已于年末失效",
                      f"Quotas of {body.year} lapsed at the end of that year", uscc=body.uscc, year=body.year)
    g = quotas.grant_locked(s, body.uscc, body.year)  # held until commit: racing nominations queue here
    granted, used = (g.granted, g.used) if g else (0, 0)
    if g is None or rules.available(g.granted, g.used, g.year, today) <= 0:
        raise Problem(409, "no-quota-available",
                      f"企业 {body.uscc} 在 {body.year} 年度没有可用的落户指标（已授予 {granted}，已使用 {used}）",
                      f"Enterprise {body.uscc} has no quota left for {body.year} (granted {granted}, used {used})",
                      uscc=body.uscc, year=body.year, granted=granted, used=used)
    number = body.person.id_number
    born, gender = resident_id_facts(number)
    n = Nomination(grant_id=g.id, uscc=body.uscc, year=body.year, category=body.category,
                   person_name=body.person.name, id_cipher=cipher.seal(number), id_masked=pii.mask(number),
                   person_key=keyer.of(number), gender=gender, birth_date=born, education=body.person.education,
                   post=body.person.post, documents=list(body.documents), state="submitted", created_by=who.actor)
    g.used += 1
    repo.add(s, n)
    events.nomination_changed(s, n)
    audit.record(s, who.actor, "nomination.submit", "nomination", str(n.id), None, record(n))
    return public(s, who, [n])[0]


def fill_person_keys(s: Session, cipher: IdCipher, keyer: PersonKey, limit: int = 500) -> int:
    """Give nominations made before the keyed hash existed theirs; returns how many were filled."""
    rows = repo.without_person_key(s, limit)
    for n in rows:
        n.person_key = keyer.of(cipher.open(n.id_cipher))
    return len(rows)


def _get(s: Session, who: Principal, nomination_id: int, lock: bool = False) -> Nomination:
    n = repo.get(s, who, nomination_id, lock)
    if n is None:
        raise not_found("提名", "Nomination", str(nomination_id))
    return n


def read(s: Session, who: Principal, nomination_id: int, cipher: IdCipher | None) -> NominationPublic:
    """One nomination. The talent office (given the cipher) gets the resident ID whole, each such
    read written to the audit log, and the birth date; every other reader the masked number."""
    n = _get(s, who, nomination_id)
    if cipher is None:
        return public(s, who, [n])[0]
    audit.record(s, who.actor, "nomination.id_number.read", "nomination", str(n.id), None,
                 {"field": "person.id_number"})
    return public(s, who, [n], whole_id=cipher.open(n.id_cipher), birth_date=True)[0]


def act(s: Session, who: Principal, nomination_id: int, action: str, reason: str | None) -> NominationPublic:
    """Move a nomination on; a rejection or withdrawal gives its quota back. An enterprise liaison
    only withdraws its own; the talent office decides."""
    if who.role == "enterprise" and action != "withdraw":
        raise Problem(403, "forbidden", "企业联络员只能撤回本企业的提名，审核由人才办办理",
                      "An enterprise liaison may only withdraw its own nominations; the talent office decides")
    n = _get(s, who, nomination_id, lock=True)
    target = rules.transition(n.state, action)
    if target is None:
        raise Problem(409, "invalid-transition",
                      f"提名当前状态为“{rules.STATE_ZH[n.state]}”，不能{rules.ACTION_ZH[action]}",
                      f"A nomination in state {n.state} does not allow '{action}'", state=n.state, action=action)
    if action == "reject" and not reason:
        raise field_error("reason", "驳回须说明理由", "a rejection needs a reason")
    before = record(n)
    if rules.holds_quota(n.state) and not rules.holds_quota(target):
        g = quotas.grant_locked(s, n.uscc, n.year)
        g.used -= 1
        s.flush()
        settle(s, g, who.actor)  # a cancelled entitlement kept only for this use goes now
    n.state, n.state_reason = target, reason
    s.flush()
    events.nomination_changed(s, n)
    audit.record(s, who.actor, f"nomination.{action}", "nomination", str(n.id), before, record(n))
    return public(s, who, [n])[0]


def list_nominations(s: Session, who: Principal, limit: int, after: int | None = None, uscc: str | None = None,
                     year: int | None = None, state: str | None = None) -> list[NominationPublic]:
    """Nominations by id, ID numbers masked for every reader, each with its repeat flag; the birth
    date for the talent office only; limit + 1 for the pager."""
    return public(s, who, repo.page(s, who, limit, after, uscc, year, state), birth_date=who.role == "talent")
