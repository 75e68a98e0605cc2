"""Corrections of the record (issue 18): a voided certification, a departed enterprise and a
back-filled list, each as the registry publishes it, delivered through the real bus."""
import datetime as dt
import uuid

from services.talent.tests.support import (_expiry, granted, handled, outbox, promotion, publish, quotas,
                                           synthetic_cert_id, wait_granted)
from shared.clock import today
from shared.contracts.registry import (CertificationRecord, CertificationVoided, EnterpriseChanged,
                                       EnterpriseDeparted, EnterprisePromoted, EnterpriseRecord, FieldChange)
from shared.events import Event, new_event
from shared.testing import make_uscc

CANCELLED = "srdi.talent.quota.cancelled.v1"
YEAR = today().year
NLG = "national_little_giant"
RECOGNIZED = f"{YEAR - 1}-08-01"  # grants last year, this year and next year


def _cert(cert_id: int, state: str = "active", on: str = RECOGNIZED, backfilled: bool = False) -> CertificationRecord:
    return CertificationRecord(id=cert_id, tier=NLG, recognized_on=on, expires_on=_expiry(on), state=state,
                               backfilled=backfilled)


def _record(uscc: str, version: int, *certs, status: str = "active", status_on: dt.date | None = None):
    return EnterpriseRecord(uscc=uscc, name="更正测试企业", version=version, certifications=certs, status=status,
                            status_on=status_on)


def _event(data) -> Event:
    return new_event(data.SERVICE, data.NAME, data.uscc, data.model_dump(mode="json"))


def voided(uscc: str, cert_id: int, version: int = 3, reason: str = "误将培育库企业录为小巨人") -> Event:
    r = _record(uscc, version, _cert(cert_id, "voided"))
    return _event(CertificationVoided(uscc=uscc, enterprise_version=version, record=r, name=r.name,
                                      certification_id=cert_id, tier=NLG, recognized_on=RECOGNIZED, reason=reason))


def departed(uscc: str, cert_id: int, on: dt.date, status: str = "moved_out", version: int = 3) -> Event:
    r = _record(uscc, version, _cert(cert_id), status=status, status_on=on)
    return _event(EnterpriseDeparted(uscc=uscc, enterprise_version=version, record=r, name=r.name, status=status,
                                     status_on=on, on=on, reason="整体迁往河北省涿州市"))


async def _promoted(suite, cert_id: int | None = None) -> tuple[str, int]:
    uscc, cert_id = make_uscc(), cert_id or synthetic_cert_id()
    await publish(suite, promotion(uscc, NLG, RECOGNIZED, cert_id=cert_id))
    await wait_granted(suite, uscc, {YEAR - 1: 1, YEAR: 1, YEAR + 1: 1})
    return uscc, cert_id


async def _redelivered(suite, event: Event) -> None:
    """The same event again (another Nats-Msg-Id) and its facts under another event id."""
    await publish(suite, event, msg_id=str(uuid.uuid4()))
    twin = Event(str(uuid.uuid4()), event.type, event.source, event.subject, event.time, event.data)
    await publish(suite, twin)
    await suite.settled()
    assert handled(suite, event.id) == 1 and handled(suite, twin.id) == 1


async def test_a_voided_certification_cancels_its_quotas_of_this_year_and_later(suite):
    """Deemed never recognised: this year's unused quota goes too (it could still be nominated for),
    not only the years not yet begun; last year's has lapsed."""
    uscc, cert = await _promoted(suite)
    event = voided(uscc, cert)
    await publish(suite, event)
    await wait_granted(suite, uscc, {YEAR - 1: 1})
    cancels = sorted((c["year"], c["count"], c["cancelled"]) for c in outbox(suite, "talent", CANCELLED, uscc))
    assert cancels == [(YEAR, 0, 1), (YEAR + 1, 0, 1)]
    for year in (YEAR, YEAR + 1):
        [ent] = (await quotas(suite, uscc))[year]["basis"]["entitlements"]
        assert ent["state"] == "cancelled" and ent["cancelled_on"] == today().isoformat()
        assert ent["cancel_reason"].startswith("认定作废（误将培育库企业录为小巨人）")
    assert (await quotas(suite, uscc))[YEAR]["available"] == 0  # nothing left to nominate for this year

    await _redelivered(suite, event)
    assert await granted(suite, uscc) == {YEAR - 1: 1}
    assert len(outbox(suite, "talent", CANCELLED, uscc)) == 2


async def test_a_void_seen_first_in_another_record_is_applied_and_its_reason_told_later(suite):
    uscc, cert = await _promoted(suite)
    r = _record(uscc, 3, _cert(cert, "voided"))
    changed = EnterpriseChanged(uscc=uscc, enterprise_version=3, record=r, name=r.name,
                                changes=(FieldChange(field="name", before="旧名", after=r.name),))
    await publish(suite, _event(changed))
    await wait_granted(suite, uscc, {YEAR - 1: 1})
    [ent] = (await quotas(suite, uscc))[YEAR + 1]["basis"]["entitlements"]
    assert ent["cancel_reason"].startswith("认定作废（-）")

    await publish(suite, voided(uscc, cert, version=4, reason="重复录入"))
    await suite.settled()
    [ent] = (await quotas(suite, uscc))[YEAR + 1]["basis"]["entitlements"]
    assert ent["cancel_reason"].startswith("认定作废（重复录入）")
    assert len(outbox(suite, "talent", CANCELLED, uscc)) == 2  # this year's and next year's, once each


async def test_a_promotion_arriving_after_its_void_grants_no_year_not_over(suite):
    uscc, cert = make_uscc(), synthetic_cert_id()
    await publish(suite, voided(uscc, cert))
    await publish(suite, promotion(uscc, NLG, RECOGNIZED, cert_id=cert, version=2))
    await wait_granted(suite, uscc, {YEAR - 1: 1})  # the same as in order
    await suite.settled()
    assert outbox(suite, "talent", CANCELLED, uscc) == []  # never granted, so never cancelled
    assert (await quotas(suite, uscc))[YEAR + 1]["basis"]["entitlements"][0]["state"] == "cancelled"


async def test_a_departure_cancels_the_years_after_it_and_stops_new_grants(suite):
    uscc, cert = await _promoted(suite)
    stays, _ = await _promoted(suite)
    event = departed(uscc, cert, today())
    await publish(suite, event)
    await wait_granted(suite, uscc, {YEAR - 1: 1, YEAR: 1})
    [cancel] = outbox(suite, "talent", CANCELLED, uscc)
    assert (cancel["year"], cancel["count"], cancel["cancelled"]) == (YEAR + 1, 0, 1)
    [ent] = (await quotas(suite, uscc))[YEAR + 1]["basis"]["entitlements"]
    assert ent["cancel_reason"].startswith(f"企业迁出（{today()}）")
    await _redelivered(suite, event)
    assert len(outbox(suite, "talent", CANCELLED, uscc)) == 1

    # A title recognised on or after the day it left grants nothing at all.
    later = synthetic_cert_id()
    r = _record(uscc, 4, _cert(cert), CertificationRecord(
        id=later, tier="municipal_little_giant", recognized_on=today(), expires_on=today() + dt.timedelta(days=1095)),
        status="moved_out", status_on=today())
    await publish(suite, _event(EnterprisePromoted(
        uscc=uscc, enterprise_version=4, record=r, name=r.name, from_tier=NLG, to_tier="municipal_little_giant",
        certification_id=later, recognized_on=today(), expires_on=today() + dt.timedelta(days=1095),
        first_time_at_tier=True)))
    await suite.settled()
    q = await quotas(suite, uscc)
    assert all(e["certification_id"] != later for y in q.values() for e in y["basis"]["entitlements"])
    assert await granted(suite, uscc) == {YEAR - 1: 1, YEAR: 1}
    assert await granted(suite, stays) == {YEAR - 1: 1, YEAR: 1, YEAR + 1: 1}  # another enterprise untouched


async def test_a_closure_dated_after_today_cancels_nothing(suite):
    uscc, cert = await _promoted(suite)
    event = departed(uscc, cert, today() + dt.timedelta(days=30), status="closed")
    await publish(suite, event)

    async def letter():
        r = await suite.client("talent").get("/api/v1/admin/events")
        return [d for d in r.json()["dead_letters"] if d["event_id"] == event.id]
    [dead] = await suite.wait_for(letter, "the departure's dead letter", timeout=30)
    assert "after today" in dead["error"]
    assert await granted(suite, uscc) == {YEAR - 1: 1, YEAR: 1, YEAR + 1: 1}
    assert outbox(suite, "talent", CANCELLED, uscc) == []


async def test_a_backfilled_title_grants_no_past_year(suite):
    """A list from before go-live: the title is recorded, its past years' quotas are not granted;
    the current year and later ones are, as for any title. A twin entered live gets them all."""
    on = f"{YEAR - 2}-06-01" if YEAR - 2 >= 2022 else RECOGNIZED
    back, live = make_uscc(), make_uscc()
    for uscc, backfilled in ((back, True), (live, False)):
        cert_id = synthetic_cert_id()
        r = _record(uscc, 2, _cert(cert_id, on=on, backfilled=backfilled))
        event = _event(EnterprisePromoted(
            uscc=uscc, enterprise_version=2, record=r, name=r.name, from_tier="sme", to_tier=NLG,
            certification_id=cert_id, recognized_on=on, expires_on=_expiry(on), first_time_at_tier=True))
        await publish(suite, event)
        if backfilled:
            await publish(suite, event, msg_id=str(uuid.uuid4()))  # redelivered
    first = int(on[:4])
    await wait_granted(suite, live, {first: 1, first + 1: 1, first + 2: 1})
    await wait_granted(suite, back, {y: 1 for y in range(YEAR, first + 3)})
    await suite.settled()
    assert set(await quotas(suite, back)) == set(range(YEAR, first + 3))  # no row for a past year at all
