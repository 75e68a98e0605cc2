"""Notice delivery channels behind one interface. A channel sends one delivery or raises
ChannelError; the dispatcher records the outcome and retries with back-off.

- inbox: the portal inbox is the stored delivery itself; "sending" just marks it delivered.
- email: SMTP via smtplib to SRDI_SMTP_HOST:SRDI_SMTP_PORT. The Message-ID is derived from the
  delivery's unique key (notice × enterprise × channel), so even a resend after a crash between
  the SMTP answer and our commit carries the same Message-ID, which mail systems de-duplicate.
- wechat: the district WeChat account's template message (模板消息). The HTTP call needs the
  account's AppID/secret, which the suite does not hold: `WeChatTemplateChannel` takes a
  transport callable; without one it fails visibly ("not configured") and is retried.
"""
from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from shared.settings import Settings


class ChannelError(Exception):
    """A failed send; the message is stored on the delivery (last_error)."""


@dataclass(frozen=True)
class Message:
    key: str            # notice-<id>-<uscc>-<channel>: the delivery's unique key
    uscc: str
    enterprise_name: str
    title: str
    body: str
    programme: str
    window: str
    criteria_url: str | None
    email: str | None = None
    wechat_openid: str | None = None


class Channel(Protocol):
    name: str

    def send(self, m: Message) -> None: ...


class InboxChannel:
    name = "inbox"

    def send(self, m: Message) -> None:
        return None  # the delivery row is the inbox entry


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings):  # its smtp_* fields
        self.s = settings

    def render(self, m: Message) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.s.smtp_sender
        msg["To"] = m.email
        msg["Subject"] = m.title
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = f"<{m.key}@srdi.fangshan.gov.cn>"
        lines = [f"{m.enterprise_name}：", "", m.body, "", f"项目：{m.programme}", f"申报时间：{m.window}"]
        if m.criteria_url:
            lines.append(f"申报条件：{m.criteria_url}")
        msg.set_content("\n".join(lines))
        return msg

    def send(self, m: Message) -> None:
        if not m.email:
            raise ChannelError("企业未登记电子邮箱 / no e-mail address on file")
        try:
            with smtplib.SMTP(self.s.smtp_host, self.s.smtp_port, timeout=self.s.smtp_timeout_s) as smtp:
                if self.s.smtp_starttls:
                    smtp.starttls()
                if self.s.smtp_user:
                    smtp.login(self.s.smtp_user, self.s.smtp_password or "")
                smtp.send_message(self.render(m))
        except (OSError, smtplib.SMTPException) as e:
            raise ChannelError(f"SMTP: {type(e).__name__}: {e}"[:400]) from e


class WeChatTemplateChannel:
    name = "wechat"

    def __init__(self, transport: Callable[[dict], None] | None = None, template_id: str = "srdi-notice"):
        self.transport, self.template_id = transport, template_id

    def payload(self, m: Message) -> dict:
        return {"touser": m.wechat_openid, "template_id": self.template_id, "url": m.criteria_url,
                "data": {"first": {"value": m.title}, "keyword1": {"value": m.programme},
                         "keyword2": {"value": m.window}, "remark": {"value": m.body[:200]}},
                "client_msg_id": m.key}

    def send(self, m: Message) -> None:
        if not m.wechat_openid:
            raise ChannelError("企业未绑定微信 / no WeChat openid on file")
        if self.transport is None:
            raise ChannelError("微信模板消息未配置 / the WeChat template-message adapter is not configured")
        try:
            self.transport(self.payload(m))
        except Exception as e:  # noqa: BLE001 - any transport failure is a failed send
            raise ChannelError(f"WeChat: {e}"[:400]) from e


def default_channels(settings: Settings) -> dict[str, Channel]:
    return {c.name: c for c in (InboxChannel(), EmailChannel(settings), WeChatTemplateChannel())}


def channels_of(app) -> dict[str, Channel]:
    """The app's channels (tests and deployments may replace entries in app.state.channels)."""
    if getattr(app.state, "channels", None) is None:
        app.state.channels = default_channels(app.state.settings)
    return app.state.channels
