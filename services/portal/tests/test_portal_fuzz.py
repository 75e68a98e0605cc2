"""The portal fuzzed: every route of the portal app (read from `app.routes`, so a new page is covered
without touching this file), as econ, treasury, a bank, a park, the auditor and an enterprise, sent
hostile values in its path segments, query parameters and form fields — non-ASCII and emoji, 5,000
characters, "../", "%2F", "?" and "#", NUL and control characters, negative, huge and decimal numbers,
impossible dates, empty, missing and repeated fields, and a form_id of every such kind.

The standard: bad input gets a clear error in Chinese and changes nothing; no input gives a 500. So:
never a 5xx, never a traceback or "Internal Server Error" in the body, every 4xx page in Chinese, and
a refused POST records nothing in any service's audit log.

The values are a fixed table, sampled with a fixed seed (the same requests every run; SRDI_FUZZ_SEED
picks others): a few hundred requests a role, well under a minute. The cases a run once found are
kept below as regressions, sent every time."""
from __future__ import annotations

import inspect
import os
import random
import re
import sys
import uuid
from urllib.parse import quote

import pytest
from fastapi.params import File as FileParam
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from services.portal.tests.conftest import Portal
from services.portal.tests.helpers import a_park, award_of, fund, promote
from shared.clock import today
from shared.tables import AuditLog
from shared.testing import make_uscc

SEED = int(os.environ.get("SRDI_FUZZ_SEED", "20261204"))
LONG = "长" * 2500 + "x" * 2500  # 5,000 characters
HOSTILE = [
    "", " ", "　", "中文名称", "房山区😀🚀", "🏭" * 10, LONG, "a" * 5000, "1" * 5000,
    "../", "..", ".", "../../etc/passwd", "a/../b", "%2F", "a%2Fb", "a/b", "?", "a?b=1", "#", "a#b", "%00", "%",
    "\x00", "a\x00b", "\x01\x02\x1b[31m", "\r\n\t", "\x7f", "\u202e\u200b", "\ufeff",
    "-1", "0", "-0", "-99999999999999999999", "99999999999999999999999999", "1e309", "1.5", "-0.5", "0.00001",
    "12.34567", "NaN", "inf", "1e3", "1,000", "１２３", "٣", "²", "2" * 30, "9" * 4400,
    "2025-02-30", "99999-01-01", "9999-12-31", "0001-01-01", "0000-00-00", "2025-13-01", "2025-1-1", "2025/01/01",
    "2025-06", "2025-99", "13:00", "true", "null", "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --",
    "{{ 7*7 }}", "park-00000000", "911101110000000000",
]
# Path parameters sent raw, not quoted: a "/" or "?" of its own splits the path or starts the query.
RAW = ["%2F", "%2e%2e", "a%2Fb", "%3F", "%23", "%00", "..%2F..%2F", "%E4%B8%AD", "%FF", "%C0%AF"]
# The values that have failed a page before, tried in every parameter by the first role that may open it.
SHARP = ["9" * 4400, "²", "9999-12-31", "0001-01-01", "..", "a\x00b", LONG]
CJK = re.compile(r"[\u4e00-\u9fff]")
ROLES = ("econ", "treasury", "bank", "park", "auditor", "enterprise", "talent", "finance", "township", "platform")
# Posts that end the session or sign in: fuzzed by a client of their own, signed out.
SIGNED_OUT_POSTS = {"/login", "/logout"}
SAMPLES = int(os.environ.get("SRDI_FUZZ_SAMPLES", "4"))  # hostile requests per route and role that may open it


def routes(app):
    """Every API route of the portal app, with the prefix it is mounted under."""
    def walk(rs, prefix=""):
        for r in rs:
            sub = getattr(r, "original_router", None)
            if sub is not None:
                yield from walk(sub.routes, prefix + (getattr(r.include_context, "prefix", "") or ""))
            elif isinstance(r, APIRoute):
                yield prefix + r.path, r
    return list(walk(app.routes))


def params_of(dep, kind: str) -> list:
    out = list(getattr(dep, kind))
    for d in dep.dependencies:
        out += params_of(d, kind)
    return out


def page_roles(route: APIRoute):
    """The roles `page_user(page)` lets open the route (None: every role, or no such dependency): the
    others get its 403 before anything is read, so they are not fuzzed there."""
    def walk(dep):
        fn = dep.call
        if getattr(fn, "__qualname__", "") == "page_user.<locals>.dep" and fn.__closure__:
            return [dict(zip(fn.__code__.co_freevars, fn.__closure__))["roles"].cell_contents]
        return [r for d in dep.dependencies for r in walk(d)]
    found = walk(route.dependant)
    return found[0] if found else None


QUERY_READ = re.compile(r"""(?:query_params|\bq)\.get\(\s*["']([a-z][a-z0-9_]{0,40})["']""")
FORM_READ = re.compile(r"""(?:form|data|typed)\s*(?:\.get(?:list)?\(\s*|\[\s*)["']([a-z][a-z0-9_]{0,40})["']""")


def form_fields(route: APIRoute) -> tuple[list[str], list[str]]:
    """The fields a POST reads: its Form() and File() parameters, and those its module reads from
    `await request.form()` (a `form.get("x")`, a `*FIELDS` constant): (fields, file fields)."""
    body = params_of(route.dependant, "body_params")
    files = [p.name for p in body if isinstance(p.field_info, FileParam)]
    names = [p.alias or p.name for p in body if p.name not in files]
    module = sys.modules[route.endpoint.__module__]
    names += FORM_READ.findall(inspect.getsource(module))
    for attr, value in vars(module).items():
        if attr.endswith("FIELDS") and isinstance(value, (tuple, list, dict)):
            names += [str(k) for k in value]
    names = [n for n in dict.fromkeys(names) if n not in ("csrf_token", *files)]
    return names, files


def plausible(name: str, ctx: dict) -> str:
    """A value of the field's kind that could pass, so that the one hostile field beside it is reached."""
    n = name.lower()
    if n in ctx:
        return ctx[n]
    if "uscc" in n:
        return ctx["uscc"]
    if n in ("on", "since", "until", "deadline") or n.endswith(("_on", "_opens", "_closes", "_date")):
        return today().isoformat()
    if n.endswith(("_wan", "_yuan", "amount", "_mu")) or n in ("price", "budget", "amount"):
        return "10"
    if n in ("year", "from_", "to"):
        return str(today().year)
    if n == "month":
        return today().strftime("%Y-%m")
    if n in ("form_id", "seen"):
        return uuid.uuid4().hex
    if n in ("confirmed", "dry_run", "first_loan", "recommend", "for_cause"):
        return "1"
    if n in ("next", "back"):
        return "/"
    return "测试内容"


def path_of(template: str, values: dict[str, str], raw: set[str] = frozenset()) -> str:
    """The route's path with each parameter quoted as one segment ("." too: httpx would fold "..")."""
    def one(m):
        name = m.group(1).split(":")[0]
        v = values[name]
        return v if name in raw else quote(v, safe="").replace(".", "%2E")
    return re.sub(r"\{([^}]+)\}", one, template)


class Fuzz:
    def __init__(self, suite, portal: Portal, ctx: dict):
        self.suite, self.portal, self.ctx = suite, portal, ctx
        self.failures: list[str] = []
        self.sent = 0
        self.written: int | None = None  # the count after the last post (a GET writes nothing)

    def writes(self) -> int:
        """Rows a user's request put in any service's audit log (not the events' consumers)."""
        n = 0
        for s in self.suite.apps:
            with self.suite.db(s).reader() as db:
                n += db.scalar(select(func.count()).select_from(AuditLog).where(~AuditLog.actor.startswith("event:")))
        return n

    def check(self, r, what: str) -> None:
        self.sent += 1
        body = r.text
        bad = None
        if r.status_code >= 500:
            bad = f"{r.status_code}"
        elif "Traceback (most recent call last)" in body or "Internal Server Error" in body:
            bad = "a traceback in the page"
        elif 400 <= r.status_code < 500 and not CJK.search(body):
            bad = f"{r.status_code} not in Chinese"
        if bad:
            self.failures.append(f"{what}: {bad}: {short(body)}")

    async def get(self, path: str, params, what: str):
        r = await self.portal.http.get(path, params=params)
        self.check(r, what)
        return r

    async def post(self, path: str, data, files, what: str, token: str):
        before = self.writes() if self.written is None else self.written
        form: dict[str, list[str]] = {"csrf_token": [token]}
        for k, v in data:  # a field twice is sent twice
            form.setdefault(k, []).append(v)
        r = await self.portal.http.post(path, data=form, files=files or None)
        self.check(r, what)
        self.written = self.writes()
        if 400 <= r.status_code < 500 and self.written != before:
            self.failures.append(f"{what}: refused ({r.status_code}) yet recorded in an audit log")
        return r


def short(body: str) -> str:
    m = re.search(r"<main.*?</main>", body, re.S)
    text = re.sub(r"<[^>]+>", " ", m.group(0) if m else body)
    return re.sub(r"\s+", " ", text).strip()[:300]


def show(v) -> str:
    s = repr(v)
    return s if len(s) <= 40 else s[:30] + f"…({len(v)} chars)"


async def setup(suite) -> dict:
    u = make_uscc()
    await promote(suite, u)
    await fund(suite)
    park = await a_park(suite)
    award = await award_of(suite, u)
    return {"uscc": u, "park_id": str(park["id"]), "award_id": str(award["id"]), "year": str(today().year)}


def base_path_values(route_path: str, ctx: dict) -> dict[str, str]:
    names = [m.split(":")[0] for m in re.findall(r"\{([^}]+)\}", route_path)]
    return {n: ctx.get(n, plausible(n, ctx) if n in ("uscc", "year", "park_id") else "1") for n in names}


async def fuzz_role(fz: Fuzz, app, role: str, org: str, rng: random.Random, swept: set) -> None:
    await fz.portal.login(role, org)
    token = await fz.portal.csrf("/")
    for path, route in routes(app):
        methods = route.methods or set()
        if path in SIGNED_OUT_POSTS or path.startswith(("/auth/", "/static")) or path in ("/metrics", "/readyz"):
            continue
        if (roles := page_roles(route)) is not None and role not in roles:
            continue
        query = [p.alias or p.name for p in params_of(route.dependant, "query_params")]
        if "GET" in methods:  # and those a page reads from request.query_params itself
            query = list(dict.fromkeys(query + QUERY_READ.findall(inspect.getsource(sys.modules[route.endpoint.__module__]))))
        base = base_path_values(path, fz.ctx)
        if "GET" in methods:
            if not query and not base:
                continue
            first = await fz.get(path_of(path, base), {}, f"{role} GET {path}")
            if first.status_code == 403:
                continue
            if ("GET", path) not in swept:  # every parameter with every sharp value, once
                swept.add(("GET", path))
                for name in [*base, *query]:
                    for v in SHARP:
                        values = {**base, name: v} if name in base else base
                        await fz.get(path_of(path, values), {name: v} if name not in base else {},
                                     f"{role} GET {path} {name}={show(v)}")
            for _ in range(SAMPLES):
                values, raw, params = dict(base), set(), {q: plausible(q, fz.ctx) for q in query if rng.random() < .5}
                target = rng.choice([*base, *query]) if base or query else None
                v = rng.choice(HOSTILE)
                if target in base:
                    if rng.random() < .2:
                        v = rng.choice(RAW)
                        raw.add(target)
                    values[target] = v
                elif target:
                    params[target] = v
                if query and rng.random() < .2:  # a query parameter repeated
                    q = rng.choice(query)
                    params = [*params.items(), (q, rng.choice(HOSTILE)), (q, rng.choice(HOSTILE))]
                sent = params.items() if isinstance(params, dict) else params
                await fz.get(path_of(path, values, raw), params,
                             f"{role} GET {path} {target}={show(v)} ({', '.join(f'{k}={show(x)}' for k, x in sent)})")
        if "POST" in methods:
            fields, files = form_fields(route)
            url = path_of(path, base)
            first = await fz.post(url, [], None, f"{role} POST {path} (no fields)", token)
            if first.status_code == 403 or (first.status_code == 303 and first.headers.get("location", "").startswith("/login")):
                if first.status_code == 303:
                    await fz.portal.login(role, org)
                    token = await fz.portal.csrf("/")
                continue
            if ("POST", path) not in swept:  # each field (and path segment) once with a sharp value
                swept.add(("POST", path))
                for j, name in enumerate([*base, *fields]):
                    v = SHARP[j % len(SHARP)]
                    data = [(f, v if f == name else plausible(f, fz.ctx)) for f in fields]
                    await fz.post(path_of(path, {**base, name: v} if name in base else base), data, None,
                                  f"{role} POST {path} {name}={show(v)}", token)
                    if fz.portal.http.cookies.get("srdi_portal") is None:
                        await fz.portal.login(role, org)
                        token = await fz.portal.csrf("/")
            for i in range(SAMPLES):
                data = [(f, plausible(f, fz.ctx)) for f in fields if rng.random() < .8]
                up = None
                values, what = dict(base), ""
                if i == 0:  # every field hostile
                    data = [(f, rng.choice(HOSTILE)) for f in fields]
                    what = "every field hostile: " + ", ".join(f"{k}={show(v)}" for k, v in data)[:400]
                elif i == 1 and base:  # a hostile path segment, a plausible form
                    name = rng.choice(list(base))
                    values[name] = rng.choice(HOSTILE)
                    what = f"path {name}={show(values[name])}"
                elif i == 2 and fields:  # a field repeated, the second hostile
                    f = rng.choice(fields)
                    data += [(f, plausible(f, fz.ctx)), (f, rng.choice(HOSTILE))]
                    what = f"{f} repeated"
                elif i == 3 and "form_id" in fields:
                    v = rng.choice(HOSTILE)
                    data = [(k, x) for k, x in data if k != "form_id"] + [("form_id", v)]
                    what = f"form_id={show(v)}"
                elif fields:
                    f, v = rng.choice(fields), rng.choice(HOSTILE)
                    data = [(k, x) for k, x in data if k != f] + [(f, v)]
                    what = f"{f}={show(v)}"
                if files:
                    name = rng.choice(files)
                    content = rng.choice([b"", b"\x00\xff\xfe garbage", LONG.encode(), "名称,代码\n测试,1\n".encode("gbk")])
                    up = {name: (rng.choice(["名单😀.csv", "../x.xlsx", "a.txt", ""]) or "f", content, "text/csv")}
                    what += f" {name}={content[:12]!r}"
                r = await fz.post(path_of(path, values), data, up, f"{role} POST {path} {what}", token)
                if r.status_code == 303 and r.headers.get("location", "").startswith("/login"):
                    await fz.portal.login(role, org)  # a post that signed the user out: on with a new session
                    token = await fz.portal.csrf("/")


async def test_no_input_gives_a_server_error(portal, suite):
    ctx = await setup(suite)
    fz = Fuzz(suite, portal, ctx)
    rng = random.Random(SEED)
    orgs = {"bank": "BOB", "park": ctx["park_id"], "enterprise": ctx["uscc"], "township": "良乡镇"}
    swept: set = set()
    for role in ROLES:
        await fuzz_role(fz, portal.app, role, orgs.get(role, ""), rng, swept)
    # Signing in and out, signed out: the role, organisation, name and next of every kind.
    anon = Fuzz(suite, Portal(portal.app), ctx)
    anon.failures = fz.failures
    try:
        for _ in range(25):
            token = await anon.portal.csrf("/login")
            data = [(k, rng.choice(HOSTILE + ["econ", "park", "bank", "enterprise"])) for k in ("role", "org", "name", "next")
                    if rng.random() < .8]
            await anon.post("/login", data, None, "POST /login " + ", ".join(f"{k}={show(v)}" for k, v in data), token)
            await anon.get("/login", {"next": rng.choice(HOSTILE)}, "GET /login next")
            await anon.post("/logout", [], None, "POST /logout", await anon.portal.csrf("/login"))
    finally:
        await anon.portal.http.aclose()
    assert fz.sent > 500
    if fz.failures:
        pytest.fail(f"{len(fz.failures)} of {fz.sent} requests failed:\n" + "\n".join(fz.failures[:80]), pytrace=False)


# What a run found, sent every time: (role, method, path, values). `{uscc}`, `{park_id}`, `{year}` and
# `{cert}` are the setup's; a POST's fields are filled in plausibly around those given.
NINES = "9" * 5000  # int() refuses more than 4,300 digits: a ValueError, not a refusal
REGRESSIONS = [
    # A year, a count or an amount of 5,000 digits (isdigit() was all that was checked before int()).
    ("econ", "GET", "/talent", {"year": NINES}),
    ("enterprise", "GET", "/talent", {"year": NINES}),
    ("econ", "GET", "/talent/reports", {"year": NINES}),
    ("econ", "GET", "/listings", {"year": NINES}),
    ("econ", "GET", "/matchmaking", {"year": NINES}),
    ("econ", "GET", "/targets", {"year": NINES}),
    ("econ", "GET", "/screening", {"year": NINES}),
    ("econ", "GET", "/budgets", {"year": NINES}),
    ("econ", "GET", "/recoveries", {"year": NINES}),
    ("econ", "GET", "/carry-over", {"year": NINES}),
    ("econ", "GET", "/visits", {"year": NINES}),
    ("econ", "GET", "/report", {"from": NINES, "to": NINES}),
    ("econ", "GET", "/enterprises/{uscc}/indicators", {"year": NINES}),
    ("econ", "POST", "/enterprises/{uscc}/indicators/{year}", {"main_business_share_pct": NINES, "year": "{year}"}),
    ("econ", "POST", "/enterprises/{uscc}/indicators/{year}", {"rd_spend_yuan": NINES}),
    ("treasury", "POST", "/budgets/{year}/tier", {"allocated_wan": NINES}),
    ("econ", "POST", "/seasons", {"year": NINES, "programme": "municipal_srdi"}),
    ("enterprise", "POST", "/talent/nominations", {"year": NINES, "category": "x", "name": "张三", "id_number": "1",
                                                   "education": "本科", "post": "工程师"}),
    ("econ", "POST", "/enterprises/{uscc}/annual-updates", {"year": NINES}),
    ("township", "POST", "/township/attendance", {"session_id": "1", "uscc": "{uscc}", "attendees": NINES}),
    ("econ", "POST", "/scenarios/1/contracts", {"proposal_id": NINES, "contract_wan": "10", "signed_on": "2025-01-01",
                                                "evidence": "合同"}),
    ("econ", "POST", "/scenarios/1/contracts", {"proposal_id": "²", "contract_wan": "10", "signed_on": "2025-01-01",
                                                "evidence": "合同"}),
    ("econ", "POST", "/claims/contract", {"contract_id": NINES}),
    ("econ", "POST", "/contracts", {"supplier_uscc": "{uscc}", "buyer_uscc": "{other}", "product_id": NINES,
                                    "contract_wan": "10", "signed_on": "2025-01-01", "evidence": "合同"}),
    ("bank", "POST", "/loans", {"uscc": "{uscc}", "applied_wan": NINES, "applied_on": "2025-01-01"}),
    # A day without a UTC moment, or whose notice window ends after 9999 (the registry's 500).
    ("econ", "GET", "/audit-log", {"since": "0001-01-01"}),
    ("econ", "GET", "/audit-log", {"until": "9999-12-31"}),
    ("econ", "GET", "/renewals", {"on": "9999-12-31"}),
    # A certification voided or revoked, then the page failed on the enterprise it goes back to.
    ("econ", "POST", "/certifications/{cert}/revoke", {"uscc": " . ", "reason": "因故撤销"}),
    ("econ", "POST", "/certifications/{cert}/void", {"uscc": "..", "reason": "录入错误"}),
]


async def test_what_the_fuzz_found_stays_fixed(portal, suite):
    ctx = await setup(suite)
    ent = (await suite.client("registry").get(f"/api/v1/enterprises/{ctx['uscc']}")).json()
    ctx["cert"], ctx["other"] = str(ent["certifications"][0]["id"]), make_uscc()
    orgs = {"bank": "BOB", "park": ctx["park_id"], "enterprise": ctx["uscc"], "township": "良乡镇"}
    fz = Fuzz(suite, portal, ctx)
    signed_in = None
    for role, method, path, values in REGRESSIONS:
        if role != signed_in:
            await portal.login(role, orgs.get(role, ""))
            token, signed_in = await portal.csrf("/"), role
        url = path.format(**ctx)
        values = {k: v.format(**ctx) for k, v in values.items()}
        what = f"{role} {method} {path} " + ", ".join(f"{k}={show(v)}" for k, v in values.items())
        if method == "GET":
            r = await fz.get(url, values, what)
        else:
            fields = [f for p, route in routes(portal.app) if p == path and "POST" in route.methods
                      for f in form_fields(route)[0]]
            data = [(f, plausible(f, ctx)) for f in fields if f not in values] + list(values.items())
            r = await fz.post(url, data, None, what, token)
        assert r.status_code != 200 or method == "GET", what  # a refusal, or a flash and back (303)
    if fz.failures:
        pytest.fail("\n".join(fz.failures), pytrace=False)
    ent = (await suite.client("registry").get(f"/api/v1/enterprises/{ctx['uscc']}")).json()
    assert ent["certifications"][0]["state"] == "active"  # neither voided nor revoked by a refused post
