"""The WeChat official-account API (微信公众号) for template messages (模板消息), over httpx.

- `GET {base}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…` →
  `{"access_token", "expires_in"}` (or `{"errcode", "errmsg"}`).
- `POST {base}/cgi-bin/message/template/send?access_token=…` with `{touser, template_id, url,
  data, client_msg_id}` → `{"errcode": 0, "errmsg": "ok", "msgid"}`.

The access token is cached for all sends (one token for many deliveries) and fetched again a
little before it expires (a fifth of its life, at most five minutes, early), and at once when the
API says it is expired or invalid (40001, 40014, 42001): then the send is tried once more with
the fresh token. Answers are mapped for the dispatcher:

- retried later (ChannelError): the network, a timeout, HTTP 5xx or anything not the API's JSON,
  system busy (-1), rate limits (45009 daily quota, 45011 per-minute quota, 45047 too many to this
  user), a token that cannot be had (wrong AppID/secret, IP not whitelisted: the operator's to fix)
  and any code not listed here;
- given up at once (ChannelError permanent): 43004 the user does not follow the account, 40003
  invalid openid, 40037 invalid template id, 43101 the user refuses the messages.

Error texts never carry the secret or the token."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from services.outreach.notices.errors import ChannelError

TOKEN_EXPIRED = {40001, 40014, 42001}
GIVE_UP = {43004: "用户未关注公众号 / the user does not follow the account",
           40003: "openid 无效 / invalid openid",
           40037: "模板编号无效 / invalid template_id",
           43101: "用户拒收模板消息 / the user refuses the messages"}
RETRY = {-1: "系统繁忙 / system busy", 45009: "接口调用超过日限额 / daily API quota reached",
         45011: "接口调用过于频繁 / API minute quota reached",
         45047: "发送给该用户的消息超过上限 / too many messages to this user"}


class WeChatApi:
    """One account's API client: thread-safe (the dispatcher job and an explicit dispatch may
    send at once), one cached token between them. `token_fetches` counts token requests."""

    def __init__(self, base_url: str, appid: str, secret: str, timeout_s: float = 10.0,
                 client: httpx.Client | None = None, clock: Callable[[], float] = time.monotonic):
        self.appid, self._secret, self.clock = appid, secret, clock
        self.client = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._fresh_until = 0.0
        self.token_fetches = 0

    def close(self) -> None:
        self.client.close()

    # -- the access token ---------------------------------------------------------------------
    def token(self, stale: str | None = None) -> str:
        """The cached token, fetched when there is none, when it is near its end, or when it is
        `stale` (refused by the API; unless another thread has already replaced it)."""
        with self._lock:
            if self._token and self._token != stale and self.clock() < self._fresh_until:
                return self._token
            self.token_fetches += 1
            body = self._call("GET", "/cgi-bin/token", params={"grant_type": "client_credential",
                                                                "appid": self.appid, "secret": self._secret})
            token, life = body.get("access_token"), body.get("expires_in")
            if not isinstance(token, str) or not token or not isinstance(life, int) or life <= 0:
                code = body.get("errcode")
                raise ChannelError(f"WeChat token: errcode {code} {str(body.get('errmsg', ''))[:100]} "
                                   "（请检查 AppID、secret 与 IP 白名单 / check the AppID, secret and IP whitelist）")
            self._token, self._fresh_until = token, self.clock() + life - min(300, life / 5)
            return token

    # -- template messages --------------------------------------------------------------------
    def send_template(self, payload: dict) -> int | None:
        """Send one template message; its msgid. Raises ChannelError (permanent for a refusal)."""
        token = self.token()
        body = self._send(token, payload)
        if body.get("errcode") in TOKEN_EXPIRED:  # expired or revoked early: refresh once, try again
            body = self._send(self.token(stale=token), payload)
        code = body.get("errcode", 0)
        if code == 0:
            return body.get("msgid")
        if code in GIVE_UP:
            raise ChannelError(f"WeChat {code}: {GIVE_UP[code]}", permanent=True)
        what = RETRY.get(code) or ("令牌无效 / access token refused" if code in TOKEN_EXPIRED
                                   else str(body.get("errmsg", ""))[:100])
        raise ChannelError(f"WeChat {code}: {what}")

    def _send(self, token: str, payload: dict) -> dict:
        return self._call("POST", "/cgi-bin/message/template/send", params={"access_token": token},
                          json=payload)

    def _call(self, method: str, path: str, **kw) -> dict:
        try:
            r = self.client.request(method, path, **kw)
        except httpx.HTTPError as e:  # the URL (with the secret or token) is not in the text
            raise ChannelError(f"WeChat: {type(e).__name__}: {e}") from e
        if r.status_code != 200:
            raise ChannelError(f"WeChat: HTTP {r.status_code}")
        try:
            body = r.json()
        except ValueError as e:
            raise ChannelError("WeChat: the answer is not JSON") from e
        if not isinstance(body, dict):
            raise ChannelError("WeChat: the answer is not a JSON object")
        return body
