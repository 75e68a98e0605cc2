"""Registry use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt

import orjson
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry import events, rules
from services.registry.models import Certification, Enterprise
from services.registry.schemas import CertificationIn, EnterpriseIn, RevokeIn
from shared import audit, params
from shared.db import for_update
from shared.errors import Problem, not_found
from shared.tiers import rank


def as_rule(c: Certification) -> rules.Cert:
    return rules.Cert(c.id, c.tier, c.recognized_on, c.expires_on, c.revoked_on)


def cert_dict(c: Certification) -> dict:
    return {"id": c.id, "tier": c.tier, "state": c.state, "recognized_on": c.recognized_on.isoformat(),
            "expires_on": c.expires_on.isoformat(), "batch": c.batch, "source": c.source,
            "revoked_on": c.revoked_on and c.revoked_on.isoformat(), "revoke_reason": c.revoke_reason,
            "for_cause": c.for_cause}


def enterprise_dict(e: Enterprise, certs: list[Certification], on: dt.date) -> dict:
    return {"uscc": e.uscc, "name": e.name, "township": e.township, "industry_code": e.industry_code,
            "founded_on": e.founded_on and e.founded_on.isoformat(), "park_id": e.park_id,
            "relocated_on": e.relocated_on and e.relocated_on.isoformat(),
            "relocated_from": e.relocated_from, "introducer": e.introducer,
            "current_tier": rules.tier_on([as_rule(c) for c in certs], on),
            "certifications": [cert_dict(c) for c in certs]}


def refresh_doc(s: Session, e: Enterprise) -> None:
    """Rewrite the stored read document after a change (in the change's own transaction)."""
    s.flush()
    doc = enterprise_dict(e, certifications_of(s, e.uscc), dt.date.min)
    del doc["current_tier"]  # depends on the day it is read: computed then
    e.doc = orjson.dumps(doc).decode()


def render_doc(doc: str | bytes, on: dt.date) -> bytes:
    """The stored document with the current tier on a date, as JSON bytes."""
    data = orjson.loads(doc)
    certs = [rules.Cert(c["id"], c["tier"], dt.date.fromisoformat(c["recognized_on"]),
                        dt.date.fromisoformat(c["expires_on"]),
                        dt.date.fromisoformat(c["revoked_on"]) if c["revoked_on"] else None)
             for c in data["certifications"]]
    data["current_tier"] = rules.tier_on(certs, on)
    return orjson.dumps(data)


def certifications_of(s: Session, uscc: str) -> list[Certification]:
    return list(s.scalars(select(Certification).where(Certification.uscc == uscc)
                          .order_by(Certification.recognized_on, Certification.id)))


def create_enterprise(s: Session, actor: str, body: EnterpriseIn) -> Enterprise:
    if s.get(Enterprise, body.uscc) is not None:
        raise Problem(409, "enterprise-exists", f"企业已登记：{body.uscc}",
                      f"An enterprise with USCC {body.uscc} is already registered", uscc=body.uscc)
    e = Enterprise(**body.model_dump(), version=1)
    s.add(e)
    refresh_doc(s, e)
    events.registered(s, e)
    audit.record(s, actor, "enterprise.register", "enterprise", e.uscc, None, body.model_dump(mode="json"))
    return e


def validity_years(s: Session, tier: str, on: dt.date) -> int:
    p = params.in_force(s, on, "certification.validity_years.").get(f"certification.validity_years.{tier}")
    return int(p.value) if p else 3


def add_certification(s: Session, actor: str, uscc: str, body: CertificationIn) -> tuple[Certification, bool]:
    """Record a certification; publish a promotion when the tier rises. Returns (cert, created)."""
    e = s.scalars(for_update(s, select(Enterprise).where(Enterprise.uscc == uscc))).first()
    if e is None:
        raise not_found("企业", "Enterprise", uscc)
    existing = certifications_of(s, uscc)
    for c in existing:
        if (c.tier, c.recognized_on) == (body.tier, body.recognized_on):
            return c, False
    expires = body.expires_on or rules.expiry(body.recognized_on, validity_years(s, body.tier, body.recognized_on))
    cert = Certification(uscc=uscc, tier=body.tier, recognized_on=body.recognized_on, expires_on=expires,
                         batch=body.batch, source=body.source, state="active")
    s.add(cert)
    s.flush()
    olds = [as_rule(c) for c in existing]
    change = rules.change_on_add(olds, as_rule(cert))
    if change:
        e.version += 1
        events.promoted(s, e, change, cert, rules.first_time_at(olds, cert.tier))
    refresh_doc(s, e)
    audit.record(s, actor, "certification.add", "certification", str(cert.id), None, cert_dict(cert))
    return cert, True


def revoke(s: Session, actor: str, cert_id: int, body: RevokeIn, today: dt.date) -> Certification:
    cert = s.get(Certification, cert_id)
    if cert is None:
        raise not_found("认定", "Certification", str(cert_id))
    if cert.state == "revoked":
        raise Problem(409, "already-revoked", f"该认定已于 {cert.revoked_on} 撤销",
                      f"The certification was already revoked on {cert.revoked_on}")
    on = body.revoked_on or today
    if on < cert.recognized_on:
        raise Problem(422, "revoked-before-recognized", "撤销日期早于认定日期",
                      "revoked_on is before the recognition date",
                      errors=[{"loc": ["body", "revoked_on"], "msg": "before recognized_on", "type": "value"}])
    e = s.get(Enterprise, cert.uscc)
    before_state = cert_dict(cert)
    others = certifications_of(s, cert.uscc)
    before = [as_rule(c) for c in others]
    cert.state, cert.revoked_on, cert.revoke_reason, cert.for_cause = "revoked", on, body.reason, body.for_cause
    s.flush()
    after = [as_rule(c) for c in others]
    events.revoked(s, cert)
    change = rules.change_between(before, after, on)
    if change:
        e.version += 1
        events.demoted(s, e, change, cert, "revoked")
    refresh_doc(s, e)
    audit.record(s, actor, "certification.revoke", "certification", str(cert.id), before_state, cert_dict(cert))
    return cert


def expire_due(s: Session, today: dt.date, actor: str = "system:expiry") -> int:
    """Mark certifications past their last valid day expired, publishing demotions. Idempotent."""
    due = list(s.scalars(select(Certification).where(Certification.state == "active",
                                                     Certification.expires_on < today)
                         .order_by(Certification.expires_on, Certification.id)))
    for cert in due:
        certs = [as_rule(c) for c in certifications_of(s, cert.uscc)]
        cert.state = "expired"
        e = s.get(Enterprise, cert.uscc)
        change = rules.change_on_expiry(certs, as_rule(cert))
        if change:
            e.version += 1
            events.demoted(s, e, change, cert, "expired")
        refresh_doc(s, e)
        audit.record(s, actor, "certification.expire", "certification", str(cert.id),
                     {"state": "active"}, {"state": "expired"})
    return len(due)


def tier_stats(s: Session, on: dt.date) -> dict:
    by_enterprise: dict[str, list[rules.Cert]] = defaultdict(list)
    for uscc in s.scalars(select(Enterprise.uscc)):
        by_enterprise[uscc] = []
    for c in s.execute(select(Certification.id, Certification.uscc, Certification.tier,
                              Certification.recognized_on, Certification.expires_on,
                              Certification.revoked_on)):
        by_enterprise[c.uscc].append(rules.Cert(c.id, c.tier, c.recognized_on, c.expires_on, c.revoked_on))
    counts, holders = rules.tier_counts(by_enterprise, on)
    return {"on": on.isoformat(), "counts": counts, "holders": holders}


# -- recognition-list import -----------------------------------------------------------------
LIST_COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所属区", "认定类型", "批次", "认定日期")


def read_list_file(filename: str, content: bytes):
    """Yield (row number as in the file, {column: value}) from a CSV (UTF-8, BOM or not) or XLSX."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        import io

        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - any unreadable workbook is the caller's input problem
            raise Problem(422, "unreadable-file", "无法读取该 XLSX 文件", f"The XLSX file cannot be read: {e}") from e
        rows = book.active.iter_rows(values_only=True)
        header = [str(c or "").strip().lstrip("\ufeff") for c in next(rows, [])]
        _check_header(header)
        for i, values in enumerate(rows, start=1):
            if values and any(v not in (None, "") for v in values):
                cells = dict(zip(header, values))
                if isinstance(cells.get("认定日期"), dt.datetime | dt.date):
                    cells["认定日期"] = cells["认定日期"].strftime("%Y-%m-%d")
                yield _row_number(cells, i), cells
        return
    import csv
    import io

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")  # lists saved by Excel on a Chinese Windows
        except UnicodeDecodeError as e:
            raise Problem(422, "unreadable-file", "文件编码无法识别（需 UTF-8 或 GB18030）",
                          "The file is neither UTF-8 nor GB18030 text") from e
    reader = csv.DictReader(io.StringIO(text))
    _check_header([h.strip() for h in reader.fieldnames or []])
    for i, cells in enumerate(reader, start=1):
        cells = {(k or "").strip(): v for k, v in cells.items()}
        yield _row_number(cells, i), cells


def _check_header(header: list[str]) -> None:
    missing = [c for c in LIST_COLUMNS if c != "序号" and c not in header]
    if missing:
        raise Problem(422, "bad-columns", f"缺少列：{'、'.join(missing)}", f"Missing columns: {', '.join(missing)}",
                      errors=[{"loc": ["file", c], "msg": "missing column", "type": "missing"} for c in missing])


def _row_number(cells: dict, position: int) -> int:
    try:
        return int(str(cells.get("序号")).strip())
    except (TypeError, ValueError):
        return position


def import_rows(s: Session, actor: str, rows: list[rules.ListRow]) -> tuple[int, int]:
    """Apply valid rows (in recognition order, so promotions come out in time order).
    Returns (created, unchanged); a row already known changes nothing."""
    created = unchanged = 0
    for r in sorted(rows, key=lambda r: (r.recognized_on, rank(r.tier), r.row)):
        if s.get(Enterprise, r.uscc) is None:
            create_enterprise(s, actor, EnterpriseIn(uscc=r.uscc, name=r.name))
        _, made = add_certification(s, actor, r.uscc, CertificationIn(
            tier=r.tier, recognized_on=r.recognized_on, batch=r.batch, source="municipal_list"))
        created += made
        unchanged += not made
    return created, unchanged
