"""Declaration notices (申报通知), their targets and deliveries, the inbox and contacts: request
bodies and answers."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from services.outreach.contracts.schemas import BUYER, SUPPLIER
from shared.schemas import USCC, Body, Day, LongText, Public, Text, UtcTime

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500,
                                       pattern=r"^https?://\S+$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200,
                                         pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Channel = Literal["inbox", "email", "wechat", "sms"]
# The channels by name, as the reminder_channels parameters may list them (ServiceSpec.policy_codes).
CHANNEL_ZH = {"inbox": "企业门户收件箱", "email": "电子邮件", "wechat": "微信模板消息", "sms": "短信"}
DeliveryState = Literal["pending", "sending", "sent", "failed", "abandoned", "skipped"]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$")]
IndustryCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=20,
                                                pattern=r"^[A-Za-z][0-9]{0,6}$")]
WINDOW_ORDER = "申报截止日早于开始日 / window_closes is before window_opens"


class ContactIn(Body):
    """通知送达企业的方式 / Where notices reach an enterprise."""

    email: Email | None = Field(None, description="电子邮箱 / the e-mail address")
    wechat_openid: Short | None = Field(None, description="微信 openid / the WeChat openid")
    phone: Phone | None = Field(None, description="手机号（11 位，短信渠道）/ the mobile number (11 digits, for SMS)")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"email": "office@chuore.com.cn", "wechat_openid": "oX2k81Zq9HcRt0aBdE", "phone": "13800138000"}]})


class ContactPublic(Public):
    """企业的联系方式 / An enterprise's contact."""

    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    email: str | None = Field(description="电子邮箱 / the e-mail address")
    wechat_openid: str | None = Field(description="微信 openid / the WeChat openid")
    phone: str | None = Field(description="手机号 / the mobile number")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"uscc": SUPPLIER, "email": "office@chuore.com.cn", "wechat_openid": "oX2k81Zq9HcRt0aBdE",
         "phone": "13800138000"}]})


class ScreeningIn(Body):
    """区企业库筛选结果（达标 / 准达标），创建通知时解析为企业名单 / The registry's screening result
    (达标 / 准达标) for a tier, resolved to USCCs when the notice is created."""

    tier: Literal["innovative", "municipal_srdi", "national_little_giant"] = Field(
        description="梯度：innovative 创新型中小企业、municipal_srdi 市级专精特新、national_little_giant 国家级"
                    "小巨人 / the tier screened for")
    result: Literal["准达标", "达标"] = Field(description="筛选结果 / the screening result wanted (near or met)")
    on: Day | None = Field(None, description="筛选日期（默认今天）/ the day screened (default today)")
    year: Annotated[int, Field(ge=2000, le=2100)] | None = Field(
        None, description="指标年度（默认上一年）/ the indicators' year (default the previous year)")


class TargetIn(Body):
    """通知对象：各条件同时满足，每个条件内任一取值即可 / Who a notice is for: every criterion given
    must hold; within one, any listed value will do."""

    tiers: Annotated[list[Short], Field(max_length=10)] = Field([], description="发送当日的梯度 / tiers on the "
                                                                                "day of sending")
    townships: Annotated[list[Short], Field(max_length=50)] = Field([], description="乡镇街道 / townships")
    park_ids: Annotated[list[Short], Field(max_length=50)] = Field([], description="园区编号 / park ids")
    usccs: Annotated[list[USCC], Field(max_length=1000)] = Field(
        [], description="指定企业的统一社会信用代码 / these enterprises' USCCs")
    industries: Annotated[list[IndustryCode], Field(max_length=50)] = Field(
        [], description="国民经济行业代码前缀（C35 含 C3511）/ GB/T 4754 industry code prefixes (C35 selects C3511)")
    screening: ScreeningIn | None = Field(None, description="区企业库筛选结果 / the registry's screening result")
    audience: Literal["targeted", "all"] = Field(
        "targeted", description="targeted 按上列条件（至少一个，否则拒绝）；all 全区企业（须明确选择，且不得再给条件）/ "
                                "targeted: by the criteria above (at least one, an empty target is refused); all: "
                                "every district enterprise (only when chosen, and with no criteria)")

    @model_validator(mode="after")
    def _all_means_no_criteria(self):
        if self.audience == "all" and self.criteria():
            raise ValueError("audience 为 all 时不得再给对象条件 / audience all takes no criteria")
        return self

    def criteria(self) -> bool:
        return any((self.tiers, self.townships, self.park_ids, self.usccs, self.industries, self.screening))


class NoticeIn(Body):
    """一份申报通知（草稿）/ A declaration notice (a draft) and its target."""

    programme: Text = Field(description="所属项目 / the programme it is about")
    title: Text = Field(description="标题 / the title")
    body: LongText = Field(description="正文 / the text")
    window_opens: Day = Field(description="申报开始日 / the first day of the window")
    window_closes: Day = Field(description="申报截止日 / the last day of the window")
    criteria_url: Url | None = Field(None, description="申报条件链接 / a link to the criteria")
    target: TargetIn = Field(TargetIn(), description="通知对象：至少一个条件，或 audience 为 all（全区企业）；空对象被拒绝 "
                                                     "/ who it is for: at least one criterion, or audience all (every "
                                                     "district enterprise); an empty target is refused")
    channels: Annotated[list[Channel], Field(min_length=1, max_length=4)] = Field(
        ["inbox"], description="送达渠道：inbox 门户收件箱、email 电子邮件、wechat 微信模板消息、sms 短信 / the channels: "
                               "the portal inbox, e-mail, WeChat template message, SMS")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"programme": "2026年度专精特新中小企业认定", "title": "关于开展2026年度专精特新申报的通知",
         "body": "请符合条件的企业于窗口期内申报。", "window_opens": "2026-03-01", "window_closes": "2026-04-30",
         "criteria_url": "https://jxj.bjfsh.gov.cn/srdi/2026",
         "target": {"tiers": ["innovative"], "townships": ["良乡镇"], "industries": ["C35"],
                    "screening": {"tier": "municipal_srdi", "result": "准达标"}},
         "channels": ["inbox", "email"]}]})

    @model_validator(mode="after")
    def _window(self):
        if self.window_closes < self.window_opens:
            raise ValueError(WINDOW_ORDER)
        self.channels = list(dict.fromkeys(self.channels))
        return self


NOTICE = {"id": 9, "programme": "2026年度专精特新中小企业认定", "title": "关于开展2026年度专精特新申报的通知",
          "body": "请符合条件的企业于窗口期内申报。", "window_opens": "2026-03-01", "window_closes": "2026-04-30",
          "criteria_url": "https://jxj.bjfsh.gov.cn/srdi/2026",
          "target": {"tiers": ["innovative"], "townships": [], "park_ids": [], "usccs": [], "industries": [],
                     "screening": None},
          "channels": ["inbox", "email"], "sent_at": "2026-03-01T01:00:00Z", "reminder_key": None,
          "created_by": "econ:-:zhang", "created_at": "2026-02-27T08:00:00Z"}
DELIVERY = {"id": 31, "notice_id": 9, "uscc": SUPPLIER, "channel": "email", "state": "failed", "attempts": 1,
            "next_attempt_at": "2026-03-01T01:02:00Z", "last_error": "SMTP: SMTPDataError: (451, b'try later')",
            "sent_at": None, "read_at": None}


class NoticePublic(Public):
    """一份申报通知 / A declaration notice."""

    id: int = Field(description="通知编号 / the notice's id")
    programme: str = Field(description="所属项目 / the programme it is about")
    title: str = Field(description="标题 / the title")
    body: str = Field(description="正文 / the text")
    window_opens: dt.date = Field(description="申报开始日 / the first day of the window")
    window_closes: dt.date = Field(description="申报截止日 / the last day of the window")
    criteria_url: str | None = Field(description="申报条件链接 / a link to the criteria")
    target: dict[str, Any] = Field(description="通知对象（screening 含创建时解析出的 usccs）/ who it is for (a "
                                               "screening with the usccs resolved at creation)")
    channels: list[str] = Field(description="送达渠道 / the channels")
    sent_at: UtcTime | None = Field(description="首次发送时间（UTC）/ when it was first sent (UTC)")
    reminder_key: str | None = Field(description="提醒的键：申报截止提醒为 reminder:项目:截止日，到期提醒为 validity:企业:周期；"
                                                 "其他通知为空 / the reminder's key: reminder:<programme>:<closing day>, "
                                                 "or validity:<uscc>:<cycle> for a validity reminder; null for other "
                                                 "notices")
    created_by: str = Field(description="创建人（角色:机构:用户）/ who wrote it (role:org:user)")
    created_at: UtcTime = Field(description="创建时间（UTC）/ when it was written (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [NOTICE]})


class NoticeDetail(NoticePublic):
    """通知及各渠道送达统计 / A notice with its deliveries counted per channel and state."""

    deliveries: dict[str, dict[str, int]] = Field(description="按渠道、状态（及已读 read）计数 / counts per channel "
                                                              "and state (and read)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**NOTICE, "deliveries": {"inbox": {"sent": 12, "read": 5}, "email": {"sent": 10, "failed": 2}}}]})


class DeliveryPublic(Public):
    """一份通知经一个渠道送达一家企业 / One notice to one enterprise through one channel."""

    id: int = Field(description="送达编号 / the delivery's id")
    notice_id: int = Field(description="通知编号 / the notice")
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    channel: str = Field(description="渠道 / the channel")
    state: DeliveryState = Field(description="pending 待发、sending 发送中、sent 已送达、failed 失败待重试、abandoned "
                                             "已放弃（重试用尽或对方拒收）、skipped 已跳过（无该渠道地址或渠道未配置，不重试）"
                                             " / pending, sending, sent, failed (to be retried), abandoned (retries "
                                             "used up, or refused for good), skipped (no address for the channel, or "
                                             "the channel not configured; never retried)")
    attempts: int = Field(description="已尝试次数 / sends tried")
    next_attempt_at: UtcTime | None = Field(description="下次尝试时间（UTC；已送达或放弃为空）/ the next try (UTC; "
                                                        "null once sent or abandoned)")
    last_error: str | None = Field(description="最近一次失败或跳过的原因 / the last failure, or why it was skipped")
    sent_at: UtcTime | None = Field(description="送达时间（UTC）/ when it was sent (UTC)")
    read_at: UtcTime | None = Field(description="企业阅读时间（UTC）/ when the enterprise opened it (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [DELIVERY]})

    @field_validator("next_attempt_at")
    @classmethod
    def _only_when_due(cls, value, info: ValidationInfo):
        return value if info.data.get("state") in ("pending", "failed", "sending") else None


class InboxItem(DeliveryPublic):
    """门户收件箱中的一条：送达记录及其通知 / A portal inbox entry: the delivery and its notice."""

    notice: NoticePublic = Field(description="通知 / the notice")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**DELIVERY, "channel": "inbox", "state": "sent", "attempts": 1, "next_attempt_at": None, "last_error": None,
         "sent_at": "2026-03-01T01:00:05Z", "notice": NOTICE}]})


class Queued(Public):
    """发送通知的结果 / What sending a notice queued."""

    notice_id: int = Field(description="通知编号 / the notice")
    enterprises: int = Field(description="当前符合对象条件的企业数 / enterprises in the target now")
    queued: int = Field(description="本次新排队的送达数 / deliveries queued now")
    already_queued: int = Field(description="此前已排队的送达数 / deliveries queued before")
    requeued: int = Field(0, description="此前跳过、本次重新排队的送达数（如企业已补登地址）/ deliveries skipped before "
                                         "and queued again now (an address given since, say)")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"notice_id": 9, "enterprises": 12, "queued": 4, "already_queued": 20, "requeued": 1}]})


class Dispatched(Public):
    """一次派送的结果（各结果状态的计数，仅列出出现的）/ One dispatch pass: the deliveries claimed and
    their outcomes (only those that occurred)."""

    claimed: int = Field(description="本次认领的送达数 / deliveries claimed")
    sent: int | None = Field(None, description="已送达 / sent")
    failed: int | None = Field(None, description="失败待重试 / failed, to be retried")
    abandoned: int | None = Field(None, description="已放弃 / abandoned")
    skipped: int | None = Field(None, description="已跳过（无地址或渠道未配置）/ skipped (no address, or not configured)")
    pending: int | None = Field(None, description="待发 / pending")
    sending: int | None = Field(None, description="发送中 / sending")
    gone: int | None = Field(None, description="已不存在 / no longer there")
    model_config = ConfigDict(json_schema_extra={"examples": [{"claimed": 3, "sent": 2, "failed": 1}]})


class ReadMarked(Public):
    """企业已阅读：其各渠道送达记录 / The enterprise opened the notice: its deliveries."""

    items: list[DeliveryPublic] = Field(description="该企业的送达记录 / the enterprise's deliveries of the notice")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [{**DELIVERY, "state": "sent", "read_at": "2026-03-02T02:00:00Z"}]}]})


class PreviewLine(Public):
    """一家企业经一个渠道：会发送，或跳过及原因 / One enterprise through one channel: sent, or skipped and why."""

    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    name: str = Field(description="企业名称 / the enterprise's name")
    channel: str = Field(description="渠道 / the channel")
    outcome: Literal["send", "skip", "queued"] = Field(
        description="send 将发送、skip 将跳过、queued 已排队（重发不再排队）/ send: would be sent; skip: would be skipped; "
                    "queued: already queued (a resend adds nothing)")
    reason: str | None = Field(description="跳过原因（无地址、渠道未配置）/ why it would be skipped (no address, not "
                                           "configured)")
    state: DeliveryState | None = Field(description="已排队送达的当前状态 / the queued delivery's state, if any")


class ChannelCount(Public):
    """一个渠道的预览计数 / One channel's counts in a preview."""

    send: int = Field(description="将发送 / would be sent")
    skip: int = Field(description="将跳过 / would be skipped")
    queued: int = Field(description="已排队 / already queued")


class Preview(Public):
    """通知将送达的对象（不发送）/ Whom a notice would reach, without sending."""

    notice_id: int = Field(description="通知编号 / the notice")
    on: dt.date = Field(description="按此日的梯度解析对象 / the day the target is resolved on (tiers of that day)")
    audience: Literal["targeted", "all"] = Field(description="targeted 按条件、all 全区企业 / by criteria, or every "
                                                             "district enterprise")
    enterprises: int = Field(description="符合对象条件的企业数 / enterprises in the target")
    channels: dict[str, ChannelCount] = Field(description="按渠道计数 / counts per channel")
    items: list[PreviewLine] = Field(description="每家企业 × 渠道 / each enterprise × channel")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"notice_id": 9, "on": "2026-03-01", "audience": "targeted", "enterprises": 2,
         "channels": {"wechat": {"send": 1, "skip": 1, "queued": 0}},
         "items": [{"uscc": SUPPLIER, "name": "北京初元储能科技有限公司", "channel": "wechat", "outcome": "send",
                    "reason": None, "state": None},
                   {"uscc": BUYER, "name": "北京良乡精密制造有限公司", "channel": "wechat",
                    "outcome": "skip", "reason": "企业未绑定微信 / no WeChat openid on file", "state": None}]}]})
