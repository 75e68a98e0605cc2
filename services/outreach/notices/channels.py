"""Notice delivery channels behind one interface. A channel sends one delivery, or raises:

- `Skipped(reason)`: nothing was sent and retrying would not change that — the enterprise has no
  address for this channel, or the channel is not configured. The delivery ends `skipped`.
- `ChannelError(reason)`: the send failed; retried with back-off (`failed`, then `abandoned`).
- `ChannelError(reason, permanent=True)`: the provider refused this recipient for good (WeChat
  43004 not following, 40003 invalid openid, 40037 invalid template; an invalid phone number):
  the delivery is `abandoned` at once with the reason, never retried.

`skip_reason(m)` answers the same question as `Skipped` without sending: the recipients preview
(service.preview) asks it of every enterprise × channel.

- inbox: the portal inbox is the stored delivery itself; "sending" just marks it delivered.
- email: SMTP via smtplib to SRDI_SMTP_HOST:SRDI_SMTP_PORT. The Message-ID is derived from the
  delivery's unique key (notice × enterprise × channel), so even a resend after a crash between
  the SMTP answer and our commit carries the same Message-ID, which mail systems de-duplicate.
- wechat: the district account's template message (模板消息) through a transport (wechat.py, the
  official-account API) with the template id SRDI_WECHAT_TEMPLATE_ID.
- sms: a provider adapter (sms.py) with the template SRDI_SMS_TEMPLATE.
"""
from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from services.outreach.notices.errors import ChannelError, Skipped
from services.outreach.notices.sms import HttpSmsProvider
from services.outreach.notices.wechat import WeChatApi
from shared.settings import Settings



NO_EMAIL = "企业未登记电子邮箱 / no e-mail address on file"
NO_OPENID = "企业未绑定微信 / no WeChat openid on file"
NO_PHONE = "企业未登记手机号 / no mobile number on file"
WECHAT_NOT_CONFIGURED = ("微信模板消息未配置（SRDI_WECHAT_APPID、SRDI_WECHAT_SECRET、SRDI_WECHAT_TEMPLATE_ID）/ "
                         "WeChat template messages are not configured")
SMS_NOT_CONFIGURED = ("短信渠道未配置（SRDI_SMS_API_URL、SRDI_SMS_API_KEY、SRDI_SMS_TEMPLATE）/ "
                      "the SMS channel is not configured")
NO_CHANNEL = "渠道不存在 / no such channel"


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
    phone: str | None = None


class Channel(Protocol):
    name: str

    def skip_reason(self, m: Message) -> str | None: ...

    def send(self, m: Message) -> None: ...


def skip_reason(channel: Channel | None, m: Message) -> str | None:
    """Why `channel` would skip `m` (None: it would send). A channel without `skip_reason` (a test
    double) always sends."""
    if channel is None:
        return NO_CHANNEL
    check = getattr(channel, "skip_reason", None)
    return check(m) if check else None


def _skip_if(channel: Channel, m: Message) -> None:
    if (reason := channel.skip_reason(m)) is not None:
        raise Skipped(reason)


class InboxChannel:
    name = "inbox"

    def skip_reason(self, m: Message) -> str | None:
        return None

    def send(self, m: Message) -> None:
        return None  # the delivery row is the inbox entry


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings):  # its smtp_* fields
        self.s = settings

    def skip_reason(self, m: Message) -> str | None:
        return None if m.email else NO_EMAIL

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
        _skip_if(self, m)
        try:
            with smtplib.SMTP(self.s.smtp_host, self.s.smtp_port, timeout=self.s.smtp_timeout_s) as smtp:
                if self.s.smtp_starttls:
                    smtp.starttls()
                if self.s.smtp_user:
                    smtp.login(self.s.smtp_user, self.s.smtp_password or "")
                smtp.send_message(self.render(m))
        except smtplib.SMTPRecipientsRefused as e:  # a 5xx for the address itself will not get better
            permanent = all(code >= 500 for code, _ in e.recipients.values())
            raise ChannelError(f"SMTP: recipient refused: {e.recipients}", permanent=permanent) from e
        except (OSError, smtplib.SMTPException) as e:
            raise ChannelError(f"SMTP: {type(e).__name__}: {e}") from e


class WeChatTemplateChannel:
    """Builds the template message; `transport(payload)` sends it (wechat.WeChatApi.send_template)
    and raises ChannelError (permanent or not); any other exception is a failed send, retried."""

    name = "wechat"

    def __init__(self, transport: Callable[[dict], object] | None = None, template_id: str | None = None):
        self.transport, self.template_id = transport, template_id

    def skip_reason(self, m: Message) -> str | None:
        if self.transport is None or not self.template_id:
            return WECHAT_NOT_CONFIGURED
        return None if m.wechat_openid else NO_OPENID

    def payload(self, m: Message) -> dict:
        # The account's template must have the fields first, keyword1, keyword2 and remark.
        return {"touser": m.wechat_openid, "template_id": self.template_id, "url": m.criteria_url,
                "data": {"first": {"value": m.title}, "keyword1": {"value": m.programme},
                         "keyword2": {"value": m.window}, "remark": {"value": m.body[:200]}},
                "client_msg_id": m.key}

    def send(self, m: Message) -> None:
        _skip_if(self, m)
        try:
            self.transport(self.payload(m))
        except ChannelError:
            raise
        except Exception as e:  # noqa: BLE001 - any other transport failure is a failed send
            raise ChannelError(f"WeChat: {type(e).__name__}: {e}") from e


class SmsSender(Protocol):
    def send(self, phone: str, params: dict[str, str], key: str) -> None:
        """Send the configured template to `phone`; raise ChannelError (permanent or not)."""


SMS_PARAM_CHARS = 35  # providers cap a template variable's length (Chinese SMS templates: ≤ 35)


def sms_params(m: Message) -> dict[str, str]:
    """The SMS template's variables: ${title}, ${programme}, ${window}, each cut to the cap."""
    def cut(text: str) -> str:
        return text if len(text) <= SMS_PARAM_CHARS else text[:SMS_PARAM_CHARS - 1] + "…"
    return {"title": cut(m.title), "programme": cut(m.programme), "window": cut(m.window)}


class SmsChannel:
    name = "sms"

    def __init__(self, provider: SmsSender | None = None):
        self.provider = provider

    def skip_reason(self, m: Message) -> str | None:
        if self.provider is None:
            return SMS_NOT_CONFIGURED
        return None if m.phone else NO_PHONE

    def send(self, m: Message) -> None:
        _skip_if(self, m)
        try:
            self.provider.send(m.phone, sms_params(m), m.key)
        except ChannelError:
            raise
        except Exception as e:  # noqa: BLE001 - any other provider failure is a failed send
            raise ChannelError(f"SMS: {type(e).__name__}: {e}") from e


def default_channels(settings: Settings) -> dict[str, Channel]:
    """The channels as configured: WeChat and SMS only with their settings (else not configured)."""
    wechat = sms = None
    if settings.wechat_appid and settings.wechat_secret and settings.wechat_template_id:
        wechat = WeChatApi(settings.wechat_api_url, settings.wechat_appid, settings.wechat_secret,
                           timeout_s=settings.wechat_timeout_s).send_template
    if settings.sms_api_url and settings.sms_api_key and settings.sms_template:
        sms = HttpSmsProvider(settings.sms_api_url, settings.sms_api_key, settings.sms_template,
                              timeout_s=settings.sms_timeout_s)
    return {c.name: c for c in (InboxChannel(), EmailChannel(settings),
                                WeChatTemplateChannel(wechat, settings.wechat_template_id), SmsChannel(sms))}


def channels_of(app) -> dict[str, Channel]:
    """The app's channels (tests and deployments may replace entries in app.state.channels)."""
    if getattr(app.state, "channels", None) is None:
        app.state.channels = default_channels(app.state.settings)
    return app.state.channels
