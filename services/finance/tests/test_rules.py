"""Table-driven tests of the finance service's pure rules."""
import datetime as dt
import itertools

import pytest

from services.finance import rules
from services.finance.rules import Fact, Listing, RiskTerms, Step, SubsidyTerms
from shared.tiers import rank

D = dt.date
SRDI, MLG, NLG = "municipal_srdi", "municipal_little_giant", "national_little_giant"


TODAY = D(2026, 11, 24)
DEFAULT = [(D(2022, 1, 1), SRDI)]


def f(version, from_tier, to_tier, on):
    kind = "registered" if from_tier is None else "promoted" if rank(to_tier) > rank(from_tier) else "demoted"
    return Fact("91110111MA00000000", version, kind, from_tier, to_tier, on, "测试企业", f"e{version}")


REG = f(1, None, "sme", D(2024, 1, 10))
UP = f(2, "sme", SRDI, D(2024, 3, 1))
UP2 = f(3, SRDI, NLG, D(2025, 2, 1))
DOWN = f(4, NLG, "sme", D(2025, 9, 1))
BACK = f(5, "sme", SRDI, D(2026, 1, 15))


@pytest.mark.parametrize("facts, expected", [
    ([], Listing("sme", False, None, None)),
    ([REG], Listing("sme", False, None, None)),
    ([REG, UP], Listing(SRDI, True, D(2024, 3, 1), None)),
    ([REG, UP, UP2], Listing(NLG, True, D(2024, 3, 1), None)),             # rising within the list keeps `since`
    ([REG, UP, UP2, DOWN], Listing("sme", False, D(2024, 3, 1), D(2025, 9, 1))),
    ([REG, UP, UP2, DOWN, BACK], Listing(SRDI, True, D(2026, 1, 15), None)),  # back: a new period
    ([REG, f(2, "sme", "innovative", D(2024, 3, 1))], Listing("innovative", False, None, None)),
    ([REG, f(2, "sme", "potential", D(2024, 3, 1))], Listing("potential", False, None, None)),
    # a demotion that stays on the list (the little giant title lapses, the SRDI title still holds)
    ([REG, UP, UP2, f(4, NLG, SRDI, D(2025, 9, 1))], Listing(SRDI, True, D(2024, 3, 1), None)),
    # gaps: the event's own from_tier says what it held before
    ([UP2], Listing(NLG, True, D(2025, 2, 1), None)),                      # its earlier promotion not yet here
    ([DOWN], Listing("sme", False, None, D(2025, 9, 1))),                  # removed; the start unknown
    ([REG, DOWN], Listing("sme", False, None, D(2025, 9, 1))),
    ([UP, DOWN, BACK], Listing(SRDI, True, D(2026, 1, 15), None)),
    # registered today, certified with an earlier recognition date
    ([f(1, None, "sme", TODAY), f(2, "sme", SRDI, D(2025, 6, 1))], Listing(SRDI, True, D(2025, 6, 1), None)),
])
def test_listing(facts, expected):
    assert rules.listing(facts, DEFAULT, TODAY) == expected


@pytest.mark.parametrize("facts", [[REG, UP, UP2, DOWN, BACK], [REG, UP, DOWN], [UP, UP2]])
def test_listing_ignores_arrival_order_and_repeats(facts):
    want = rules.listing(facts, DEFAULT, TODAY)
    for perm in itertools.permutations(facts):
        assert rules.listing(perm, DEFAULT, TODAY) == want
    assert rules.listing(facts + facts[::-1], DEFAULT, TODAY) == want


def test_step_by_step_equals_listing():
    state = Listing()
    for x in [REG, UP, UP2, DOWN, BACK]:
        state = rules.step(state, Step(x.from_tier, x.to_tier, x.on, SRDI))
    assert state == rules.listing([BACK, DOWN, UP2, UP, REG], DEFAULT, TODAY)


@pytest.mark.parametrize("history, on, value", [
    ([(D(2022, 1, 1), SRDI)], D(2021, 6, 1), SRDI),    # before the first row, the first row applies
    ([(D(2022, 1, 1), SRDI)], D(2022, 1, 1), SRDI),
    ([(D(2022, 1, 1), SRDI), (D(2027, 1, 1), MLG)], D(2026, 12, 31), SRDI),
    ([(D(2022, 1, 1), SRDI), (D(2027, 1, 1), MLG)], D(2027, 1, 1), MLG),
])
def test_value_on(history, on, value):
    assert rules.value_on(history, on) == value


def test_value_on_needs_a_row():
    with pytest.raises(LookupError):
        rules.value_on([], D(2024, 1, 1))


RAISED = [(D(2022, 1, 1), SRDI), (D(2026, 7, 1), MLG)]
LOWERED = [(D(2022, 1, 1), SRDI), (D(2026, 7, 1), "innovative")]
INNOV = f(2, "sme", "innovative", D(2024, 3, 1))


@pytest.mark.parametrize("facts, history, today, expected", [
    # raised after the last fact: off the list from the change's date
    ([REG, UP], RAISED, TODAY, Listing(SRDI, False, D(2024, 3, 1), D(2026, 7, 1))),
    ([REG, UP], RAISED, D(2026, 6, 30), Listing(SRDI, True, D(2024, 3, 1), None)),  # not in force yet
    ([REG, UP, UP2], RAISED, TODAY, Listing(NLG, True, D(2024, 3, 1), None)),       # a little giant stays
    # raised between two facts: the SRDI period ends, the later little-giant title starts a new one
    ([REG, UP, f(3, SRDI, NLG, D(2026, 9, 1))], RAISED, TODAY, Listing(NLG, True, D(2026, 9, 1), None)),
    # a fact after the change is judged by the new threshold
    ([REG, f(2, "sme", SRDI, D(2026, 8, 1))], RAISED, TODAY, Listing(SRDI, False, None, None)),
    # lowered: an innovative SME joins from the change's date
    ([REG, INNOV], LOWERED, TODAY, Listing("innovative", True, D(2026, 7, 1), None)),
    ([REG, f(2, "sme", "innovative", D(2026, 8, 1))], LOWERED, TODAY,
     Listing("innovative", True, D(2026, 8, 1), None)),
])
def test_threshold_changes(facts, history, today, expected):
    assert rules.listing(facts, history, today) == expected


@pytest.mark.parametrize("facts, on, tier", [
    ([REG, UP, UP2, DOWN], D(2024, 2, 29), "sme"),
    ([REG, UP, UP2, DOWN], D(2024, 3, 1), SRDI),
    ([REG, UP, UP2, DOWN], D(2025, 6, 1), NLG),
    ([REG, UP, UP2, DOWN], D(2025, 9, 1), "sme"),
    ([], D(2025, 9, 1), "sme"),
])
def test_tier_on(facts, on, tier):
    assert rules.tier_on(facts, on) == tier


TERMS = SubsidyTerms(rate_bp=2000, cap_bp=100, certified_rate_bp=4000, certified_cap_bp=200,
                     certified_min_tier=SRDI, max_loan_yuan=20_000_000)


@pytest.mark.parametrize("interest, drawn, tier, first, amount, reason", [
    (100_000, 10_000_000, "sme", True, 20_000, None),            # 20 % of interest, under the 1 % cap
    (600_000, 10_000_000, "sme", True, 100_000, None),           # 120,000 capped at 1 % of 10,000,000
    (100_000, 10_000_000, "innovative", True, 20_000, None),     # below the certified tier
    (100_000, 10_000_000, SRDI, True, 40_000, None),             # certified: 40 %
    (600_000, 10_000_000, NLG, True, 200_000, None),             # 240,000 capped at 2 %
    (12_347, 10_000_000, "sme", True, 2_469, None),              # 2,469.4 rounds down
    (12_347, 10_000_000, SRDI, True, 4_938, None),               # 4,938.8 rounds down
    (500_000, 1_234_567, "sme", True, 12_345, None),             # cap 12,345.67 rounds down
    (0, 1_000_000, SRDI, True, 0, None),
    (100_000, 10_000_000, SRDI, False, 0, "not-first-loan"),
    (100_000, 20_000_000, SRDI, True, 40_000, None),             # exactly at the maximum loan
    (100_000, 20_000_001, SRDI, True, 0, "loan-above-maximum"),
])
def test_first_loan_subsidy(interest, drawn, tier, first, amount, reason):
    """A whole first year's interest paid in one record, the tier constant all year."""
    drawn_on = D(2025, 7, 15)
    pay = rules.InterestPayment(D(2026, 7, 14), drawn_on, D(2026, 7, 14), interest)
    cert = rules.certified_intervals([(D(2020, 1, 1), tier)], SRDI)
    got = rules.subsidy_schedule(drawn_on, drawn, first, [pay], cert, TERMS)
    assert (got["total_yuan"], got["reason"], got["eligible"]) == (amount, reason, reason is None)
    assert isinstance(got["total_yuan"], int)
    assert [q["quarter"] for q in got["quarters"]] == ["2026Q3"]


RISK = RiskTerms(guarantor_share_bp=8000, bank_share_min_bp=2000, compensation_bp=3000, srdi_compensation_bp=4000,
                 srdi_min_tier=SRDI)


@pytest.mark.parametrize("outstanding, guaranteed, tier, bank, guarantor, comp, comp_bank", [
    (1_000_000, True, "sme", 200_000, 800_000, 300_000, 60_000),
    (1_000_000, True, SRDI, 200_000, 800_000, 400_000, 80_000),
    (1_000_000, True, NLG, 200_000, 800_000, 400_000, 80_000),   # little giants: 40 % too
    (1_000_000, False, SRDI, 1_000_000, 0, 400_000, 400_000),    # no guarantee: the bank bears it all
    (1_000_000, False, "innovative", 1_000_000, 0, 300_000, 300_000),
    (999_999, True, "sme", 200_000, 799_999, 299_999, 60_000),   # guarantor's 799,999.2 rounds down
    (0, True, SRDI, 0, 0, 0, 0),
])
def test_npl_split(outstanding, guaranteed, tier, bank, guarantor, comp, comp_bank):
    got = rules.npl_split(outstanding, guaranteed, tier, RISK)
    assert (got.bank_yuan, got.guarantor_yuan, got.compensation_yuan) == (bank, guarantor, comp)
    assert got.compensation_to_bank_yuan == comp_bank
    assert got.bank_yuan + got.guarantor_yuan == outstanding
    assert got.compensation_to_bank_yuan + got.compensation_to_guarantor_yuan == comp
    assert got.bank_yuan * rules.BP >= outstanding * RISK.bank_share_min_bp


def test_npl_split_refuses_terms_that_leave_the_bank_too_little():
    with pytest.raises(ValueError):
        rules.npl_split(1_000, True, "sme", RiskTerms(8500, 2000, 3000, 4000, SRDI))
    with pytest.raises(ValueError):
        rules.npl_split(-1, True, "sme", RISK)
