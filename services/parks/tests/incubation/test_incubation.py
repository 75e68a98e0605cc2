"""Incubation records, the yearly summary of incubated enterprises promoted, and their announcement
(incubatee.promoted.v1)."""
import datetime as dt
import json

from sqlalchemy import func, select

from services.parks.tables import Incubation
from services.parks.tests.helpers import deliver, enterprise_in, new_park, placed, record
from shared.clock import today
from shared.contracts.registry import EnterpriseRegistered
from shared.tables import Outbox
from shared.testing import make_uscc


def incubations(suite, park_id):
    with suite.db("parks").reader() as s:
        return s.scalar(select(func.count()).select_from(Incubation).where(Incubation.park_id == park_id))


async def test_record_overlap_and_graduate(suite):
    park = await new_park(suite)
    uscc = await enterprise_in(suite, park["id"])
    await suite.settled()
    op = suite.client("parks", role="park", org=park["id"])
    base = f"/api/v1/parks/{park['id']}/incubations"
    r = await op.post(base, json={"uscc": uscc, "entered_on": "2024-05-01", "note": "孵化器A座"})
    assert r.status_code == 201, r.text
    inc = r.json()
    assert (inc["park_id"], inc["graduated_on"], inc["name"]) == (park["id"], None, f"企业{uscc[-6:]}")
    for entered in ("2024-05-01", "2025-01-01", "2020-01-01"):  # the stay is open: every later date overlaps
        again = await op.post(base, json={"uscc": uscc, "entered_on": entered, "graduated_on": "2026-11-30"})
        assert again.status_code == 409, entered
    assert (await op.post(f"{base}/{inc['id']}/graduation", json={"graduated_on": "2024-04-30"})).status_code == 422
    r = await op.post(f"{base}/{inc['id']}/graduation", json={"graduated_on": "2025-06-30"})
    assert r.status_code == 200 and r.json()["graduated_on"] == "2025-06-30"
    assert (await op.post(f"{base}/{inc['id']}/graduation", json={"graduated_on": "2025-07-30"})).status_code == 409
    # a second stay after graduation is fine; one touching the first is not
    assert (await op.post(base, json={"uscc": uscc, "entered_on": "2025-06-30"})).status_code == 409
    assert (await op.post(base, json={"uscc": uscc, "entered_on": "2025-07-01"})).status_code == 201
    listed = (await op.get(base)).json()["items"]
    assert [(i["entered_on"], i["graduated_on"]) for i in listed] == [("2024-05-01", "2025-06-30"), ("2025-07-01", None)]


async def test_bad_incubation_input_changes_nothing(suite):
    park = await new_park(suite)
    econ = suite.client("parks")
    base = f"/api/v1/parks/{park['id']}/incubations"
    bad_uscc = make_uscc()[:-1] + "I"
    mine = placed(suite, park["id"])
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    for body in ({"uscc": bad_uscc, "entered_on": "2024-01-01"}, {"uscc": mine},
                 {"uscc": mine, "entered_on": "2024-05-01", "graduated_on": "2024-04-30"},
                 {"uscc": mine, "entered_on": "2024-05-01", "park_id": "park-x"},
                 {"uscc": mine, "entered_on": tomorrow},  # a fact not yet happened
                 {"uscc": mine, "entered_on": "2024-05-01", "graduated_on": tomorrow}):
        r = await econ.post(base, json=body)
        assert r.status_code == 422, (body, r.text)
    assert (await econ.post(f"{base}/999999/graduation", json={"graduated_on": "2025-01-01"})).status_code == 404
    assert (await econ.get(f"{base}?cursor=MTIz_")).status_code == 422
    assert (await econ.get(f"{base}?cursor=YWJj")).status_code == 422  # "abc": not an id
    assert incubations(suite, park["id"]) == 0


async def test_summary_counts_incubated_enterprises_promoted_in_the_year(suite):
    park = await new_park(suite)
    econ = suite.client("parks")
    base = f"/api/v1/parks/{park['id']}/incubations"
    grown = await enterprise_in(suite, park["id"], ("innovative", "2024-06-01"), ("municipal_srdi", "2025-03-01"))
    before_entry = await enterprise_in(suite, park["id"], ("municipal_srdi", "2025-02-01"))
    last_year = await enterprise_in(suite, park["id"], ("municipal_srdi", "2024-12-31"))
    await suite.settled()
    for uscc, entered, graduated in ((grown, "2024-05-01", None), (before_entry, "2025-04-01", "2025-10-01"),
                                     (last_year, "2023-01-01", "2024-12-31")):
        r = await econ.post(base, json={"uscc": uscc, "entered_on": entered, "graduated_on": graduated})
        assert r.status_code == 201
    s = (await econ.get(f"{base}/summary?year=2025")).json()
    assert (s["incubating"], s["entered"], s["graduated"]) == (2, 1, 1)
    assert s["promoted_enterprises"] == 1
    assert [(p["uscc"], p["on"], p["to_tier"]) for p in s["promotions"]] == [(grown, "2025-03-01", "municipal_srdi")]
    s24 = (await econ.get(f"{base}/summary?year=2024")).json()
    assert {p["uscc"] for p in s24["promotions"]} == {grown, last_year}
    # the assessment's incubation dimension counts the same enterprise
    a = (await econ.get(f"/api/v1/parks/{park['id']}/assessment?year=2025")).json()
    dim = next(d for d in a["dimensions"] if d["measure"] == "incubated_promoted")
    assert dim["enterprises"] == [grown] and dim["met"] is True
    assert (await econ.get(f"{base}/summary")).status_code == 422


def announcements(suite, uscc):
    with suite.db("parks").reader() as s:
        payloads = s.scalars(select(Outbox.payload).where(Outbox.subject == "srdi.parks.incubatee.promoted.v1")
                             .order_by(Outbox.created_at))
        return [d for d in (json.loads(p)["data"] for p in payloads) if d["uscc"] == uscc]


async def test_promoted_incubatee_is_announced_once_per_tier(suite):
    a = await new_park(suite)
    econ = suite.client("parks")
    reg = suite.client("registry")
    uscc = await enterprise_in(suite, a["id"])
    late = await enterprise_in(suite, a["id"])
    await suite.settled()
    ids = {}
    for who, entered, graduated in ((uscc, "2022-01-01", "2022-12-31"), (uscc, "2023-06-01", None),
                                    (late, "2025-01-01", None)):
        r = await econ.post(f"/api/v1/parks/{a['id']}/incubations",
                            json={"uscc": who, "entered_on": entered, "graduated_on": graduated})
        assert r.status_code == 201, r.text
        ids[(who, entered)] = r.json()["id"]
    for who, tier, on in ((uscc, "municipal_srdi", "2023-04-01"), (late, "municipal_srdi", "2024-06-01")):
        r = await reg.post(f"/api/v1/enterprises/{who}/certifications", json={"tier": tier, "recognized_on": on})
        assert r.status_code == 201, r.text
    await suite.settled()
    got = [(d["park_id"], d["to_tier"], d["recognized_on"], d["incubation_id"]) for d in announcements(suite, uscc)]
    # between the park's stays (graduated, not yet back): the earlier stay credits it
    assert got == [(a["id"], "municipal_srdi", "2023-04-01", ids[(uscc, "2022-01-01")])]
    assert announcements(suite, late) == []  # promoted before it entered the incubator
    # a higher tier is announced again (crediting the stay running then); a revocation is not a promotion
    r = await reg.post(f"/api/v1/enterprises/{uscc}/certifications",
                       json={"tier": "national_little_giant", "recognized_on": "2024-07-01"})
    assert r.status_code == 201, r.text
    cert = r.json()
    await suite.settled()
    top = [d for d in announcements(suite, uscc) if d["to_tier"] == "national_little_giant"]
    assert [(d["park_id"], d["incubation_id"]) for d in top] == [(a["id"], ids[(uscc, "2023-06-01")])]
    r = await reg.post(f"/api/v1/certifications/{cert['id']}/revoke", json={"reason": "复核未通过", "revoked_on": "2025-01-01"})
    assert r.status_code == 200, r.text
    await suite.settled()
    assert len(announcements(suite, uscc)) == 2


async def test_a_park_records_incubation_only_of_its_own_enterprises(suite):
    """An unregistered USCC and another park's enterprise are refused alike (nothing about either is
    revealed, not even whether it is registered), for the park's operator and for econ; nothing is
    recorded, and the assessment counts only the park's own."""
    mine_park, other_park = await new_park(suite), await new_park(suite)
    theirs = await enterprise_in(suite, other_park["id"], ("municipal_srdi", "2025-03-01"))
    mine = await enterprise_in(suite, mine_park["id"], ("municipal_srdi", "2025-03-01"))
    nowhere = await enterprise_in(suite, None, ("municipal_srdi", "2025-03-01"))
    await suite.settled()
    base = f"/api/v1/parks/{mine_park['id']}/incubations"
    for client in (suite.client("parks", role="park", org=mine_park["id"]), suite.client("parks")):
        answers = []
        for uscc in (make_uscc(), theirs, nowhere):
            r = await client.post(base, json={"uscc": uscc, "entered_on": "2024-05-01"})
            assert r.status_code == 422 and r.json()["type"].endswith("/not-in-park"), r.text
            assert f"企业{theirs[-6:]}" not in r.text and f"企业{nowhere[-6:]}" not in r.text
            answers.append(r.json())
        assert answers[0] == answers[1] == answers[2]  # the same answer whatever the USCC is
    assert incubations(suite, mine_park["id"]) == 0 and announcements(suite, theirs) == []
    r = await suite.client("parks", role="park", org=mine_park["id"]).post(
        base, json={"uscc": mine, "entered_on": "2024-05-01"})
    assert r.status_code == 201 and r.json()["name"] == f"企业{mine[-6:]}"
    a = (await suite.client("parks").get(f"/api/v1/parks/{mine_park['id']}/assessment?year=2025")).json()
    assert next(d for d in a["dimensions"] if d["measure"] == "incubated_promoted")["enterprises"] == [mine]
    assert a["enterprise_count"] == 1


async def test_an_enterprise_the_registry_moves_away_no_longer_counts_or_shows(suite):
    """Incubations recorded while the enterprise was the park's stop counting (and its name stops
    showing) once the registry's newest record places it in another park."""
    park, other = await new_park(suite), await new_park(suite)
    uscc = placed(suite, park["id"], ("municipal_srdi", dt.date(2025, 3, 1), dt.date(2028, 2, 28)))
    econ = suite.client("parks")
    base = f"/api/v1/parks/{park['id']}/incubations"
    assert (await econ.post(base, json={"uscc": uscc, "entered_on": "2024-05-01"})).status_code == 201
    s = (await econ.get(f"{base}/summary?year=2025")).json()
    assert (s["incubating"], s["promoted_enterprises"]) == (1, 1)
    moved = record(uscc, 2, ("municipal_srdi", dt.date(2025, 3, 1), dt.date(2028, 2, 28)), park_id=other["id"])
    deliver(suite, EnterpriseRegistered, moved)
    s = (await econ.get(f"{base}/summary?year=2025")).json()
    assert (s["incubating"], s["promoted_enterprises"]) == (0, 0)
    [item] = (await econ.get(base)).json()["items"]
    assert (item["uscc"], item["name"]) == (uscc, None)
    a = (await econ.get(f"/api/v1/parks/{park['id']}/assessment?year=2025")).json()
    assert a["enterprise_count"] == 0
    assert next(d for d in a["dimensions"] if d["measure"] == "incubated_promoted")["value"] == 0
