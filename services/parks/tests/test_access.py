"""Every parks endpoint, four cases: anonymous 401, wrong role 403, out of scope 404 (or not
listed), and valid for each role that may call it."""
import datetime as dt
import itertools
import uuid

import pytest

from services.parks.tests.helpers import new_park, placed
from shared.testing import make_uscc

READERS = ("econ", "auditor", "park")
FUTURE_DAYS = (dt.date(2090, 1, 1) + dt.timedelta(days=n) for n in itertools.count())
OTHER_ROLES = ("treasury", "talent", "finance", "bank", "platform", "auditor", "park")


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# (method, path, body(world) or None, roles allowed). {own}/{other}: park A / park B (the park
# operator's token is park A's); {inc}: an open incubation of the park in the path; {imd}: an
# intermediary; {fresh}: a new park with no designation yet.
ENDPOINTS = [
    ("POST", "/api/v1/parks", lambda w: {"name": uniq("园区")}, ("econ",)),
    ("GET", "/api/v1/parks", None, READERS),
    ("GET", "/api/v1/parks/{own}", None, READERS),
    ("PATCH", "/api/v1/parks/{own}", lambda w: {"operator_org": uniq("运营公司")}, ("econ", "park")),
    ("GET", "/api/v1/parks/{own}/enterprises", None, READERS),
    ("POST", "/api/v1/parks/{fresh}/designations",
     lambda w: {"designation": "srdi_featured", "designated_on": "2025-06-30", "reason": "试点先行"}, ("econ",)),
    ("GET", "/api/v1/parks/{own}/designations", None, READERS),
    ("GET", "/api/v1/parks/{own}/assessment?year=2025", None, READERS),
    ("POST", "/api/v1/parks/{own}/incubations", lambda w: {"uscc": w["placed"](w["own"]), "entered_on": "2024-01-01"},
     ("econ", "park")),
    ("GET", "/api/v1/parks/{own}/incubations", None, READERS),
    ("GET", "/api/v1/parks/{own}/incubations/summary?year=2025", None, READERS),
    ("POST", "/api/v1/parks/{own}/incubations/{inc}/graduation", lambda w: {"graduated_on": "2025-01-01"},
     ("econ", "park")),
    ("POST", "/api/v1/intermediaries", lambda w: {"name": uniq("中介")}, ("econ",)),
    ("GET", "/api/v1/intermediaries", None, READERS),
    ("GET", "/api/v1/intermediaries/{imd}", None, READERS),
    ("POST", "/api/v1/intermediaries/{imd}/services",
     lambda w: {"uscc": make_uscc(), "served_on": "2025-03-01", "category": "ip", "park_id": w["own"]},
     ("econ", "park")),
    ("GET", "/api/v1/intermediaries/{imd}/services", None, READERS),
    ("GET", "/api/v1/intermediaries/{imd}/introduced", None, READERS),
]
IDS = [f"{m} {p}" for m, p, _, _ in ENDPOINTS]


@pytest.fixture(scope="module")
async def world(suite):
    econ = suite.client("parks")
    a, b = await new_park(suite), await new_park(suite)
    imd = (await econ.post("/api/v1/intermediaries", json={"name": uniq("知识产权代理")})).json()
    for park in (a, b):
        r = await econ.post(f"/api/v1/intermediaries/{imd['id']}/services",
                            json={"uscc": make_uscc(), "served_on": "2025-01-02", "category": "finance",
                                  "park_id": park["id"]})
        assert r.status_code == 201
    return {"own": a["id"], "other": b["id"], "imd": imd["id"], "placed": lambda park_id: placed(suite, park_id)}


async def resolve(suite, path: str, w: dict, park: str = "own") -> str:
    """Fill a path: {own} becomes `park`'s id (A, or B when testing scope)."""
    econ = suite.client("parks")
    if "{fresh}" in path:
        path = path.replace("{fresh}", (await new_park(suite))["id"])
    path = path.replace("{own}", w[park]).replace("{imd}", str(w["imd"]))
    if "{inc}" in path:
        r = await econ.post(f"/api/v1/parks/{w[park]}/incubations",
                            json={"uscc": placed(suite, w[park]), "entered_on": "2024-05-01"})
        assert r.status_code == 201
        path = path.replace("{inc}", str(r.json()["id"]))
    return path


async def call(client, method, path, body):
    if method == "PATCH":
        return await client.patch(path, json=body)
    return await (client.post(path, json=body) if method == "POST" else client.get(path))


@pytest.mark.parametrize("method, path, body, roles", ENDPOINTS, ids=IDS)
async def test_anonymous_is_401(suite, world, method, path, body, roles):
    r = await call(suite.client("parks", role=None), method, await resolve(suite, path, world),
                   body(world) if body else None)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("method, path, body, roles", ENDPOINTS, ids=IDS)
async def test_wrong_role_is_403(suite, world, method, path, body, roles):
    path = await resolve(suite, path, world)
    for role in OTHER_ROLES:
        if role in roles:
            continue
        org = world["own"] if role == "park" else ("B-1" if role == "bank" else None)
        r = await call(suite.client("parks", role=role, org=org), method, path, body(world) if body else None)
        assert r.status_code == 403, (role, r.text)


@pytest.mark.parametrize("method, path, body, roles", ENDPOINTS, ids=IDS)
async def test_valid(suite, world, method, path, body, roles):
    for role in roles:
        client = suite.client("parks", role=role, org=world["own"] if role == "park" else None)
        r = await call(client, method, await resolve(suite, path, world), body(world) if body else None)
        assert r.status_code == (201 if method == "POST" and not path.endswith("graduation") else 200), \
            (role, r.text)


# Out of scope: a park operator (park A) does not find park B's objects.
@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/v1/parks/{own}", None),
    ("PATCH", "/api/v1/parks/{own}", lambda w: {"area_mu": 10}),
    ("GET", "/api/v1/parks/{own}/enterprises", None),
    ("GET", "/api/v1/parks/{own}/designations", None),
    ("GET", "/api/v1/parks/{own}/assessment?year=2025", None),
    ("POST", "/api/v1/parks/{own}/incubations", lambda w: {"uscc": w["placed"](w["other"]), "entered_on": "2024-01-01"}),
    ("GET", "/api/v1/parks/{own}/incubations", None),
    ("GET", "/api/v1/parks/{own}/incubations/summary?year=2025", None),
    ("POST", "/api/v1/parks/{own}/incubations/{inc}/graduation", lambda w: {"graduated_on": "2025-01-01"}),
    ("POST", "/api/v1/intermediaries/{imd}/services",
     lambda w: {"uscc": make_uscc(), "served_on": "2025-03-01", "category": "ip", "park_id": w["other"]}),
])
async def test_another_parks_object_is_404(suite, world, method, path, body):
    park = suite.client("parks", role="park", org=world["own"])
    r = await call(park, method, await resolve(suite, path, world, park="other"), body(world) if body else None)
    assert r.status_code == 404, r.text


async def test_lists_show_a_park_only_its_own(suite, world):
    park = suite.client("parks", role="park", org=world["own"])
    parks = (await park.get("/api/v1/parks?limit=500")).json()["items"]
    assert [p["id"] for p in parks] == [world["own"]]
    records = (await park.get(f"/api/v1/intermediaries/{world['imd']}/services?limit=500")).json()["items"]
    assert records and {r["park_id"] for r in records} == {world["own"]}
    everyone = (await suite.client("parks").get(f"/api/v1/intermediaries/{world['imd']}/services")).json()["items"]
    assert {world["own"], world["other"]} <= {r["park_id"] for r in everyone}


async def test_an_operator_without_a_registered_park_finds_nothing(suite, world):
    ghost = suite.client("parks", role="park", org="park-00000000")
    assert (await ghost.get("/api/v1/parks")).json()["items"] == []
    r = await ghost.post(f"/api/v1/intermediaries/{world['imd']}/services",
                         json={"uscc": make_uscc(), "served_on": "2025-03-01", "category": "ip"})
    assert r.status_code == 404


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/v1/parks/park-ffffffff/designations",
     {"designation": "srdi_featured", "designated_on": "2025-06-30", "reason": "x"}),
    ("GET", "/api/v1/parks/park-ffffffff", None),
    ("PATCH", "/api/v1/parks/park-ffffffff", {"area_mu": 1}),
    ("GET", "/api/v1/intermediaries/999999", None),
    ("POST", "/api/v1/intermediaries/999999/services", {"uscc": make_uscc(), "served_on": "2025-03-01", "category": "ip"}),
    ("GET", "/api/v1/intermediaries/999999/services", None),
    ("GET", "/api/v1/intermediaries/999999/introduced", None),
])
async def test_unknown_objects_are_404_for_econ(suite, method, path, body):
    r = await call(suite.client("parks"), method, path, body)
    assert r.status_code == 404 and r.json()["type"].endswith("/not-found")


async def test_policy_endpoints(suite):
    """The policy endpoints every service has: read by every signed-in role, versions added by econ."""
    def body():
        return {"key": "parks.assessment.pass_score", "value": 60, "effective_from": next(FUTURE_DAYS).isoformat(),
                "legal_ref": "测试"}
    for path in ("/api/v1/policy", "/api/v1/policy/history"):
        assert (await suite.client("parks", role=None).get(path)).status_code == 401
        for role in ("econ", *OTHER_ROLES):
            client = suite.client("parks", role=role, org="P-1" if role == "park" else ("B-1" if role == "bank" else None))
            assert (await client.get(path)).status_code == 200, (role, path)
    assert (await suite.client("parks", role=None).put("/api/v1/policy", json=body())).status_code == 401
    for role in OTHER_ROLES:
        client = suite.client("parks", role=role, org="P-1" if role == "park" else ("B-1" if role == "bank" else None))
        assert (await client.put("/api/v1/policy", json=body())).status_code == 403, role
    r = await suite.client("parks").put("/api/v1/policy", json=body())
    assert r.status_code == 201 and r.json()["set_by"].startswith("econ:"), r.text
