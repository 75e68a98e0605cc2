"""The SMS provider adapter, over httpx, for a generic HTTP SMS API (the shape most Chinese
providers' template SMS share; a provider with another shape gets an adapter of its own with the
same `send`):

    POST {SRDI_SMS_API_URL}/sms/send
    X-Api-Key: {SRDI_SMS_API_KEY}
    {"phone": "13800138000", "template": "{SRDI_SMS_TEMPLATE}",
     "params": {"title": …, "programme": …, "window": …}, "client_msg_id": "notice-9-…-sms"}

    → {"code": 0, "message": "ok", "message_id": "…"}

`client_msg_id` is the delivery's key, for the provider to de-duplicate a resend after a crash.
Codes: 0 sent; 1001 rate limited (also HTTP 429) → retried later; 1002 invalid number, 1003 the
number opted out (退订), 1004 unknown template → given up at once (abandoned with the reason);
1005 API key refused (also HTTP 401/403) and anything else, HTTP 5xx, the network or a timeout →
retried later."""
from __future__ import annotations

import httpx

from services.outreach.notices.errors import ChannelError

GIVE_UP = {1002: "号码无效 / invalid number", 1003: "号码已退订 / the number opted out",
           1004: "短信模板无效 / unknown template"}
RETRY = {1001: "发送过于频繁 / rate limited", 1005: "接口密钥无效 / API key refused"}


class HttpSmsProvider:
    def __init__(self, base_url: str, api_key: str, template: str, timeout_s: float = 10.0,
                 client: httpx.Client | None = None):
        self.template = template
        self.client = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        self.client.headers["X-Api-Key"] = api_key

    def close(self) -> None:
        self.client.close()

    def send(self, phone: str, params: dict[str, str], key: str) -> str | None:
        """Send the template to `phone`; the provider's message id. ChannelError otherwise."""
        try:
            r = self.client.post("/sms/send", json={"phone": phone, "template": self.template, "params": params,
                                                    "client_msg_id": key})
        except httpx.HTTPError as e:
            raise ChannelError(f"SMS: {type(e).__name__}: {e}") from e
        try:
            body = r.json()
        except ValueError:
            body = None
        code = body.get("code") if isinstance(body, dict) else None
        if r.status_code == 200 and code == 0:
            return body.get("message_id")
        if code in GIVE_UP:
            raise ChannelError(f"SMS {code}: {GIVE_UP[code]}", permanent=True)
        if code in RETRY:
            raise ChannelError(f"SMS {code}: {RETRY[code]}")
        raise ChannelError(f"SMS: HTTP {r.status_code}, code {code}")
