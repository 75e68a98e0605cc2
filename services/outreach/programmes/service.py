"""Programme use cases: the catalogue, applications and their stages, windows closing soon and the
reminders to applicants still preparing. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.outreach import registry, rules
from services.outreach.access import dump
from services.outreach.notices import repository as notices
from services.outreach.notices import service as notice_service
from services.outreach.programmes import repository
from services.outreach.programmes.schemas import (
    ApplicationIn,
    ApplicationPublic,
    ApplicationUpdate,
    ProgrammeIn,
    ProgrammePublic,
)
from services.outreach.tables import Application, Notice, Programme
from shared import audit, params
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem, field_error

STAGE_ZH = {"preparing": "准备中", "submitted": "已提交", "approved": "已批准", "granted": "已拨付",
            "rejected": "未通过", "withdrawn": "已撤回"}


def create(s: Session, who: Principal, body: ProgrammeIn) -> Programme:
    if repository.exists(s, body.name, body.window_opens):
        raise Problem(409, "duplicate-programme", f"项目“{body.name}”在 {body.window_opens} 开放的批次已存在",
                      f"Programme {body.name!r} opening {body.window_opens} already exists")
    p = insert(s, Programme(**body.model_dump(), created_by=who.actor),  # a racing duplicate: the same 409
               Problem(409, "duplicate-programme", f"项目“{body.name}”在 {body.window_opens} 开放的批次已存在",
                       f"Programme {body.name!r} opening {body.window_opens} already exists"))
    audit.record(s, who.actor, "programme.create", "programme", p.id, after=dump(ProgrammePublic, p))
    return p


def detail(s: Session, who: Principal, programme_id: int) -> dict:
    p = repository.get(s, who, programme_id)
    return {**p.model_dump(), "applications": repository.applications_of(s, p.id)}


def closing_soon(s: Session, who: Principal, on: dt.date) -> dict:
    """Windows open on `on` closing within outreach.programme.reminder_days, each with the
    applications still preparing."""
    p = params.in_force(s, on, "outreach.programme.")["outreach.programme.reminder_days"]
    days = int(p.value)
    rows = repository.open_on(s, who, on)
    ids = set(rules.closing_soon(((r.id, r.window_opens, r.window_closes) for r in rows), on, days))
    items = [{**r.model_dump(), "days_left": (r.window_closes - on).days,
              "preparing": repository.applications_of(s, r.id, "preparing")} for r in rows if r.id in ids]
    return {"on": on, "within_days": days, "param": p.cite(), "items": items}


def _check_amounts(p: Programme, requested_yuan: int | None, granted_yuan: int | None) -> None:
    field = rules.amount_error(p.max_amount_yuan, requested_yuan, granted_yuan)
    if field:
        raise field_error(field, f"超过项目上限 {p.max_amount_yuan} 元",
                          f"exceeds the programme's maximum of {p.max_amount_yuan} yuan")


def apply(s: Session, who: Principal, programme_id: int, body: ApplicationIn) -> Application:
    p = repository.get(s, who, programme_id)
    registry.district(s, body.uscc, "uscc")
    _check_amounts(p, body.requested_yuan, None)
    if repository.applied(s, p.id, body.uscc):
        raise Problem(409, "duplicate-application", f"企业 {body.uscc} 已有该项目的申报",
                      f"Enterprise {body.uscc} already has an application to this programme")
    a = insert(s, Application(programme_id=p.id, stage="preparing", created_by=who.actor, **body.model_dump()),
               Problem(409, "duplicate-application", "该企业已有该项目的申报", "Duplicate application"))
    audit.record(s, who.actor, "application.create", "application", a.id, after=dump(ApplicationPublic, a))
    return a


def _stage_refused(current: str, new: str, err: str) -> Problem:
    allowed = "、".join(STAGE_ZH[x] for x in sorted(rules.NEXT[current])) or "无"
    return Problem(409, "bad-stage", f"申报阶段不能这样变更：不能从{STAGE_ZH[current]}直接变为{STAGE_ZH[new]}"
                                     f"（{STAGE_ZH[current]}之后可以是：{allowed}）",
                   f"Stage change refused: {err}")


def update(s: Session, who: Principal, application_id: int, body: ApplicationUpdate) -> Application:
    a = repository.application(s, who, application_id, lock=True)
    before = dump(ApplicationPublic, a)
    if body.stage is not None:
        if err := rules.stage_error(a.stage, body.stage):
            raise _stage_refused(a.stage, body.stage, err)
        a.stage = body.stage
    if body.requested_yuan is not None:
        a.requested_yuan = body.requested_yuan
    if body.granted_yuan is not None:
        if a.stage != "granted":
            raise field_error("granted_yuan", "仅在“已拨付”阶段记录获批金额", "only recorded at stage granted")
        a.granted_yuan = body.granted_yuan
    if body.note is not None:
        a.note = body.note
    _check_amounts(repository.programme(s, a.programme_id), a.requested_yuan, a.granted_yuan)
    s.flush()
    audit.record(s, who.actor, "application.update", "application", a.id, before, dump(ApplicationPublic, a))
    return a


def _reminder(s: Session, who: Principal, item: dict, usccs: list[str], channels: list[str]) -> Notice:
    """The window's reminder notice (reminder_key = programme × closing day): written the first
    time, and widened to applicants newly preparing afterwards."""
    closes = item["window_closes"]
    key = f"reminder:{item['id']}:{closes.isoformat()}"
    n = notices.reminder(s, key)
    if n is None:
        return notice_service.write(s, who, Notice(
            programme=item["name"], reminder_key=key, created_by=who.actor, channels=channels,
            title=f"提醒：{item['name']}将于{closes}截止申报",
            body=f"贵企业在{item['name']}的申报材料尚在准备中，申报窗口将于{closes}关闭"
                 f"（还有{item['days_left']}天），请抓紧提交。",
            window_opens=item["window_opens"], window_closes=closes, criteria_url=item["url"],
            target={"usccs": usccs}))
    held = set(n.target.get("usccs", []))
    if set(usccs) - held:
        n.target = {**n.target, "usccs": sorted(set(usccs) | held)}
        s.flush()
    return n


def remind_closing(s: Session, who: Principal, on: dt.date) -> dict:
    """For each window closing within outreach.programme.reminder_days, a reminder notice to the
    enterprises whose application is still `preparing`, queued on the channels in
    outreach.programme.reminder_channels. Running it again (the same day or later) reuses the
    programme window's notice: it only adds enterprises that newly need reminding."""
    p = params.in_force(s, on, "outreach.programme.")["outreach.programme.reminder_channels"]
    out = []
    for item in closing_soon(s, who, on)["items"]:
        usccs = sorted(a.uscc for a in item["preparing"])
        if usccs:
            n = _reminder(s, who, item, usccs, list(p.value))
            out.append({"programme_id": item["id"], **notice_service.send(s, who, n.id)})
    return {"on": on, "reminders": out, "param": p.cite()}
