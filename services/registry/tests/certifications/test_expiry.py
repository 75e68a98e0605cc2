"""The expiry sweep: every change it makes to a record (a title's state) bumps the version and is
announced with the whole record, whether or not the tier falls, so each department's copy reads the
lapsed title as expired (the fault drill's find: an expiry under a higher title bumped the version and
announced nothing, so every copy kept the title active at the older version)."""
import asyncio

from services.registry.certifications import service as certification
from services.registry.certifications import sweeper
from services.registry.tests.enterprises.helpers import audited, certify, published, register
from shared import projection
from shared.clock import today
from shared.testing import make_uscc

DEPARTMENTS = ("awards", "talent", "finance", "parks", "outreach")


def states(record) -> dict[int, str]:
    return {c["id"]: c["state"] for c in record["certifications"]}


async def test_an_expiry_under_a_higher_title_is_announced_to_every_department(suite):
    uscc = make_uscc()
    await register(suite, uscc)
    lapsed = await certify(suite, uscc, "innovative", "2023-06-15")  # valid to 2026-06-14: lapsed today
    srdi = await certify(suite, uscc, "municipal_srdi", "2024-03-01")  # valid to 2027-02-28: holds the tier
    await suite.settled()

    with suite.db("registry").transaction() as s:
        assert certification.expire_due(s, today()) >= 1
    await suite.settled()

    [event] = published(suite, "enterprise.recorded.v1", uscc)  # no demotion: the tier stays SRDI
    assert published(suite, "enterprise.demoted.v1", uscc) == []
    assert event["enterprise_version"] == 4  # registered 1, two titles 3, the expiry 4
    assert states(event["record"]) == {lapsed["id"]: "expired", srdi["id"]: "active"}
    assert len(audited(suite, "certification.expire", str(lapsed["id"]))) == 1
    for service in DEPARTMENTS:
        with suite.db(service).reader() as s:
            held = projection.record_of(s, uscc)
        assert held is not None, service
        assert (held.version, {c.id: c.state for c in held.certifications}) == (
            4, {lapsed["id"]: "expired", srdi["id"]: "active"}), service

    with suite.db("registry").transaction() as s:  # the sweep again: nothing due, nothing announced
        certification.expire_due(s, today())
    assert len(published(suite, "enterprise.recorded.v1", uscc)) == 1


async def test_an_expiry_that_lowers_the_tier_is_a_demotion_with_the_record(suite):
    uscc = make_uscc()
    await register(suite, uscc)
    srdi = await certify(suite, uscc, "municipal_srdi", "2023-01-10")  # valid to 2026-01-09
    with suite.db("registry").transaction() as s:
        certification.expire_due(s, today())
    [event] = published(suite, "enterprise.demoted.v1", uscc)
    assert (event["reason"], event["enterprise_version"], states(event["record"])) == (
        "expired", 3, {srdi["id"]: "expired"})
    assert published(suite, "enterprise.recorded.v1", uscc) == []


async def test_the_sweep_commits_in_chunks(suite, monkeypatch):
    """A season's lapse is swept a chunk per transaction (the drill's find: one transaction over 5,806
    titles held SQLite's writer lock for 40 s), and every title due is swept."""
    usccs = [make_uscc() for _ in range(5)]
    for uscc in usccs:
        await register(suite, uscc)
        await certify(suite, uscc, "innovative", "2022-05-01")  # lapsed 2025-04-30
    monkeypatch.setattr(sweeper, "EXPIRY_CHUNK", 2)
    swept, real = [], certification.expire_due

    def counted(s, on, actor="system:expiry", limit=None):
        swept.append(real(s, on, actor, limit))
        return swept[-1]
    monkeypatch.setattr(certification, "expire_due", counted)
    await asyncio.to_thread(sweeper.expire_due, suite.apps["registry"])
    assert len(swept) >= 3 and all(n == 2 for n in swept[:-1]) and swept[-1] < 2, swept
    for uscc in usccs:
        [event] = published(suite, "enterprise.demoted.v1", uscc)
        assert [c["state"] for c in event["record"]["certifications"]] == ["expired"]
