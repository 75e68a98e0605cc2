"""A simulator of the municipal declaration platform (市级申报平台): published lists with pagination,
a rate limit, pages that hang (timeouts), failing and malformed answers, and recommendations kept
once per batch id. Faults are switched on `app.state.sim` (the tests do); `srdi platform-sim`
serves it for a demonstration, optionally publishing a recognition-list CSV.

It is a stand-in for tests and demonstrations, never deployed as the platform.
"""
from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from services.registry.platform.client import ITEM_FIELDS


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
    fail_recommendations: int = 0  # how many recommendation posts fail (503) before one is taken
    lose_answers: int = 0  # how many taken recommendations then answer 503 (the answer lost on the way)
    requests: int = 0
    limited: int = 0
    recommendations: dict = field(default_factory=dict)  # batch id → body (kept once)
    deliveries: list = field(default_factory=list)  # every recommendation post that reached it


def make_simulator() -> FastAPI:
    app = FastAPI(title="市级申报平台模拟器 / municipal declaration platform simulator")
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
        if sim.fail_recommendations > 0:
            sim.fail_recommendations -= 1
            return JSONResponse({"error": "unavailable"}, status_code=503)
        body = await request.json()
        sim.deliveries.append(body)
        duplicate = body["batch_id"] in sim.recommendations
        sim.recommendations.setdefault(body["batch_id"], body)
        if sim.lose_answers > 0:  # kept, but the sender never hears so: it must send again
            sim.lose_answers -= 1
            return JSONResponse({"error": "gateway timeout"}, status_code=504)
        return {"batch_id": body["batch_id"], "accepted": len(body["enterprises"]), "duplicate": duplicate}

    @app.get("/api/recommendations")
    async def received():
        """What the platform has kept, for a demonstration: one entry per batch."""
        return {"items": list(app.state.sim.recommendations.values())}

    return app


def item(seq: int, uscc: str, type_: str = "创新型中小企业", district: str = "房山区", on="2024-08-12",
         name: str | None = None) -> dict:
    return {"seq": seq, "name": name or f"北京平台{seq}有限公司", "uscc": uscc, "district": district,
            "type": type_, "batch": "2024年第一批", "recognized_on": on}


def items_from_csv(path: Path) -> list[dict]:
    """A recognition-list CSV (the columns of ../shared/data/README.md) as published items."""
    text = path.read_bytes().decode("utf-8-sig")
    columns = {col: f for f, col in ITEM_FIELDS.items()}
    return [{columns[c]: v for c, v in row.items() if c in columns} for row in csv.DictReader(io.StringIO(text))]


def serve(host: str, port: int, list_file: Path | None = None) -> None:
    """Run the simulator until interrupted (`srdi platform-sim`)."""
    import uvicorn

    app = make_simulator()
    if list_file is not None:
        app.state.sim.items = items_from_csv(list_file)
    print(f"municipal platform simulator http://{host}:{port}  ({len(app.state.sim.items)} published rows; "
          f"SRDI_MUNICIPAL_PLATFORM_URL=http://{host}:{port})", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
