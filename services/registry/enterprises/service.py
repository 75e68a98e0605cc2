"""Enterprise use cases: register, search, and the stored read document. They write through the
caller's session and never commit."""
import datetime as dt
import functools

import orjson
from sqlalchemy import Select
from sqlalchemy.orm import Session

from services.registry import events
from services.registry.certifications import repository as certifications
from services.registry.certifications import rules
from services.registry.certifications.schemas import CertificationPublic
from services.registry.enterprises import repository
from services.registry.enterprises.schemas import DatedCertification, EnterpriseDocument, EnterpriseIn, EnterprisePublic
from services.registry.tables import Certification, Enterprise
from shared import audit
from shared.errors import Problem


def as_rule(c: Certification) -> rules.Cert:
    return rules.Cert(c.id, c.tier, c.recognized_on, c.expires_on, c.revoked_on, c.state)


def public(e: Enterprise, certs: list[Certification], on: dt.date) -> EnterprisePublic:
    """The enterprise with its tier and each certification's state on a date."""
    facts = {name: getattr(e, name) for name in EnterpriseDocument.model_fields if name != "certifications"}
    return EnterprisePublic(**facts, current_tier=rules.tier_on([as_rule(c) for c in certs], on), certifications=[
        DatedCertification(**CertificationPublic.model_validate(c).model_dump(), state_on=rules.state_on(as_rule(c), on))
        for c in certs])


def refresh_doc(s: Session, e: Enterprise, certs: list[Certification] | None = None) -> None:
    """Rewrite the stored read document after a change (in the change's own transaction).
    `certs`: the enterprise's certifications when the caller already holds them all (bulk import)."""
    if certs is None:
        s.flush()
        certs = certifications.certifications_of(s, e.uscc)
    else:  # already flushed by the caller (every certification has its id)
        certs = sorted(certs, key=lambda c: (c.recognized_on, c.id))
    # Nothing that depends on the day it is read: current_tier and each state_on are computed then.
    facts = {name: getattr(e, name) for name in EnterpriseDocument.model_fields if name != "certifications"}
    doc = EnterpriseDocument(**facts, certifications=[CertificationPublic.model_validate(c) for c in certs])
    e.doc = doc.model_dump_json()


async def read_doc(db, who, uscc: str, on: dt.date) -> bytes | None:
    """The enterprise as GET /enterprises/{uscc} answers it, or None when it is not found or not the
    caller's to read (the hot read path: one primary-key lookup of the stored document)."""
    row = await db.fetch_one(repository.READ_DOC, {"uscc": uscc})
    if row is None or not repository.may_read(who, row[1], uscc, row[2]):
        return None
    return render_doc(row[0], on)


@functools.lru_cache(maxsize=4096)
def render_doc(doc: str | bytes, on: dt.date) -> bytes:
    """The stored document with the current tier on a date, as JSON bytes (EnterprisePublic). Cached
    by the document's text and the date (the hot read path: an unchanged document on the same day
    renders the same)."""
    data = orjson.loads(doc)
    certs = [rules.Cert(c["id"], c["tier"], dt.date.fromisoformat(c["recognized_on"]),
                        dt.date.fromisoformat(c["expires_on"]),
                        dt.date.fromisoformat(c["revoked_on"]) if c["revoked_on"] else None,
                        c.get("state", "active"))
             for c in data["certifications"]]
    data.setdefault("status", "active")  # a document stored before enterprises had a status
    data.setdefault("status_on", None)
    data["current_tier"] = rules.tier_on(certs, on)
    for c, rule in zip(data["certifications"], certs):
        c["state_on"] = rules.state_on(rule, on)
    return orjson.dumps(data)


def find(s: Session, stmt: Select, tier: str | None, limit: int, on: dt.date) -> list[EnterprisePublic]:
    """Up to limit + 1 enterprises from a keyset-ordered query (the extra one says a next page
    exists). The tier filter needs the tier on a date, computed from certifications, so the query
    is read in chunks until enough match."""
    items: list[EnterprisePublic] = []
    chunk = limit + 1 if not tier else 500
    while len(items) <= limit:
        rows = repository.page_of(s, stmt, chunk)
        for e in rows:
            doc = public(e, certifications.certifications_of(s, e.uscc), on)
            if not tier or doc.current_tier == tier:
                items.append(doc)
        if len(rows) < chunk:
            break
        stmt = stmt.where(Enterprise.uscc > rows[-1].uscc)
    return items


def create(s: Session, actor: str, body: EnterpriseIn, *, known_new: bool = False) -> Enterprise:
    """Register an enterprise. `known_new`: the caller has just looked it up (bulk import); the
    caller then writes its document with refresh_doc once its certifications are added."""
    if not known_new and repository.get(s, body.uscc) is not None:
        raise Problem(409, "enterprise-exists", f"企业已登记：{body.uscc}",
                      f"An enterprise with USCC {body.uscc} is already registered", uscc=body.uscc)
    e = Enterprise(**body.model_dump(), version=1)
    s.add(e)
    if not known_new:
        refresh_doc(s, e)
    events.registered(s, e)
    audit.record(s, actor, "enterprise.register", "enterprise", e.uscc, None, body.model_dump(mode="json"))
    return e
