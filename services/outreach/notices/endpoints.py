"""Notice routes (申报通知), the enterprise inbox and contacts: thin; the use cases are in
service.py, delivery in dispatch.py, the registry's screening in screening.py."""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.outreach.access import InboxReader, Reader, Recorder, Writer, page
from shared.pagination import Cursor, Limit
from services.outreach.notices import dispatch, repository, screening, service
from services.outreach.notices.channels import channels_of
from services.outreach.notices.schemas import (ContactIn, ContactPublic, DeliveryPublic, DeliveryState, Dispatched,
                                               InboxItem, NoticeDetail, NoticeIn, NoticePublic, Preview, Queued,
                                               ReadMarked)
from shared import pagination
from shared.schemas import USCC, Page, RowId
from shared.sessions import DatabaseDep, ReadSession, WriteSession

router = APIRouter(tags=["notices"])
NoticeId = Annotated[RowId, Path(description="通知编号 / the notice's id")]
Uscc = Annotated[USCC, Path(description="统一社会信用代码 / unified social credit code")]


@router.put("/enterprises/{uscc}/contact", summary="企业联系方式 / Where notices reach an enterprise")
def set_contact(uscc: Uscc, body: ContactIn, who: Recorder, session: WriteSession) -> ContactPublic:
    """登记通知送达企业的电子邮箱、微信 openid 与手机号；企业须在区企业库中。
    Set where notices reach an enterprise (e-mail, WeChat openid, mobile number); it must be in the registry."""
    return service.set_contact(session, who, uscc, body)


@router.get("/enterprises/{uscc}/contact", summary="企业联系方式（查看）/ Where notices reach an enterprise (read)")
def get_contact(uscc: Uscc, who: Recorder, session: ReadSession) -> ContactPublic:
    """读取登记的联系方式（个人信息：仅区经信局与企业门户可读），以便修改时不丢失未改的项；未登记过为空值。
    The contact as recorded (personal data: the bureau and the enterprise portal only), so that a change
    keeps what it does not touch (PUT replaces all three); empty values when none was recorded."""
    return service.contact_of(session, uscc)


@router.get("/enterprises/{uscc}/inbox", summary="企业门户收件箱 / An enterprise's portal inbox")
def inbox(uscc: Uscc, who: InboxReader, session: ReadSession, limit: Limit = 100,
          cursor: Cursor = None) -> Page[InboxItem]:
    """企业门户收件箱：其 inbox 渠道的送达记录及通知。
    The enterprise's portal inbox: its inbox deliveries, each with its notice."""
    return page(service.inbox(session, who, uscc, pagination.decode_id(cursor), limit), limit)


@router.post("/notices", status_code=201, summary="起草申报通知 / Draft a declaration notice and its target",
             responses={502: {"description": "企业库筛选接口答复异常 / the registry's screening answered badly"},
                        503: {"description": "无法连接企业库筛选接口 / the registry's screening is unreachable"}})
async def create_notice(body: NoticeIn, request: Request, who: Writer, db: DatabaseDep) -> NoticePublic:
    """起草一份申报通知。对象为空（无任何条件且未明确 audience 为 all）时 422 empty-target。对象中的 screening
    此时经区企业库筛选接口解析（转发调用者的 Authorization），名单随通知保存；企业库不可达 503、答复异常 502，均不创建通知。
    Draft a notice. An empty target (no criterion, and not explicitly `audience: all`) is 422
    `empty-target`. A `target.screening` selector is resolved now through the registry's screening
    (the caller's Authorization forwarded) and its USCCs stored with the notice; the registry down →
    503, a bad answer → 502, nothing created."""
    service.refuse_aimless(body.target.model_dump(mode="json"))  # before asking the registry anything
    resolved = None
    if body.target.screening is not None:
        resolved = await screening.resolve(request.app, body.target.screening.model_dump(mode="json"),
                                           request.headers.get("authorization"))

    def create() -> NoticePublic:  # the transaction opens only now: no lock is held while the registry answers
        with db.transaction() as session:
            return service.create(session, who, body, resolved)
    return await asyncio.to_thread(create)


@router.get("/notices", summary="通知列表 / List notices")
def list_notices(who: Reader, session: ReadSession, limit: Limit = 100,
                 cursor: Cursor = None) -> Page[NoticePublic]:
    """按编号分页列出通知。
    Notices by id, a keyset page at a time."""
    return page(repository.listing(session, who, pagination.decode_id(cursor), limit), limit)


@router.get("/notices/{notice_id}", summary="通知详情（含送达统计）/ One notice with delivery counts")
def get_notice(notice_id: NoticeId, who: Reader, session: ReadSession) -> NoticeDetail:
    """通知及按渠道、状态（及已读）统计的送达数。
    The notice with its deliveries counted per channel and state (and read)."""
    return service.detail(session, who, notice_id)


@router.get("/notices/{notice_id}/preview", summary="预览通知对象 / Whom the notice would reach, without sending")
def preview_notice(notice_id: NoticeId, request: Request, who: Reader, session: ReadSession) -> Preview:
    """按当前区企业库记录（今日梯度）解析对象，逐企业、逐渠道答复将发送、将跳过（无该渠道地址、渠道未配置）或已排队，
    不发送、不排队；对象为空的旧草稿 422 empty-target。
    Resolve the target now (today's tiers) and answer, per enterprise and channel, whether it would
    be sent, skipped (no address for the channel, the channel not configured) or is already queued,
    without sending or queuing anything; 422 `empty-target` for an old draft with an empty target."""
    return service.preview(session, who, notice_id, channels_of(request.app))


@router.post("/notices/{notice_id}/send", summary="发送通知 / Queue the notice for its targets")
def send_notice(notice_id: NoticeId, who: Writer, session: WriteSession) -> Queued:
    """按区企业库的最新记录（发送当日的梯度）解析对象，为每家企业 × 渠道排队一条送达；重发只为新符合的企业排队，
    并重新排队此前跳过的送达；对象为空 422 empty-target。
    Resolve the target now against the registry's newest records (tiers on the day of sending) and
    queue one delivery per enterprise × channel; a resend queues only enterprises that newly match,
    and queues skipped deliveries again. 422 `empty-target` for a draft with an empty target."""
    return service.send(session, who, notice_id)


@router.get("/notices/{notice_id}/deliveries", summary="通知送达明细 / Per-enterprise, per-channel delivery status")
def list_deliveries(notice_id: NoticeId, who: Reader, session: ReadSession, limit: Limit = 100,
                    cursor: Cursor = None,
                    state: Annotated[DeliveryState | None, Query(description="按送达状态筛选 / only this "
                                                                             "state")] = None
                    ) -> Page[DeliveryPublic]:
    """每家企业、每个渠道的送达状态、尝试次数、下次尝试时间、失败原因、送达与阅读时间；未知通知 404。
    Per enterprise and channel: state, attempts, next attempt, last error, sent and read times; 404
    for an unknown notice."""
    repository.get(session, who, notice_id)
    return page(repository.deliveries(session, who, notice_id, state, pagination.decode_id(cursor), limit), limit)


@router.post("/notices/{notice_id}/dispatch", response_model_exclude_unset=True,
             summary="立即派送 / Send this notice's due deliveries now")
def dispatch_notice(notice_id: NoticeId, request: Request, who: Writer, db: DatabaseDep) -> Dispatched:
    """立即发送该通知到期的送达（后台派送每 outreach.notice.poll_s 秒也会这样做）。
    Send this notice's due deliveries now (the background dispatcher does the same every
    outreach.notice.poll_s)."""
    # Not one transaction: the dispatcher claims in one, sends outside any, settles each in its own.
    with db.reader() as session:
        repository.get(session, who, notice_id)
    return dispatch.dispatch_once(request.app, notice_id)


@router.post("/notices/{notice_id}/read/{uscc}", summary="企业已阅读通知 / The enterprise opened the notice")
def mark_read(notice_id: NoticeId, uscc: Uscc, who: Recorder, session: WriteSession) -> ReadMarked:
    """企业在门户中打开了通知：记录其各送达的阅读时间。
    The enterprise opened the notice in the portal: read_at is set on its deliveries."""
    return service.mark_read(session, who, notice_id, uscc)
