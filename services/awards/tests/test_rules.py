"""Table-driven tests of the award rules, with the seed's own numbers."""
import datetime as dt

import pytest

from services.awards import rules
from shared.params import Param

D = dt.date
SEED = {k: Param(i, k, v, D(2022, 1, 1), "seed") for i, (k, v) in enumerate({
    "award.tier.municipal_srdi": 300000, "award.tier.municipal_little_giant": 500000,
    "award.tier.national_little_giant": 1000000, "award.relocation.amount": 200000,
    "award.relocation.cutoff": "2022-01-01", "award.relocation.min_tier": "municipal_srdi",
    "award.introducer.amount": 200000, "award.featured_park.amount": 3000000}.items())}


def facts(tier, earlier=(), first=True, **kw):
    return rules.Facts(uscc="U", to_tier=tier, recognized_on=D(2024, 3, 1), first_time_at_tier=first,
                       earlier_tier_awards=[(i, t, y) for i, (t, y) in enumerate(earlier)], **kw)


@pytest.mark.parametrize("tier, earlier, first, expected", [
    ("municipal_srdi", [], True, 300000),
    ("municipal_little_giant", [("municipal_srdi", 300000)], True, 200000),      # 晋级补差
    ("national_little_giant", [("municipal_srdi", 300000), ("municipal_little_giant", 200000)], True, 500000),
    ("national_little_giant", [], True, 1000000),                                # a direct jump to the top
    ("municipal_srdi", [("national_little_giant", 1000000)], True, None),         # arrived late: nothing more
    ("municipal_srdi", [], False, None),                                         # renewal (复核): never again
    ("innovative", [], True, None),                                              # no award for the tier
    ("single_champion", [("national_little_giant", 1000000)], True, None),       # no parameter: no money
])
def test_tier_award_top_up(tier, earlier, first, expected):
    d = rules.tier_award(facts(tier, earlier, first), SEED)
    assert (d.amount_yuan if d else None) == expected
    if d:
        assert d.basis["amount_for_tier_yuan"] - d.basis["already_awarded_yuan"] == d.amount_yuan
        assert d.basis["parameters"][0]["key"] == f"award.tier.{tier}"


@pytest.mark.parametrize("relocated_on, origin, tier, expected", [
    (D(2022, 1, 1), "河北省保定市", "municipal_srdi", 200000),     # on the cut-off day
    (D(2021, 12, 31), "河北省保定市", "municipal_srdi", None),     # one day before
    (D(2023, 5, 1), "北京市海淀区", "municipal_srdi", None),       # moved within Beijing
    (D(2023, 5, 1), None, "municipal_srdi", None),
    (D(2023, 5, 1), "天津市", "innovative", None),                 # not yet a titled tier
    (D(2023, 5, 1), "天津市", "national_little_giant", 200000),
])
def test_relocation_cut_off(relocated_on, origin, tier, expected):
    d = rules.relocation_award(facts(tier, relocated_on=relocated_on, relocated_from=origin), SEED)
    assert (d.amount_yuan if d else None) == expected


def test_introducer_needs_a_relocation_award():
    f = facts("municipal_srdi", relocated_on=D(2023, 1, 1), relocated_from="天津市", introducer="某咨询公司")
    relocation = rules.relocation_award(f, SEED)
    assert rules.introducer_award(f, relocation, SEED).amount_yuan == 200000
    assert rules.introducer_award(f, None, SEED) is None


def test_policy_change_applies_from_its_date():
    changed = {**SEED, "award.tier.municipal_srdi": Param(99, "award.tier.municipal_srdi", 200000, D(2025, 4, 28), "2025")}
    assert rules.tier_award(facts("municipal_srdi"), changed).amount_yuan == 200000
    assert rules.tier_award(facts("municipal_srdi"), changed).basis["parameters"][0]["id"] == 99


@pytest.mark.parametrize("action, state, role, expected", [
    ("review", "computed", "econ", "reviewed"),
    ("review", "computed", "treasury", "forbidden"),
    ("approve", "reviewed", "treasury", "approved"),
    ("approve", "computed", "treasury", "conflict"),
    ("disburse", "approved", "treasury", "disbursed"),
    ("disburse", "disbursed", "treasury", "conflict"),
    ("reject", "approved", "econ", "rejected"),
    ("reject", "disbursed", "treasury", "conflict"),
])
def test_workflow(action, state, role, expected):
    got = rules.next_state(action, state, role)
    assert (got[0] if isinstance(got, tuple) else got) == expected
