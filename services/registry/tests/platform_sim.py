"""A simulator of the municipal declaration platform: published lists with pagination, a rate
limit, pages that hang (timeouts), failing and malformed answers, and recommendations kept once
per batch id. Faults are switched per test on `sim.state`."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse


@dataclass
class SimState:
    items: list = field(default_factory=list)
    rate_limit_every: int = 0  # every Nth request is refused with 429 (0: never)
    retry_after: str = "0"
    hang_pages: set = field(default_factory=set)  # pages that never answer (once each, if hang_once)
    hang_once: bool = True
    fail_pages: dict = field(default_factory=dict)  # page → how many 503s before it answers
    malformed: dict = field(default_factory=dict)  # page → "text" | "array" | "no-items" | "bad-next"
    refuse_recommendations: bool = False
    requests: int = 0
    limited: int = 0
    recommendations: dict = field(default_factory=dict)  # batch id → body


def make_simulator() -> FastAPI:
    app = FastAPI()
    app.state.sim = SimState()

    def limited(sim: SimState):
        sim.requests += 1
        if sim.rate_limit_every and sim.requests % sim.rate_limit_every == 0:
            sim.limited += 1
            return JSONResponse({"error": "too many requests"}, status_code=429,
                                headers={"Retry-After": sim.retry_after})
        return None

    @app.get("/api/lists")
    async def lists(request: Request, page: int = 1, per_page: int = 100):
        sim: SimState = app.state.sim
        if (r := limited(sim)) is not None:
            return r
        if page in sim.hang_pages:
            if sim.hang_once:
                sim.hang_pages.discard(page)
            await asyncio.Event().wait()  # never answers: the client's timeout must cut it
        if sim.fail_pages.get(page):
            sim.fail_pages[page] -= 1
            return JSONResponse({"error": "unavailable"}, status_code=503)
        mode = sim.malformed.get(page)
        if mode == "text":
            return PlainTextResponse("<html>系统维护中</html>")
        if mode == "array":
            return JSONResponse([1, 2, 3])
        if mode == "no-items":
            return JSONResponse({"data": []})
        start = (page - 1) * per_page
        chunk = sim.items[start:start + per_page]
        more = start + per_page < len(sim.items)
        body = {"page": page, "per_page": per_page, "total": len(sim.items), "items": chunk,
                "next_page": page + 1 if more else None}
        if mode == "bad-next":
            body["next_page"] = page  # a loop
        return body

    @app.post("/api/recommendations")
    async def recommend(request: Request):
        sim: SimState = app.state.sim
        if (r := limited(sim)) is not None:
            return r
        if sim.refuse_recommendations:
            return JSONResponse({"error": "closed"}, status_code=403)
        body = await request.json()
        duplicate = body["batch_id"] in sim.recommendations
        sim.recommendations.setdefault(body["batch_id"], body)
        return {"batch_id": body["batch_id"], "accepted": len(body["enterprises"]), "duplicate": duplicate}

    return app


def item(seq: int, uscc: str, type_: str = "创新型中小企业", district: str = "房山区", on="2024-08-12",
         name: str | None = None) -> dict:
    return {"seq": seq, "name": name or f"北京平台{seq}有限公司", "uscc": uscc, "district": district,
            "type": type_, "batch": "2024年第一批", "recognized_on": on}
