"""Table-driven tests of the talent service's pure rules."""
import datetime as dt

import pytest

from services.talent import rules
from shared.params import Param

D = dt.date


def p(key: str, value, since: str = "2022-01-01") -> Param:
    return Param(hash(key) % 1000, key, value, D.fromisoformat(since), "test")


SEED = {k: p(k, v) for k, v in {
    "talent.quota.per_year.national_little_giant": 1, "talent.quota.years.national_little_giant": 3,
    "talent.quota.per_year.municipal_little_giant": 1, "talent.quota.years.municipal_little_giant": 1}.items()}


@pytest.mark.parametrize("tier, recognized_on, first_time, ps, expected", [
    # the seed's own numbers: national 1 a year for 3 years, municipal 1 a year for 1 year
    ("national_little_giant", D(2025, 8, 1), True, SEED, {2025: 1, 2026: 1, 2027: 1}),
    ("municipal_little_giant", D(2024, 10, 1), True, SEED, {2024: 1}),
    ("national_little_giant", D(2025, 1, 1), True, SEED, {2025: 1, 2026: 1, 2027: 1}),
    ("national_little_giant", D(2025, 12, 31), True, SEED, {2025: 1, 2026: 1, 2027: 1}),  # the year counts, not the day
    # renewal (复核) is not a first recognition: nothing new
    ("national_little_giant", D(2025, 8, 1), False, SEED, {}),
    # tiers without quota parameters entitle nothing
    ("single_champion", D(2025, 8, 1), True, SEED, {}),
    ("municipal_srdi", D(2024, 3, 1), True, SEED, {}),
    ("innovative", D(2024, 3, 1), True, SEED, {}),
    # ...unless the parameters say otherwise
    ("single_champion", D(2025, 8, 1), True,
     {**SEED, "talent.quota.per_year.single_champion": p("talent.quota.per_year.single_champion", 2),
      "talent.quota.years.single_champion": p("talent.quota.years.single_champion", 2)}, {2025: 2, 2026: 2}),
    # a changed parameter set is just other values
    ("national_little_giant", D(2026, 5, 1), True,
     {**SEED, "talent.quota.per_year.national_little_giant": p("talent.quota.per_year.national_little_giant", 2)},
     {2026: 2, 2027: 2, 2028: 2}),
    # half a parameter pair, or a zero, entitles nothing
    ("single_champion", D(2025, 8, 1), True,
     {**SEED, "talent.quota.per_year.single_champion": p("talent.quota.per_year.single_champion", 1)}, {}),
    ("national_little_giant", D(2025, 8, 1), True,
     {**SEED, "talent.quota.years.national_little_giant": p("talent.quota.years.national_little_giant", 0)}, {}),
    ("national_little_giant", D(2021, 6, 1), True, {}, {}),  # before any parameter is in force
])
def test_entitlements(tier, recognized_on, first_time, ps, expected):
    got = rules.entitlements(tier, recognized_on, first_time, ps)
    assert {e.year: e.count for e in got} == expected
    for e in got:
        assert {x.key for x in e.params} == {rules.PER_YEAR + tier, rules.YEARS + tier}


@pytest.mark.parametrize("counts, used, expected", [
    ([], 0, 0),
    ([1], 0, 1),
    ([1, 1], 0, 1),      # two tiers, same year: the larger, never the sum
    ([1, 2], 0, 2),
    ([2, 1], 1, 2),
    ([], 1, 1),          # cancelled entitlement, but its quota is in use: kept
    ([1], 2, 2),
])
def test_granted_is_the_largest_never_the_sum(counts, used, expected):
    assert rules.granted(counts, used) == expected


@pytest.mark.parametrize("year, revoked_on, for_cause, expected", [
    (2027, D(2026, 5, 1), True, True),
    (2028, D(2026, 5, 1), True, True),
    (2026, D(2026, 5, 1), True, False),   # the year of revocation is kept
    (2025, D(2026, 5, 1), True, False),
    (2027, D(2026, 5, 1), False, False),  # not for cause: nothing cancelled
])
def test_revocation_cancels_later_years_only_for_cause(year, revoked_on, for_cause, expected):
    assert rules.cancels(year, revoked_on, for_cause) is expected


def test_revocations_for_cause_count_from_their_date():
    from shared.contracts.registry import CertificationRecord

    def c(i, revoked_on=None, for_cause=True):
        return CertificationRecord(id=i, tier="national_little_giant", recognized_on=D(2024, 1, 1),
                                   expires_on=D(2027, 1, 1), revoked_on=revoked_on, for_cause=for_cause)
    certs = [c(1), c(2, D(2026, 5, 1)), c(3, D(2026, 5, 1), for_cause=False), c(4, D(2026, 12, 3)),
             c(5, D(2026, 12, 2))]
    # not revoked, not for cause, and a revocation dated after today are none of them
    assert [x.id for x in rules.revoked_for_cause(certs, D(2026, 12, 2))] == [2, 5]
    assert [x.id for x in rules.revoked_for_cause(certs, D(2026, 12, 3))] == [2, 4, 5]


def test_what_a_record_ends():
    """Issue 18: a revocation for cause ends the years after its year, a void the current year and
    the years after it, a departure by today every certification's years after the year it left."""
    from shared.contracts.registry import CertificationRecord, EnterpriseRecord

    def c(i, **kw):
        return CertificationRecord(id=i, tier="national_little_giant", recognized_on=D(2025, 8, 1),
                                   expires_on=D(2028, 7, 31), **kw)
    certs = (c(1), c(2, revoked_on=D(2026, 5, 1), for_cause=True, state="revoked"), c(3, state="voided"))
    today = D(2026, 12, 2)
    here = EnterpriseRecord(uscc="U", name="n", version=1, certifications=certs)
    ends = rules.ends(here, today)
    assert [(e.kind, e.certification_id, e.first_year) for e in ends] == [("revoked", 2, 2027), ("voided", 3, 2026)]
    assert rules.ended_by(ends, 1, 2027) is None and rules.ended_by(ends, 3, 2025) is None
    assert rules.ended_by(ends, 3, 2026).kind == "voided"  # deemed never recognised: this year's too
    gone = here.model_copy(update={"status": "closed", "status_on": D(2025, 10, 31)})
    ends = rules.ends(gone, today)
    assert ends[-1] == rules.End("closed", None, D(2025, 10, 31), 2026)
    assert rules.ended_by(ends, 1, 2026).kind == "closed" and rules.ended_by(ends, 1, 2025) is None
    later = here.model_copy(update={"status": "moved_out", "status_on": D(2026, 12, 3)})
    assert rules.departed_on(later, today) is None  # not yet
    assert [rules.backfill_grants(y, today) for y in (2024, 2025, 2026, 2027)] == [False, False, True, True]


@pytest.mark.parametrize("granted, used, year, today, available, lapsed", [
    (1, 0, 2026, D(2026, 11, 24), 1, False),
    (1, 1, 2026, D(2026, 11, 24), 0, False),
    (1, 0, 2025, D(2026, 1, 1), 0, True),    # unused quotas lapse at the end of their year
    (1, 0, 2026, D(2026, 12, 31), 1, False),
    (2, 1, 2027, D(2026, 11, 24), 1, False),
    (0, 0, 2027, D(2026, 11, 24), 0, False),
])
def test_available_and_lapse(granted, used, year, today, available, lapsed):
    assert rules.available(granted, used, year, today) == available
    assert rules.lapsed(year, today) is lapsed


@pytest.mark.parametrize("state, action, target", [
    ("submitted", "review", "district_reviewed"),
    ("district_reviewed", "recommend", "recommended"),
    ("recommended", "approve", "approved"),
    ("submitted", "reject", "rejected"),
    ("district_reviewed", "reject", "rejected"),
    ("recommended", "reject", "rejected"),
    ("submitted", "withdraw", "withdrawn"),
    ("recommended", "withdraw", "withdrawn"),
    ("submitted", "recommend", None),       # no skipping the district review
    ("submitted", "approve", None),
    ("approved", "reject", None),           # final states stay final
    ("approved", "withdraw", None),
    ("rejected", "review", None),
    ("rejected", "reject", None),           # a quota cannot be returned twice
    ("withdrawn", "withdraw", None),
])
def test_nomination_states(state, action, target):
    assert rules.transition(state, action) == target


def test_only_rejection_and_withdrawal_return_the_quota():
    assert {s for s in rules.STATES if not rules.holds_quota(s)} == {"rejected", "withdrawn"}
