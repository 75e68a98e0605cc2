"""Local simulators of the WeChat official-account API and of the SMS provider (sms.py's shape),
for tests and demonstrations; never deployed as the real thing. Faults are switched on
`app.state.sim`: expire every token issued, answer the next N sends with a rate limit (or system
busy), refuse an openid or a phone number with a given code, accept only some templates.
`running(app)` serves one on a free local port in a thread (real HTTP for the httpx clients)."""
from __future__ import annotations

import contextlib
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


@dataclass
class WeChatSim:
    appid: str = "wx-sim-appid"
    secret: str = "sim-secret"
    expires_in: int = 7200
    valid: set = field(default_factory=set)  # tokens that work
    issued: set = field(default_factory=set)  # every token ever issued (an old one answers 42001)
    token_requests: int = 0
    rate_limit_next: int = 0  # the next N sends answer 45009
    busy_next: int = 0  # the next N sends answer -1 (system busy)
    refuse: dict = field(default_factory=dict)  # openid → errcode (43004 not following, 40003 invalid)
    templates: set = field(default_factory=set)  # accepted template ids (empty: any)
    sends: int = 0  # send requests that reached it
    sent: list = field(default_factory=list)  # messages taken

    def expire_tokens(self) -> None:
        self.valid.clear()


def make_wechat_simulator(sim: WeChatSim | None = None) -> FastAPI:
    app = FastAPI(title="微信公众号接口模拟器 / WeChat official-account API simulator")
    app.state.sim = sim or WeChatSim()

    @app.get("/cgi-bin/token")
    def token(grant_type: str = "", appid: str = "", secret: str = ""):
        s: WeChatSim = app.state.sim
        s.token_requests += 1
        if grant_type != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if appid != s.appid:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if secret != s.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        t = secrets.token_urlsafe(24)
        s.valid.add(t)
        s.issued.add(t)
        return {"access_token": t, "expires_in": s.expires_in}

    @app.post("/cgi-bin/message/template/send")
    async def send(request: Request, access_token: str = ""):
        s: WeChatSim = app.state.sim
        s.sends += 1
        if access_token not in s.valid:
            return ({"errcode": 42001, "errmsg": "access_token expired"} if access_token in s.issued
                    else {"errcode": 40001, "errmsg": "invalid credential"})
        body = await request.json()
        if s.rate_limit_next:
            s.rate_limit_next -= 1
            return {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
        if s.busy_next:
            s.busy_next -= 1
            return {"errcode": -1, "errmsg": "system error"}
        if s.templates and body.get("template_id") not in s.templates:
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        if (code := s.refuse.get(body.get("touser"))) is not None:
            return {"errcode": code, "errmsg": "refused"}
        s.sent.append(body)
        return {"errcode": 0, "errmsg": "ok", "msgid": len(s.sent)}

    return app


PHONE = re.compile(r"^1[3-9][0-9]{9}$")


@dataclass
class SmsSim:
    api_key: str = "sim-key"
    templates: set = field(default_factory=lambda: {"SRDI_NOTICE"})
    rate_limit_next: int = 0  # the next N sends answer HTTP 429, code 1001
    fail_next: int = 0  # the next N sends answer HTTP 503
    refuse: dict = field(default_factory=dict)  # phone → code (1002 invalid, 1003 opted out)
    sends: int = 0
    sent: list = field(default_factory=list)


def make_sms_simulator(sim: SmsSim | None = None) -> FastAPI:
    app = FastAPI(title="短信接口模拟器 / SMS provider simulator")
    app.state.sim = sim or SmsSim()

    @app.post("/sms/send")
    async def send(request: Request):
        s: SmsSim = app.state.sim
        s.sends += 1
        if request.headers.get("x-api-key") != s.api_key:
            return JSONResponse({"code": 1005, "message": "bad api key"}, status_code=401)
        if s.rate_limit_next:
            s.rate_limit_next -= 1
            return JSONResponse({"code": 1001, "message": "rate limited"}, status_code=429)
        if s.fail_next:
            s.fail_next -= 1
            return JSONResponse({"code": 9999, "message": "unavailable"}, status_code=503)
        body = await request.json()
        phone = str(body.get("phone", ""))
        if body.get("template") not in s.templates:
            return {"code": 1004, "message": "unknown template"}
        if (code := s.refuse.get(phone)) is not None:
            return {"code": code, "message": "refused"}
        if not PHONE.match(phone):
            return {"code": 1002, "message": "invalid number"}
        s.sent.append(body)
        return {"code": 0, "message": "ok", "message_id": f"sim-{len(s.sent)}"}

    return app


@contextlib.contextmanager
def running(app: FastAPI, timeout_s: float = 10.0):
    """Serve `app` on 127.0.0.1 at a free port in a thread; yields its base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="simulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:  # a thread, not the event loop: wait on its flag
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the simulator did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
