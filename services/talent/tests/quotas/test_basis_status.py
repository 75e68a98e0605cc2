"""A quota's basis says where the certification it cites stands today, from the newest registry
record talent holds: revoked (for cause or not) or voided after the grant, it must not read as a
title in force. Driven through the registry's own endpoints and the real bus."""
from services.talent.tests.support import certify, enterprise, quotas, wait_granted
from shared.clock import today

YEAR = today().year
NLG = "national_little_giant"


async def _national(suite) -> tuple[str, dict]:
    """A national little giant recognised last year: quotas last year, this year and next year."""
    uscc = await enterprise(suite)
    cert = await certify(suite, uscc, NLG, f"{YEAR - 1}-08-01")
    await wait_granted(suite, uscc, {YEAR - 1: 1, YEAR: 1, YEAR + 1: 1})
    return uscc, cert


def _statuses(q: dict) -> list[dict]:
    return [e["certification_status"] for e in q["basis"]["entitlements"]]


async def test_a_basis_in_force_says_so(suite):
    uscc, cert = await _national(suite)
    q = (await quotas(suite, uscc))[YEAR]
    status = q["basis"]["certification_status"]
    assert status["state"] == "active" and status["revoked_on"] is None and status["for_cause"] is False
    assert status["expires_on"] == cert["expires_on"] and status["record_version"] >= 2
    assert _statuses(q) == [status]


async def test_a_revoked_basis_reads_revoked_on_the_quota_it_still_grants(suite):
    """Revoked for cause: this year's quota is kept (the README's choice), but its basis reads
    revoked, with the date and the cause; so does a revocation not for cause, which cancels nothing."""
    econ = suite.client("registry")
    for for_cause in (True, False):
        uscc, cert = await _national(suite)
        r = await econ.post(f"/api/v1/certifications/{cert['id']}/revoke",
                            json={"reason": "虚假申报" if for_cause else "企业主动申请", "for_cause": for_cause})
        assert r.status_code == 200, r.text
        expect = {YEAR - 1: 1, YEAR: 1} if for_cause else {YEAR - 1: 1, YEAR: 1, YEAR + 1: 1}
        await wait_granted(suite, uscc, expect)
        await suite.settled()  # a revocation not for cause changes no grant: wait for its events to be handled
        q = await quotas(suite, uscc)
        for year in q:
            [status] = _statuses(q[year])
            assert status["state"] == "revoked", (for_cause, year, q[year]["basis"])
            assert status["revoked_on"] == today().isoformat() and status["for_cause"] is for_cause
            if year in expect:  # the grant still rests on it
                assert q[year]["basis"]["certification_status"] == status
        assert q[YEAR]["basis"]["certification_id"] == cert["id"] and q[YEAR]["available"] == 1


async def test_a_voided_basis_reads_voided_on_every_year_even_the_lapsed_one(suite):
    """Last year's entitlement stays active (that year has lapsed), but its basis must not read as a
    title that was ever in force; this year's and next year's cancelled entitlements say voided too."""
    uscc, cert = await _national(suite)
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert['id']}/void", json={"reason": "误录"})
    assert r.status_code == 200, r.text
    await wait_granted(suite, uscc, {YEAR - 1: 1})
    q = await quotas(suite, uscc)
    past = q[YEAR - 1]
    assert past["lapsed"] and past["available"] == 0
    assert past["basis"]["certification_id"] == cert["id"]
    assert past["basis"]["certification_status"]["state"] == "voided"
    for year in (YEAR - 1, YEAR, YEAR + 1):
        assert [s["state"] for s in _statuses(q[year])] == ["voided"]
    assert q[YEAR]["basis"]["certification_status"] is None  # no active entitlement left to rest on


def test_certification_state_table():
    """The state a basis shows: the registry's void first, then a revocation that has come (for cause
    or not; one dated later has not), then the last valid day."""
    import datetime as dt

    from services.talent import rules
    from shared.contracts.registry import CertificationRecord

    on = dt.date(2026, 6, 1)

    def cert(**kw):
        return CertificationRecord(id=1, tier=NLG, recognized_on="2025-08-01", expires_on="2028-07-31", **kw)
    cases = [
        (cert(), "active"),
        (cert(state="voided"), "voided"),
        (cert(state="voided", revoked_on="2026-05-01", for_cause=True), "voided"),
        (cert(state="revoked", revoked_on="2026-05-01", for_cause=True), "revoked"),
        (cert(state="revoked", revoked_on="2026-06-01"), "revoked"),  # its first day no longer counting
        (cert(state="revoked", revoked_on="2026-06-02"), "active"),   # not yet
        (cert(state="revoked"), "revoked"),
        (CertificationRecord(id=1, tier=NLG, recognized_on="2023-05-31", expires_on="2026-05-31"), "expired"),
        (CertificationRecord(id=1, tier=NLG, recognized_on="2023-06-01", expires_on="2026-06-01"), "active"),
    ]
    for c, state in cases:
        assert rules.certification_state(c, on) == state, (c, state)
