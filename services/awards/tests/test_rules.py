"""Table-driven tests of the award rules, with the seed's own numbers."""
import datetime as dt

import pytest

from services.awards import parameters, rules
from services.awards.claims import rules as claim_rules
from services.awards.simulation import rules as sim
from services.awards.tests.sets import shipped
from services.awards.workflow import rules as workflow_rules
from shared import sheets
from shared.contracts.registry import CertificationRecord
from shared.params import Param
from shared.tiers import TIER_ZH

D = dt.date
SEED = {k: Param(i, k, v, D(2022, 1, 1), "seed") for i, (k, v) in enumerate({
    "award.tier.municipal_srdi": 300000, "award.tier.municipal_little_giant": 500000,
    "award.tier.national_little_giant": 1000000, "award.relocation.amount": 200000,
    "award.relocation.cutoff": "2022-01-01", "award.relocation.min_tier": "municipal_srdi",
    "award.relocation.before_title": True, "award.introducer.amount": 200000, "award.featured_park.amount": 3000000}.items())}


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


@pytest.mark.parametrize("relocated_on, code, name, tier, expected", [
    (D(2022, 1, 1), "130600", "河北省保定市", "municipal_srdi", 200000),     # on the cut-off day
    (D(2021, 12, 31), "130600", "河北省保定市", "municipal_srdi", None),     # one day before
    (D(2023, 5, 1), "110108", "北京市海淀区", "municipal_srdi", None),       # moved within Beijing
    (D(2023, 5, 1), "110108", "海淀区中关村", "municipal_srdi", None),       # no "北京" prefix: still Beijing
    (D(2023, 5, 1), "110108", "Tianjin", "municipal_srdi", None),          # the code decides, not the name
    (D(2023, 5, 1), None, "天津市", "municipal_srdi", None),               # no code: not known to be outside
    (D(2023, 5, 1), "1201", "天津市", "municipal_srdi", None),             # not a division code
    (D(2023, 5, 1), "120000", "天津市", "innovative", None),               # not yet a titled tier
    (D(2023, 5, 1), "120000", "天津市", "national_little_giant", 200000),
    (D(2024, 3, 1), "120000", "天津市", "municipal_srdi", 200000),         # relocated the day of the title
    (D(2024, 3, 2), "120000", "天津市", "municipal_srdi", None),           # relocated after the title
])
def test_relocation_by_division_code_before_the_title(relocated_on, code, name, tier, expected):
    d = rules.relocation_award(facts(tier, relocated_on=relocated_on, relocated_from_code=code,
                                     relocated_from=name), SEED)
    assert (d.amount_yuan if d else None) == expected
    if d:
        assert d.basis["inputs"]["relocated_from_code"] == code
        assert "award.relocation.before_title" in {p["key"] for p in d.basis["parameters"]}


def test_relocation_after_an_earlier_title_pays_nothing_on_a_later_promotion():
    """Held municipal SRDI (2023) before moving in (2023-06): a later promotion does not make the
    relocation precede the first title."""
    f = facts("national_little_giant", relocated_on=D(2023, 6, 1), relocated_from_code="130600",
              titles=(("municipal_srdi", D(2023, 1, 1)), ("national_little_giant", D(2024, 3, 1))))
    assert rules.relocation_award(f, SEED) is None
    lower = facts("national_little_giant", relocated_on=D(2023, 6, 1), relocated_from_code="130600",
                  titles=(("innovative", D(2023, 1, 1)),))  # an untitled tier before the move does not count
    assert rules.relocation_award(lower, SEED).amount_yuan == 200000
    # The reading is a dated parameter: false pays whatever the order; none in force pays nothing.
    either = {**SEED, "award.relocation.before_title": Param(50, "award.relocation.before_title", False,
                                                              D(2022, 1, 1), "x")}
    assert rules.relocation_award(f, either).amount_yuan == 200000
    assert rules.relocation_award(f, {k: v for k, v in SEED.items() if k != "award.relocation.before_title"}) is None


def test_introducer_needs_a_relocation_award():
    f = facts("municipal_srdi", relocated_on=D(2023, 1, 1), relocated_from_code="120000", relocated_from="天津市",
              introducer="某咨询公司")
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
    got = workflow_rules.next_state(action, state, role)
    assert (got[0] if isinstance(got, tuple) else got) == expected


# -- claims ----------------------------------------------------------------------------------------
CLAIM = {k: Param(100 + i, k, v, D(2022, 1, 1), "seed") for i, (k, v) in enumerate({
    "award.claim.min_tier": "municipal_srdi", "award.listing.min_tier": "municipal_srdi",
    "award.listing.boards": ["main", "sme", "chinext", "star", "bse", "overseas"], "award.listing.match_bp": 10000,
    "award.scenario.rate_bp": 2000, "award.scenario.cap_yuan": 5000000, "award.ecosystem.rate_bp": 500}.items())}


@pytest.mark.parametrize("contract, already, expected", [
    (10_000_000, 0, 2_000_000),
    (10_000_004, 0, 2_000_000),            # 2,000,000.8 rounded down
    (4, 0, "nothing-to-award"),            # 0.8 元 → 0: nothing to award, refused
    (25_000_000, 0, 5_000_000),            # exactly the cap
    (30_000_000, 0, 5_000_000),            # a single claim above the cap
    (20_000_000, 2_000_000, 3_000_000),    # the claim that crosses the cap gets the remainder
    (1_000_000, 5_000_000, "cap-reached"),  # then nothing
    (1_000_000, 4_999_999, 1),
    (1_000_000, 6_000_000, "cap-reached"),  # already above the cap (a cap lowered later)
])
def test_scenario_cap(contract, already, expected):
    try:
        d = claim_rules.scenario_award("municipal_srdi", contract, D(2024, 6, 1), already, CLAIM, {})
    except rules.Ineligible as e:
        assert e.code == expected
        return
    assert d.amount_yuan == expected and d.basis["already_awarded_yuan"] == already


@pytest.mark.parametrize("tier, ok", [("sme", False), ("innovative", False), ("potential", False),
                                      ("municipal_srdi", True), ("national_little_giant", True),
                                      ("single_champion", True)])
def test_only_srdi_may_claim(tier, ok):
    try:
        d = claim_rules.ecosystem_award(tier, 1_000_000, D(2024, 6, 1), True, CLAIM, {})
        assert ok and d.amount_yuan == 50_000
    except rules.Ineligible as e:
        # the tier in words in the Chinese (the portal would put words on a bare code twice), its code in the English
        assert not ok and e.code == "not-eligible" and TIER_ZH[tier] in e.zh and tier not in e.zh and tier in e.en


@pytest.mark.parametrize("contract, buyer, expected", [
    (1_000_000, True, 50_000), (19, True, "nothing-to-award"), (20, True, 1),
    (1_000_000, False, "buyer-not-in-district")])
def test_ecosystem(contract, buyer, expected):
    try:
        assert claim_rules.ecosystem_award("municipal_srdi", contract, D(2024, 6, 1), buyer, CLAIM, {}).amount_yuan == expected
    except rules.Ineligible as e:
        assert e.code == expected


@pytest.mark.parametrize("board, municipal, bp, expected", [
    ("star", 3_000_000, 10000, 3_000_000), ("bse", 1_000_001, 10000, 1_000_001),
    ("overseas", 1_000_001, 15000, 1_500_001), ("nyse-pink", 1, 10000, "board-not-eligible")])
def test_listing(board, municipal, bp, expected):
    ps = {**CLAIM, "award.listing.match_bp": Param(1, "award.listing.match_bp", bp, D(2022, 1, 1), "x")}
    try:
        assert claim_rules.listing_award("municipal_srdi", board, D(2024, 6, 1), municipal, ps, {}).amount_yuan == expected
    except rules.Ineligible as e:
        assert e.code == expected


def test_a_listing_awards_explanation_names_the_board_in_words():
    ps = {**CLAIM, "award.listing.match_bp": Param(1, "award.listing.match_bp", 10_000, D(2022, 1, 1), "x")}
    d = claim_rules.listing_award("municipal_srdi", "star", D(2024, 6, 1), 1_000_000, ps, {})
    assert "于科创板上市" in d.basis["explanation"] and "star" not in d.basis["explanation"]


def test_no_parameter_no_money():
    with pytest.raises(rules.Ineligible) as e:
        claim_rules.scenario_award("municipal_srdi", 100, D(2021, 6, 1), 0, {}, {})
    assert e.value.code == "no-parameter"


@pytest.mark.parametrize("on, expected", [
    (D(2024, 2, 29), "sme"), (D(2024, 3, 1), "municipal_srdi"), (D(2025, 6, 1), "national_little_giant"),
    (D(2026, 1, 1), "municipal_srdi"),    # the national title revoked from 2026-01-01
    (D(2027, 2, 28), "municipal_srdi"), (D(2027, 3, 1), "sme")])
def test_tier_on_a_date(on, expected):
    certs = [CertificationRecord(id=1, tier="municipal_srdi", recognized_on=D(2024, 3, 1), expires_on=D(2027, 2, 28)),
             CertificationRecord(id=2, tier="national_little_giant", recognized_on=D(2025, 1, 1),
                                 expires_on=D(2027, 12, 31), revoked_on=D(2026, 1, 1)),
             CertificationRecord(id=3, tier="single_champion", recognized_on=D(2024, 1, 1), expires_on=D(2027, 12, 31),
                                 revoked_on=D(2026, 6, 1), for_cause=True)]  # for cause: never counts
    assert rules.tier_on(certs, on) == expected


def test_first_time_and_renewals_by_date():
    c = [CertificationRecord(id=9, tier="municipal_srdi", recognized_on=D(2025, 5, 1), expires_on=D(2028, 4, 30)),
         CertificationRecord(id=3, tier="municipal_srdi", recognized_on=D(2022, 5, 1), expires_on=D(2025, 4, 30)),
         CertificationRecord(id=4, tier="national_little_giant", recognized_on=D(2024, 1, 1), expires_on=D(2026, 12, 31))]
    assert [rules.first_time_at(c, x) for x in c] == [False, True, True]  # recorded later, recognised earlier
    assert [rules.times_before(c, x) for x in c] == [1, 0, 0]


# -- the first-renewal award (2025 measures) -------------------------------------------------------
M2025 = {k: Param(200 + i, k, v, D(2025, 4, 28), "2025") for i, (k, v) in enumerate({
    "award.tier.municipal_srdi": 200000, "award.tier.national_little_giant": 500000,
    "award.tier.pay_first_renewal": True}.items())}


@pytest.mark.parametrize("tier, first, times_before, renewals, params, expected", [
    ("municipal_srdi", False, 1, [], M2025, 200000),                                   # first renewal
    ("municipal_srdi", False, 2, [], M2025, None),                                     # second renewal
    ("municipal_srdi", True, 0, [], M2025, None),                                      # first time: tier award
    ("national_little_giant", False, 1, [("municipal_srdi", 200000)], M2025, 300000),  # difference
    ("municipal_srdi", False, 1, [("national_little_giant", 500000)], M2025, None),
    ("municipal_little_giant", False, 1, [], M2025, None),                             # no parameter: no money
    ("municipal_srdi", False, 1, [], SEED, None),                                      # the seed pays once only
    ("municipal_srdi", False, 1, [], {**M2025, "award.tier.pay_first_renewal":
                                      Param(9, "award.tier.pay_first_renewal", False, D(2026, 1, 1), "x")}, None),
])
def test_renewal_award(tier, first, times_before, renewals, params, expected):
    f = facts(tier, first=first)
    d = rules.renewal_award(f, times_before, [(i, t, y) for i, (t, y) in enumerate(renewals)], params)
    assert (d.amount_yuan if d else None) == expected


def test_seed_and_2025_on_a_sample_history():
    """The two parameter sets on one history: SRDI 2022, renewal 2025, national 2025."""
    h = [rules.Promotion("U", 1, "municipal_srdi", D(2022, 5, 1), True),
         rules.Promotion("U", 2, "municipal_srdi", D(2025, 5, 1), False),
         rules.Promotion("U", 3, "national_little_giant", D(2025, 9, 1), True)]
    seed = sim.cost(sim.replay(h, {}, [], lambda _: SEED, D(2022, 1, 1), D(2025, 12, 31)))
    m25 = sim.cost(sim.replay(h, {}, [], lambda _: M2025, D(2022, 1, 1), D(2025, 12, 31)))
    assert seed["by_enterprise"] == {"U": 1_000_000}          # 300,000 + 700,000 top-up
    assert m25["by_enterprise"] == {"U": 200_000 + 200_000 + 300_000}
    in_2025 = sim.cost(sim.replay(h, {}, [], lambda _: M2025, D(2025, 1, 1), D(2025, 12, 31)))
    assert in_2025["total_yuan"] == 500_000                   # earlier awards still deducted, not costed


@pytest.mark.parametrize("key, value, ok", [
    ("award.tier.municipal_srdi", 200000, True), ("award.tier.municipal_srdi", 2.5, False),
    ("award.tier.municipal_srdi", True, False), ("award.tier.nobody", 1, False),
    ("award.tier.pay_first_renewal", True, True), ("award.tier.pay_first_renewal", "yes", False),
    ("award.scenario.rate_bp", 2000, True), ("award.scenario.rate_bp", 0.2, False),
    ("award.scenario.cap_yuan", 5_000_000, True), ("award.relocation.cutoff", "2022-01-01", True),
    ("award.relocation.cutoff", "2022-13-01", False),
    ("award.relocation.cutoff", "20220101", False), ("award.relocation.cutoff", "2022-W01-1", False),
    ("award.relocation.cutoff", "２０２２-01-01", False), ("award.claim.min_tier", "potential", True),
    ("award.claim.min_tier", "emperor", False), ("award.listing.boards", ["star"], True),
    ("award.listing.boards", [], False), ("award.made_up.amount", 1, False),
    ("award.recovery.due_days", 90, True), ("award.recovery.due_days", 0, False),
    ("award.recovery.due_days", 30.5, False), ("award.recovery.due_days", True, False),
])
def test_parameter_values(key, value, ok):
    assert (parameters.parameter_error(key, value) is None) == ok


def test_sample_year_2025():
    """The shipped parameter sets on six histories, costed for 2025 (docs/awards-policy-sets.md)."""
    P = rules.Promotion
    histories = {
        "A": ([P("A", 1, "municipal_srdi", D(2025, 6, 1), True)], 300_000, 200_000),
        "B": ([P("B", 2, "municipal_srdi", D(2022, 6, 1), True), P("B", 3, "municipal_srdi", D(2025, 6, 1), False)],
              0, 200_000),
        "C": ([P("C", 4, "municipal_srdi", D(2023, 3, 1), True),
               P("C", 5, "national_little_giant", D(2025, 8, 1), True)], 700_000, 300_000),
        "D": ([P("D", 6, "national_little_giant", D(2025, 8, 1), True)], 1_000_000, 500_000),
        "E": ([P("E", 7, "municipal_srdi", D(2024, 3, 1), True),
               P("E", 8, "municipal_little_giant", D(2025, 9, 1), True)], 200_000, 0),
        "F": ([P("F", 9, "national_little_giant", D(2022, 8, 1), True),
               P("F", 10, "national_little_giant", D(2025, 8, 1), False)], 0, 500_000),
    }
    everything = [p for ps, _, _ in histories.values() for p in ps]
    for name, column in (("seed_proposal", 1), ("fangshan_2025", 2)):
        params = shipped()[name]
        got = sim.cost(sim.replay(everything, {}, [], lambda _on: params, D(2025, 1, 1), D(2025, 12, 31)))
        assert {u: got["by_enterprise"].get(u, 0) for u in histories} == {u: h[column] for u, h in histories.items()}
    assert sum(h[1] for h in histories.values()) == 2_200_000 and sum(h[2] for h in histories.values()) == 1_700_000


def test_policy_validator_refuses_out_of_range_and_leaves_unknown_keys_to_shared():
    assert parameters.validate_policy_value("award.scenario.rate_bp", 2000) is None
    zh, en = parameters.validate_policy_value("award.scenario.rate_bp", 200_000)
    assert "basis points" in en and zh.startswith("参数值无效")
    assert parameters.validate_policy_value("award.claim.min_tier", "emperor") is not None
    assert parameters.validate_policy_value("award.lottery.amount", 1) is None  # shared.policy answers 404


def _incubation_params(value):
    return {} if value is None else {"award.incubation.per_enterprise":
                                     Param(7, "award.incubation.per_enterprise", value, D(2022, 1, 1), "seed 四")}


@pytest.mark.parametrize("value, expected", [
    (None, None),       # no parameter in force: no money
    (0, None),          # the seed: zero until the district sets an amount
    (100000, 100000),
    (1, 1),
])
def test_incubation_award(value, expected):
    d = rules.incubation_award("park-1", "U", "municipal_srdi", D(2024, 3, 1), 5, _incubation_params(value))
    assert (d.amount_yuan if d else None) == expected
    if d:
        assert (d.program, d.tier, d.basis["rule"]) == ("incubation", None, "incubation_award")
        assert d.basis["inputs"] == {"park_id": "park-1", "uscc": "U", "to_tier": "municipal_srdi",
                                     "recognized_on": "2024-03-01", "incubation_id": 5}
        assert [p["key"] for p in d.basis["parameters"]] == ["award.incubation.per_enterprise"]


@pytest.mark.parametrize("value, ok", [(0, True), (100000, True), (-1, False), (1.5, False), (True, False)])
def test_incubation_parameter_values(value, ok):
    assert (parameters.parameter_error("award.incubation.per_enterprise", value) is None) == ok


# -- a policy change mid-year, year boundaries and the cap across a period (replay) ----------------
def _dated(*versions):
    """params_on from dated versions [(from, {key: value})], the latest version on or before a date."""
    rows = [(frm, {k: Param(n * 100 + i, k, v, frm, f"v{n}") for i, (k, v) in enumerate(vals.items())})
            for n, (frm, vals) in enumerate(versions)]

    def on(day):
        merged = {}
        for frm, ps in rows:
            if frm <= day:
                merged.update(ps)
        return merged
    return on


MID_YEAR = _dated((D(2022, 1, 1), {**{k: p.value for k, p in SEED.items()}, **{k: p.value for k, p in CLAIM.items()}}),
                  (D(2025, 4, 28), {"award.tier.municipal_srdi": 200000, "award.tier.national_little_giant": 500000,
                                    "award.scenario.cap_yuan": 3_000_000}))


@pytest.mark.parametrize("history, expected", [
    # each promotion under the policy of its own date; the top-up deducts what was actually paid
    ([("municipal_srdi", D(2025, 3, 1))], [300000]),
    ([("municipal_srdi", D(2025, 4, 28))], [200000]),                                   # on the change day
    ([("municipal_srdi", D(2025, 3, 1)), ("national_little_giant", D(2025, 6, 1))], [300000, 200000]),
    ([("municipal_srdi", D(2025, 5, 1)), ("national_little_giant", D(2025, 6, 1))], [200000, 300000]),
    ([("municipal_srdi", D(2024, 12, 31)), ("municipal_little_giant", D(2025, 1, 1))], [300000, 200000]),
    ([("national_little_giant", D(2025, 3, 1)), ("municipal_srdi", D(2025, 6, 1))], [1000000]),  # jump, then nothing
])
def test_tier_awards_across_a_policy_change_mid_year(history, expected):
    promotions = [rules.Promotion("U", n, t, on, True) for n, (t, on) in enumerate(history, 1)]
    got = sim.replay(promotions, {}, [], MID_YEAR, D(2020, 1, 1), D(2030, 1, 1))
    assert [d.amount_yuan for _, _, d, _ in got] == expected
    for _, on, d, _ in got:  # the basis cites the version in force on the award's own date
        assert d.basis["parameters"][0]["effective_from"] == (D(2025, 4, 28) if on >= D(2025, 4, 28) and
                                                               d.tier != "municipal_little_giant"
                                                               else D(2022, 1, 1)).isoformat()


def _scenario(on, contract, sid=7, proposal=70):
    return sim.Claim("U", "scenario", on, {"scenario_id": sid, "proposal_id": proposal, "contract_yuan": contract},
                       tier="municipal_srdi")


@pytest.mark.parametrize("claims, start, end, expected", [
    # the whole of 2024: 2,000,000 then the remainder 3,000,000 of the 5,000,000 cap, then nothing
    ([(D(2024, 3, 1), 10_000_000), (D(2024, 8, 1), 20_000_000), (D(2024, 12, 31), 1_000_000)],
     D(2024, 1, 1), D(2024, 12, 31), [2_000_000, 3_000_000]),
    # a period starting mid-year: the claim before it is not costed but still used the cap
    ([(D(2024, 3, 1), 10_000_000), (D(2024, 8, 1), 20_000_000)], D(2024, 7, 1), D(2024, 12, 31), [3_000_000]),
    # the year boundary: 1 January starts a fresh cap
    ([(D(2024, 12, 31), 25_000_000), (D(2025, 1, 1), 1_000_000)], D(2024, 1, 1), D(2025, 3, 1),
     [5_000_000, 200_000]),
    # the lower cap in force from 2025-04-28 counts what the year's earlier claims used
    ([(D(2025, 2, 1), 10_000_000), (D(2025, 6, 1), 10_000_000)], D(2025, 1, 1), D(2025, 12, 31),
     [2_000_000, 1_000_000]),
])
def test_scenario_cap_in_replay(claims, start, end, expected):
    got = sim.replay([], {}, [_scenario(on, c) for on, c in claims], MID_YEAR, start, end)
    assert [d.amount_yuan for _, _, d, _ in got] == expected


@pytest.mark.parametrize("program, tier, ok", [
    ("scenario", "sme", False), ("scenario", "potential", False), ("scenario", "municipal_srdi", True),
    ("ecosystem", "innovative", False), ("ecosystem", "national_little_giant", True),
    ("listing", "sme", False), ("listing", "single_champion", True)])
def test_claim_still_eligible_after_a_revocation(program, tier, ok):
    why = claim_rules.claim_still_eligible(program, tier, D(2024, 6, 1), CLAIM)
    assert (why is None) == ok
    if why:
        assert tier in why and "/" in why


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("北京某咨询有限公司", "北京某咨询有限公司"), (300000, 300000), ("", "")])
def test_export_cells_never_run_as_formulas(value, expected):
    assert sheets.safe_cell(value) == expected


def test_exported_files_hold_text_not_formulas():
    import io

    import openpyxl

    rows = [[1, "2024-03-01", "=1+1", 300000]]
    sheet = openpyxl.load_workbook(io.BytesIO(sheets.xlsx(sheets.Sheet("t", ["a", "b", "c", "d"], rows)))).active
    cell = sheet.cell(row=2, column=3)
    assert cell.data_type == "s" and cell.value == "'=1+1"
    assert sheet.cell(row=2, column=4).value == 300000
    assert "'=1+1" in sheets.csv(["a", "b", "c", "d"], rows).decode("utf-8-sig")


def test_replay_costs_every_programme():
    """The what-if's replay costs featured-park and incubation awards too, by the same rules as the
    live path: the first featured park only (ever), one incubation award per park and enterprise (the
    first promotion under a positive amount), and relocation by the origin's code."""
    ps = {**SEED, **CLAIM, "award.incubation.per_enterprise": Param(7, "award.incubation.per_enterprise", 50_000,
                                                                   D(2022, 1, 1), "x")}
    designations = [sim.Designation("park-b", "srdi_featured", D(2024, 5, 1)),
                    sim.Designation("park-a", "srdi_featured", D(2023, 5, 1)),
                    sim.Designation("park-c", "other", D(2022, 5, 1))]
    incubations = [sim.Incubation("park-a", "U", "municipal_srdi", D(2024, 3, 1), 1),
                   sim.Incubation("park-a", "U", "national_little_giant", D(2025, 3, 1), 1),
                   sim.Incubation("park-b", "V", "municipal_srdi", D(2024, 6, 1), 2)]
    promotions = [rules.Promotion("U", 1, "municipal_srdi", D(2024, 3, 1), True)]
    facts_ = {"U": {"relocated_on": D(2023, 1, 1), "relocated_from_code": "130600", "introducer": "某咨询"}}
    contracts = [_scenario(D(2024, 6, 1), 1_000_000), _scenario(D(2024, 7, 1), 1_000_000, proposal=None),
                 sim.Claim("U", "ecosystem", D(2024, 6, 1), {"contract_yuan": 1_000_000}, tier="municipal_srdi",
                             buyer_in_district=False)]
    got = sim.cost(sim.replay(promotions, facts_, contracts, lambda _: ps, D(2022, 1, 1), D(2025, 12, 31),
                                  designations, incubations))
    assert got["by_program"] == {"tier": 300_000, "relocation": 200_000, "introducer": 200_000,
                                 "scenario": 200_000, "featured_park": 3_000_000, "incubation": 100_000}
    assert got["by_enterprise"]["park-a"] == 3_000_000 + 50_000 and got["by_enterprise"]["park-b"] == 50_000
    # A period after the first designation: it is not costed, and no later park becomes the first.
    later = sim.cost(sim.replay([], {}, [], lambda _: ps, D(2024, 1, 1), D(2025, 12, 31), designations, []))
    assert later["by_program"] == {}


def _earned(key: str, yuan: int) -> rules.Earned:
    return rules.Earned(key, 1, dt.date(2024, 1, 1), rules.Decision("tier", yuan, {"rule": "t"}), "U", "enterprise")


# What stands beyond what the sound history earns after a revocation: unpaid awards withdrawn newest
# first until within it; paid ones flagged only when the unpaid cannot bring it within.
@pytest.mark.parametrize("earned, standing, expected", [
    ([("tier:U:a", 300_000), ("tier:U:b", 200_000)], [(1, "tier:U:b", 500_000, "computed")], ([], [])),  # within
    ([("tier:U:a", 300_000), ("tier:U:b", 200_000)],
     [(1, "tier:U:b", 500_000, "computed"), (2, "tier:U:a", 300_000, "computed")], ([2], [])),  # newest goes
    ([("tier:U:a", 300_000), ("tier:U:b", 200_000)],
     [(1, "tier:U:b", 500_000, "approved"), (2, "tier:U:a", 300_000, "disbursed")], ([1], [])),  # the unpaid one
    ([("tier:U:a", 300_000)],
     [(1, "tier:U:b", 500_000, "disbursed"), (2, "tier:U:a", 300_000, "disbursed")], ([], [2, 1])),  # paid: flagged
    ([("tier:U:a", 300_000), ("relocation:U", 200_000)],
     [(1, "relocation:U", 200_000, "computed"), (2, "tier:U:a", 300_000, "computed")], ([], [])),  # per family
    ([], [(1, "relocation:U", 200_000, "settled_outside")], ([], [])),  # settled outside: neither
])
def test_over_earned(earned, standing, expected):
    assert rules.over_earned([_earned(k, y) for k, y in earned], standing) == expected


@pytest.mark.parametrize("state, allowed", [
    ("computed", {"review": ["econ"], "reject": ["econ", "treasury"]}),
    ("reviewed", {"approve": ["treasury"], "reject": ["econ", "treasury"]}),
    ("approved", {"disburse": ["treasury"], "reject": ["econ", "treasury"]}),
    ("disbursed", {}), ("rejected", {}), ("clawed_back", {}), ("settled_outside", {}), ("withheld", {}),
])
def test_the_actions_an_award_allows_are_those_next_state_lets_through(state, allowed):
    """What an award answers as `actions` (what the portal offers) is exactly what the workflow lets
    happen: every other action and role is refused by next_state."""
    assert workflow_rules.actions(state) == allowed
    for action in workflow_rules.TRANSITIONS:
        for role in ("econ", "treasury", "auditor", "park"):
            ok = isinstance(workflow_rules.next_state(action, state, role), str)
            assert ok == (role in allowed.get(action, [])), (action, role)
