"""Issue 13, item 5: no answer outside the talent office shows anything from which a resident ID can
be rebuilt; the audit log and the answers kept for Idempotency-Key replays hold the masked form
only; a person nominated twice is flagged by a keyed hash of the ID, never by the ID itself."""
import datetime as dt
import hashlib
import hmac

import orjson
from sqlalchemy import select

from services.talent.nominations import pii
from services.talent.nominations.jobs import fill_person_keys
from services.talent.tables import Nomination
from services.talent.tests.support import YEAR, body, enterprise_with_quotas
from shared.tables import AuditLog, IdempotencyKey
from shared.testing import make_resident_id
from shared.validators import ID_WEIGHTS

BORN = "19880315"


def old_mask(number: str) -> str:
    """The mask used before: exactly the birth digits hidden."""
    return number[:6] + "*" * 8 + number[14:]


# -- the mask ----------------------------------------------------------------------------------
def birth_dates_consistent(masked: str, first: dt.date = dt.date(1900, 1, 1),
                           last: dt.date = dt.date(2026, 12, 31)) -> int:
    """How many birth dates in [first, last] some valid resident ID with this mask could carry.
    The hidden characters outside the birth digits may be any digit; a shown check character must
    match (GB 11643: sum of digit × weight ≡ 12 − check mod 11)."""
    check = masked[17]
    shown = sum(int(c) * w for c, w in zip(masked[:17], ID_WEIGHTS) if c != "*")
    free = [w for i, (c, w) in enumerate(zip(masked[:17], ID_WEIGHTS)) if c == "*" and not 6 <= i < 14]
    reach = {0}
    for w in free:  # the residues the hidden non-birth digits can add
        reach = {(r + d * w) % 11 for r in reach for d in range(10)}
    if check == "*":
        needed = None
    else:
        needed = (12 - (10 if check == "X" else int(check))) % 11
    count, day = 0, first
    while day <= last:
        digits = day.strftime("%Y%m%d")
        if all(masked[6 + i] in ("*", d) for i, d in enumerate(digits)):
            part = shown + sum(int(d) * w for d, w in zip(digits, ID_WEIGHTS[6:14]))
            if needed is None or any((part + r) % 11 == needed for r in reach):
                count += 1
        day += dt.timedelta(days=1)
    return count


def test_the_mask_says_nothing_of_the_birth_date():
    days = (dt.date(2026, 12, 31) - dt.date(1900, 1, 1)).days + 1
    for serial in (123, 998):
        number = make_resident_id(BORN, serial)
        masked = pii.mask(number)
        assert len(masked) == 18 and masked[:4] == number[:4] and masked[17] == number[17]
        assert BORN not in masked and number[6:] not in masked
        assert birth_dates_consistent(masked) == days  # every date fits: the birth digits cannot be matched
        # The old mask kept the check character beside exactly the birth digits: about 1 date in 11 fits,
        # and the birth date shown beside it gave the number back. (This is what the test catches.)
        assert birth_dates_consistent(old_mask(number)) < days // 8
    assert pii.mask(old_mask(number)) == pii.mask(number)  # the migration re-masks stored masks


def test_a_known_birthday_still_leaves_hundreds_of_numbers():
    """Even knowing the birth date and gender, the masked form leaves the district and serial digits."""
    number = make_resident_id(BORN, 123)
    masked = pii.mask(number)
    fits = 0
    for district in range(100):
        for serial in range(1, 1000, 2):  # odd: the gender shown (male)
            body_ = f"{masked[:4]}{district:02d}{BORN}{serial:03d}"
            total = sum(int(c) * w for c, w in zip(body_, ID_WEIGHTS))
            fits += "10X98765432"[total % 11] == masked[17]
    assert fits > 1000


# -- answers -------------------------------------------------------------------------------------
def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def assert_nothing_rebuilds(answer_text: str, number: str) -> None:
    birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    assert number not in answer_text and number[6:14] not in answer_text and birth not in answer_text
    assert not _keys(orjson.loads(answer_text)) & {"birth_date", "age", "born", "birth_year"}


async def test_answers_outside_the_talent_office_carry_no_birth_date(suite):
    uscc = await enterprise_with_quotas(suite)
    number = make_resident_id(BORN, 246)
    liaison = suite.client("talent", role="enterprise", org=uscc)
    r = await liaison.post("/api/v1/nominations", json=body(uscc, id_number=number))
    assert r.status_code == 201, r.text
    assert_nothing_rebuilds(r.text, number)
    nid = r.json()["id"]
    days = (dt.date(2026, 12, 31) - dt.date(1900, 1, 1)).days + 1
    for role, org in (("econ", None), ("auditor", None), ("enterprise", uscc)):
        c = suite.client("talent", role=role, org=org)
        one = await c.get(f"/api/v1/nominations/{nid}")
        listed = await c.get("/api/v1/nominations", params={"uscc": uscc})
        assert one.status_code == listed.status_code == 200, role
        assert [x["id"] for x in listed.json()["items"]] == [nid]
        for answer in (one, listed):
            assert_nothing_rebuilds(answer.text, number)
        masked = one.json()["person"]["id_number"]
        assert masked == listed.json()["items"][0]["person"]["id_number"] == pii.mask(number)
        assert birth_dates_consistent(masked) == days, role
    # The talent office reads the birth date (age limits of the categories), and the number only audited.
    talent = suite.client("talent", role="talent")
    listed = (await talent.get("/api/v1/nominations", params={"uscc": uscc})).json()["items"]
    assert listed[0]["person"]["birth_date"] == "1988-03-15" and listed[0]["person"]["id_number"] == pii.mask(number)
    assert (await talent.get(f"/api/v1/nominations/{nid}")).json()["person"]["id_number"] == number


async def test_the_audit_log_and_kept_answers_hold_the_masked_form_only(suite):
    uscc = await enterprise_with_quotas(suite)
    number = make_resident_id(BORN, 357)
    talent = suite.client("talent", role="talent")
    liaison = suite.client("talent", role="enterprise", org=uscc)
    r = await talent.post("/api/v1/nominations", json=body(uscc, id_number=number),
                          headers={"Idempotency-Key": f"pd-{uscc}-1"})
    assert r.status_code == 201, r.text
    first = r.json()["id"]
    assert (await talent.post(f"/api/v1/nominations/{first}/review", headers={"Idempotency-Key": f"pd-{uscc}-2"})
            ).status_code == 200
    assert (await talent.get(f"/api/v1/nominations/{first}")).json()["person"]["id_number"] == number  # audited
    assert (await talent.post(f"/api/v1/nominations/{first}/reject", json={"reason": "材料不全"},
                              headers={"Idempotency-Key": f"pd-{uscc}-3"})).status_code == 200
    r = await liaison.post("/api/v1/nominations", json=body(uscc, id_number=number),
                           headers={"Idempotency-Key": f"pd-{uscc}-4"})
    assert r.status_code == 201, r.text
    again = await liaison.post("/api/v1/nominations", json=body(uscc, id_number=number),
                               headers={"Idempotency-Key": f"pd-{uscc}-4"})
    assert again.headers.get("idempotent-replayed") == "true" and again.json()["id"] == r.json()["id"]
    assert "birth_date" not in again.json()["person"]

    ids = {str(first), str(r.json()["id"])}
    with suite.db("talent").reader() as s:
        audits = s.scalars(select(AuditLog).where(AuditLog.object_type == "nomination",
                                                  AuditLog.object_id.in_(ids))).all()
        kept = s.scalars(select(IdempotencyKey).where(IdempotencyKey.key.like(f"pd-{uscc}-%"))).all()
    assert {a.action for a in audits} >= {"nomination.submit", "nomination.review", "nomination.reject",
                                         "nomination.id_number.read"}
    assert len(kept) == 4 and all(k.response_body for k in kept)
    stored = [orjson.dumps([a.before, a.after]).decode() for a in audits] + [k.response_body for k in kept]
    for text in stored:
        assert_nothing_rebuilds(text, number)
    assert any(pii.mask(number) in text for text in stored)  # the masked form is what they keep


# -- the same person twice -----------------------------------------------------------------------
async def test_a_second_nomination_of_the_same_person_is_flagged_by_a_keyed_hash(suite):
    first_ent, second_ent = await enterprise_with_quotas(suite), await enterprise_with_quotas(suite)
    number, other = make_resident_id(BORN, 468), make_resident_id("19910607", 469)
    talent = suite.client("talent", role="talent")
    a = (await talent.post("/api/v1/nominations", json=body(first_ent, id_number=number))).json()
    assert a["repeat"] is False and a["same_person"] == []
    # Another enterprise, another year: flagged on the answer, and on the first one from now on.
    b = await talent.post("/api/v1/nominations", json=body(second_ent, year=YEAR + 1, id_number=number))
    assert b.status_code == 201, b.text
    b = b.json()
    assert b["repeat"] is True
    assert [(x["id"], x["uscc"], x["year"], x["state"]) for x in b["same_person"]] == \
        [(a["id"], first_ent, YEAR, "submitted")]
    for role in ("talent", "econ", "auditor"):
        got = (await suite.client("talent", role=role).get(f"/api/v1/nominations/{a['id']}")).json()
        assert got["repeat"] is True and [x["id"] for x in got["same_person"]] == [b["id"]], role
    listed = (await talent.get("/api/v1/nominations", params={"uscc": second_ent})).json()["items"]
    assert [(x["id"], x["repeat"]) for x in listed] == [(b["id"], True)]
    # Someone else is not flagged.
    c = (await talent.post("/api/v1/nominations", json=body(second_ent, year=YEAR + 2, id_number=other))).json()
    assert c["repeat"] is False
    # An enterprise's liaison learns nothing of another enterprise's nominations.
    own = (await suite.client("talent", role="enterprise", org=first_ent).get(f"/api/v1/nominations/{a['id']}")).json()
    assert own["repeat"] is False and own["same_person"] == []

    # What is stored to find it: a keyed hash, the same for both, that no one can compute without the key.
    with suite.db("talent").reader() as s:
        rows = {n.id: n for n in s.scalars(select(Nomination).where(Nomination.id.in_([a["id"], b["id"], c["id"]])))}
    key = rows[a["id"]].person_key
    assert key == rows[b["id"]].person_key != rows[c["id"]].person_key
    keyer = pii.person_key_of(suite.apps["talent"].state)
    assert key == keyer.of(number) and len(key) == 64 and number not in key and BORN not in key
    unkeyed = {hashlib.sha256(number.encode()).hexdigest(),
               hashlib.sha256(b"resident-id:v1:" + number.encode()).hexdigest()}
    assert key not in unkeyed
    assert key != pii.PersonKey(b"another-key-another-key-another-key").of(number)
    secret = suite.apps["talent"].state.settings.signing_secret
    assert key != hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()  # not the token secret itself


async def test_older_nominations_get_their_keyed_hash_filled(suite):
    uscc = await enterprise_with_quotas(suite)
    number = make_resident_id(BORN, 579)
    talent = suite.client("talent", role="talent")
    n = (await talent.post("/api/v1/nominations", json=body(uscc, id_number=number))).json()
    with suite.db("talent").transaction() as s:
        s.get(Nomination, n["id"]).person_key = None  # as if made before the column existed
    fill_person_keys(suite.apps["talent"])
    with suite.db("talent").reader() as s:
        assert s.get(Nomination, n["id"]).person_key == pii.person_key_of(suite.apps["talent"].state).of(number)


def test_the_hash_key_is_required_outside_dev():
    import pytest

    from shared.errors import Problem
    from shared.settings import Settings
    from pydantic import ValidationError
    prod = Settings(env="prod", jwt_secret="x" * 40)
    with pytest.raises(Problem) as missing:
        pii.person_key_from(prod)
    assert missing.value.status == 503 and missing.value.code == "talent-key-missing"
    with pytest.raises(ValidationError):  # too short: refused when the settings are read, at start
        Settings(env="prod", jwt_secret="x" * 40, talent_hash_key="short")
    configured = pii.person_key_from(Settings(env="prod", jwt_secret="x" * 40, talent_hash_key="k" * 40))
    assert configured.of("11010519491231002X") == pii.PersonKey(b"k" * 40).of("11010519491231002X")
    dev = Settings(env="dev", jwt_secret="s" * 40)
    assert pii.person_key_from(dev).of("11010519491231002X") != configured.of("11010519491231002X")
