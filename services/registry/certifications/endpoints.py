"""Certification routes: thin; the use cases are in service.py."""
from fastapi import APIRouter

from services.registry.auth import CertWriter, Reader, Writer
from services.registry.certifications import repository, service
from services.registry.certifications.schemas import (
    AnnouncedPublic,
    CertId,
    CertificationIn,
    CertificationPublic,
    ExpiredPublic,
    RevokeIn,
    VoidIn,
)
from shared.clock import today
from shared.errors import Problem, not_found
from shared.paths import UsccKey
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["registry"])


@router.post("/enterprises/{uscc}/certifications", status_code=201,
             summary="登记一项认定 / Record a certification")
def add_certification(uscc: UsccKey, body: CertificationIn, who: CertWriter,
                      session: WriteSession) -> CertificationPublic:
    """登记认定，有效期默认按称号有效期（带日期的参数）；层级上升时发布晋级事件。同一层级、同一认定
    日期已登记为 409（附 existing）。/ Record a certification (its expiry defaults to the title's
    validity); a rising tier publishes a promotion. 409 with `existing` when the same tier and date is
    recorded."""
    cert, created = service.add(session, who.actor, uscc, body)
    if not created:
        raise Problem(409, "certification-exists", f"该企业已有同一层级、同一认定日期的认定（编号 {cert.id}）",
                      f"The enterprise already has this tier recognised on this date (id {cert.id})",
                      existing=service.snapshot(cert))
    return cert


def _readable(session, who, cert_id: int):
    cert = repository.readable_one(session, who, cert_id)
    if cert is None:
        raise not_found("认定", "Certification", str(cert_id))
    return cert


@router.get("/certifications/{cert_id}", summary="一项认定 / One certification")
def get_certification(cert_id: CertId, who: Reader, session: ReadSession) -> CertificationPublic:
    """一项认定（园区只见本园区企业的）。/ One certification (a park sees its own park's)."""
    return _readable(session, who, cert_id)


@router.post("/certifications/{cert_id}/revoke", summary="撤销认定 / Revoke a certification (撤销)")
def revoke(cert_id: CertId, body: RevokeIn, who: Writer, session: WriteSession) -> CertificationPublic:
    """撤销认定（默认今天）；层级下降时发布降级事件。已撤销为 409。/ Revoke a certification (default
    today); a falling tier publishes a demotion. 409 when already revoked."""
    return service.revoke(session, who.actor, _readable(session, who, cert_id), body, today())


@router.post("/certifications/{cert_id}/void", summary="作废录入错误的认定 / Void a certification entered by mistake")
def void(cert_id: CertId, body: VoidIn, who: Writer, session: WriteSession) -> CertificationPublic:
    """作废录入错误的认定（不同于撤销：不禁止再次认定，视为从未存在，任何日期都不计入层级）；发布
    certification.voided.v1，各部门撤回其影响（未兑付奖励撤回、已兑付的提示财政、本年度及以后未使用的指标取消，已被提名占用的保留至提名结束）。
    已作废为 409。/ Void a certification entered by mistake (unlike a revocation: no ban; it never
    counted, on any date); publishes certification.voided.v1 so each department undoes its effects.
    409 when already voided."""
    return service.void(session, who.actor, _readable(session, who, cert_id), body, today())


@router.post("/admin/expire", summary="立即处理到期认定 / Expire certifications past their last valid day now")
def expire_now(who: Writer, session: WriteSession) -> ExpiredPublic:
    """把有效期已过的认定标记为到期并发布降级（启动时及每小时也会运行）。/ Mark certifications past
    their last valid day expired and announce demotions (it also runs at start and hourly)."""
    return ExpiredPublic(expired=service.expire_due(session, today(), who.actor))


@router.post("/admin/announce-records", summary="重新公布全部企业档案 / Announce every enterprise's record as it stands")
def announce_records(who: Writer, session: WriteSession) -> AnnouncedPublic:
    """每家企业一条 enterprise.recorded.v1：补齐没有副本的服务（后加入的服务，或早于档案事件的数据库）。
    不触发任何兑现；重复执行只改变版本时间。/ One enterprise.recorded.v1 per enterprise: fills the
    copies of a service that has none. Triggers nothing; repeating it changes nothing."""
    return AnnouncedPublic(announced=service.announce_records(session, who.actor))
