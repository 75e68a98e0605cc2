"""Correcting the record (issue 18): edit an enterprise's facts, record that it moved out or
closed. Each is an audited change that bumps the version and publishes the whole record. They
write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.registry import events
from services.registry.enterprises import repository
from services.registry.enterprises.schemas import DepartureIn, EnterpriseChangeIn
from services.registry.enterprises.service import refresh_doc
from services.registry.parks_known import service as parks_known
from services.registry.tables import Enterprise
from shared import audit, townships
from shared.contracts.registry import FieldChange
from shared.errors import Problem, not_found

# The facts a correction may change, in the order a change list reports them.
CORRECTABLE = ("name", "township", "park_id", "industry_code")


def _locked_or_404(s: Session, uscc: str) -> Enterprise:
    e = repository.locked(s, uscc)
    if e is None:
        raise not_found("企业", "Enterprise", uscc)
    return e


def _township(text: str | None, today: dt.date) -> str | None:
    """The canonical name of one of Fangshan's townships (variants such as 良乡 → 良乡镇), else 422."""
    if text is None:
        return None
    found = townships.canonical(text, today)
    if found is None:
        choices = "、".join(townships.names(today))
        raise Problem(422, "unknown-township", f"不是房山区的乡镇（街道）：{text}（可选：{choices}）",
                      f"{text!r} is not one of Fangshan's townships or street offices",
                      errors=[{"loc": ["body", "township"], "type": "unknown-township",
                               "msg": f"不是房山区的乡镇（街道）：{text} / not a Fangshan township: {text}"}],
                      choices=list(townships.names(today)))
    return found.name


def _wanted(s: Session, body: EnterpriseChangeIn, today: dt.date) -> dict[str, str | None]:
    """The new value of every field given, checked; nothing is changed before all pass."""
    given = body.model_fields_set
    wanted: dict[str, str | None] = {}
    if "name" in given:
        wanted["name"] = body.name
    if "township" in given:
        wanted["township"] = _township(body.township, today)
    if "park_id" in given:
        wanted["park_id"] = parks_known.known_or_422(s, body.park_id).park_id if body.park_id else None
    if "industry_code" in given:
        wanted["industry_code"] = body.industry_code
    return wanted


def correct(s: Session, actor: str, uscc: str, body: EnterpriseChangeIn, today: dt.date) -> Enterprise:
    """Change the fields given (a departed enterprise may be corrected too). Nothing differs: no
    version, no event, no audit row."""
    e = _locked_or_404(s, uscc)
    wanted = _wanted(s, body, today)
    changes = [FieldChange(field=f, before=getattr(e, f), after=wanted[f])
               for f in CORRECTABLE if f in wanted and wanted[f] != getattr(e, f)]
    if not changes:
        return e
    for c in changes:
        setattr(e, c.field, c.after)
    e.version += 1
    refresh_doc(s, e)
    events.changed(s, e, changes, body.reason)
    audit.record(s, actor, "enterprise.change", "enterprise", e.uscc,
                 {c.field: c.before for c in changes},
                 {**{c.field: c.after for c in changes}, "reason": body.reason})
    return e


def depart(s: Session, actor: str, uscc: str, body: DepartureIn) -> Enterprise:
    """The enterprise moved out of the district or closed on `body.on` (once: 409 after)."""
    e = _locked_or_404(s, uscc)
    if e.status != "active":
        raise Problem(409, "already-departed", f"该企业已于 {e.status_on} 记为{_STATUS_ZH.get(e.status, e.status)}",
                      f"The enterprise is already recorded as {e.status} on {e.status_on}",
                      status_recorded=e.status, status_on=e.status_on.isoformat() if e.status_on else None)
    before = {"status": e.status, "status_on": None, "status_reason": None}
    e.status, e.status_on, e.status_reason = body.status, body.on, body.reason
    e.version += 1
    refresh_doc(s, e)
    events.departed(s, e)
    audit.record(s, actor, "enterprise.depart", "enterprise", e.uscc, before,
                 {"status": e.status, "status_on": e.status_on.isoformat(), "status_reason": e.status_reason})
    return e


_STATUS_ZH = {"moved_out": "迁出", "closed": "注销"}
