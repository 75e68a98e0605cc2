"""The yardstick: a bare FastAPI endpoint returning a constant."""
from fastapi import FastAPI

app = FastAPI()


@app.get("/constant")
async def constant():
    return {"ok": True}
