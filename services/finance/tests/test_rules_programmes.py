"""Table tests of the pure rules added for issue 5: listing stages and progress, the guidance fund's
SRDI share, and 首贷贴息 from repayment records, quarter by quarter, with the rate switching on the
certification date (the worked examples of services/finance/README.md)."""
import calendar
import datetime as dt

import pytest

from services.finance import rules
from services.finance.rules import InterestPayment, Investment, PipelineFacts, SubsidyTerms

D = dt.date
SRDI = "municipal_srdi"
TERMS = SubsidyTerms(rate_bp=2000, cap_bp=100, certified_rate_bp=4000, certified_cap_bp=200,
                     certified_min_tier=SRDI, max_loan_yuan=20_000_000)
R, C, A, G, L = rules.STAGES


@pytest.mark.parametrize("reached, stage, on, board, error", [
    ({}, R, D(2024, 1, 1), None, None),
    ({}, C, D(2024, 1, 1), None, "stage-out-of-order"),
    ({R: D(2024, 1, 1)}, R, D(2024, 2, 1), None, "stage-recorded"),
    ({R: D(2024, 1, 1)}, C, D(2023, 12, 31), None, "stage-date-order"),
    ({R: D(2024, 1, 1)}, C, D(2024, 1, 1), None, None),                 # same day is fine
    ({R: D(2024, 1, 1)}, A, D(2024, 6, 1), None, "stage-out-of-order"),  # 辅导备案 skipped
    ({R: D(2024, 1, 1), C: D(2024, 2, 1), A: D(2024, 3, 1), G: D(2024, 9, 1)}, L, D(2024, 10, 1), None,
     "board-required"),
    ({R: D(2024, 1, 1), C: D(2024, 2, 1), A: D(2024, 3, 1), G: D(2024, 9, 1)}, L, D(2024, 10, 1), "star", None),
])
def test_stage_error(reached, stage, on, board, error):
    assert rules.stage_error(reached, stage, on, board) == error


def test_listing_progress():
    ps = [PipelineFacts("A", "star", {R: D(2023, 1, 1), C: D(2023, 6, 1), A: D(2024, 1, 1), G: D(2024, 8, 1),
                                      L: D(2024, 9, 1)}),
          PipelineFacts("B", None, {R: D(2023, 2, 1), C: D(2024, 2, 1)}),
          PipelineFacts("C", None, {R: D(2024, 12, 31)})]
    p24 = rules.listing_progress(ps, 2024)
    assert p24["coached_to_listing"] == 1 and p24["reached"][L]["usccs"] == ["A"]
    assert p24["reached"][C]["usccs"] == ["B"] and p24["reached"][R]["usccs"] == ["C"]
    assert p24["in_pipeline_usccs"] == ["B"]  # A listed in 2024; C not coached yet
    p23 = rules.listing_progress(ps, 2023)
    assert p23["coached_to_listing"] == 0 and p23["in_pipeline_usccs"] == ["A"]
    assert rules.listing_progress([], 2024)["in_pipeline"] == 0


@pytest.mark.parametrize("invs, total, srdi, share, meets", [
    ([], 0, 0, 0, False),
    ([Investment("a", D(2025, 1, 1), SRDI)], 1, 1, 10_000, True),
    ([Investment("a", D(2025, 1, 1), SRDI)] + [Investment(x, D(2025, 1, 1), "sme") for x in "bc"],
     3, 1, 3333, True),                                                      # 33.33 % ≥ 30 %
    ([Investment("a", D(2025, 1, 1), SRDI)] + [Investment(x, D(2025, 1, 1), "innovative") for x in "bcd"],
     4, 1, 2500, False),
    # 3 of 10 is exactly 30 %: meets the floor
    ([Investment(x, D(2025, 1, 1), "national_little_giant") for x in "abc"]
     + [Investment(x, D(2025, 1, 1), "potential") for x in "defghij"], 10, 3, 3000, True),
    # 2 of 7 (28.57 %): below
    ([Investment(x, D(2025, 1, 1), SRDI) for x in "ab"] + [Investment(x, D(2025, 1, 1), "sme") for x in "cdefg"],
     7, 2, 2857, False),
    # several investments in one enterprise count it once; SRDI if it was SRDI at any of them
    ([Investment("a", D(2024, 1, 1), "sme"), Investment("a", D(2025, 1, 1), SRDI),
      Investment("b", D(2024, 1, 1), "sme"), Investment("b", D(2024, 6, 1), "sme")], 2, 1, 5000, True),
])
def test_srdi_share(invs, total, srdi, share, meets):
    got = rules.srdi_share(invs, SRDI, 3000)
    assert (got["enterprises"], got["srdi_enterprises"], got["share_bp"], got["meets_floor"]) == (total, srdi, share, meets)
    assert len(got["items"]) == total


@pytest.mark.parametrize("drawn, end", [
    (D(2025, 7, 15), D(2026, 7, 14)), (D(2025, 1, 1), D(2025, 12, 31)), (D(2024, 2, 29), D(2025, 2, 27)),
    (D(2025, 12, 31), D(2026, 12, 30)),
])
def test_first_year_end(drawn, end):
    assert rules.first_year_end(drawn) == end


@pytest.mark.parametrize("tiers, intervals", [
    ([(D(2020, 1, 1), "sme")], []),
    ([(D(2020, 1, 1), "sme"), (D(2025, 11, 1), SRDI)], [(D(2025, 11, 1), None)]),
    ([(D(2020, 1, 1), SRDI), (D(2025, 3, 1), "national_little_giant"), (D(2026, 1, 1), "sme")],
     [(D(2020, 1, 1), D(2025, 12, 31))]),
    ([(D(2020, 1, 1), "sme"), (D(2025, 1, 1), SRDI), (D(2025, 6, 1), "innovative"), (D(2025, 9, 1), SRDI)],
     [(D(2025, 1, 1), D(2025, 5, 31)), (D(2025, 9, 1), None)]),
])
def test_certified_intervals(tiers, intervals):
    assert rules.certified_intervals(tiers, SRDI) == intervals


@pytest.mark.parametrize("pay, cert, parts", [
    # 30 days at 1,000 a day, none certified
    (InterestPayment(D(2025, 8, 14), D(2025, 7, 15), D(2025, 8, 13), 30_000), [], (30_000, 0)),
    # certified from day 11 of the period: 20 days at the certified rate
    (InterestPayment(D(2025, 8, 14), D(2025, 7, 15), D(2025, 8, 13), 30_000), [(D(2025, 7, 25), None)],
     (10_000, 20_000)),
    # a period running past the first year (ends 2026-07-14): only 14 of 31 days count
    (InterestPayment(D(2026, 8, 1), D(2026, 7, 1), D(2026, 7, 31), 31_000), [], (14_000, 0)),
    # wholly after the first year
    (InterestPayment(D(2026, 9, 1), D(2026, 8, 1), D(2026, 8, 31), 31_000), [(D(2020, 1, 1), None)], (0, 0)),
    # rounding: 100 元 over 3 days, 1 certified day: 33 certified, 66 ordinary (never more than paid)
    (InterestPayment(D(2025, 7, 18), D(2025, 7, 15), D(2025, 7, 17), 100), [(D(2025, 7, 17), None)], (67, 33)),
])
def test_split_interest(pay, cert, parts):
    assert rules.split_interest(pay, D(2025, 7, 15), cert) == parts


def monthly(drawn_on: dt.date, per_day: int) -> list[InterestPayment]:
    """Interest paid at the end of every month of the first year, `per_day` 元 a day."""
    out, start, end = [], drawn_on, rules.first_year_end(drawn_on)
    while start <= end:
        last = min(D(start.year, start.month, calendar.monthrange(start.year, start.month)[1]), end)
        out.append(InterestPayment(last, start, last, ((last - start).days + 1) * per_day))
        start = last + dt.timedelta(days=1)
    return out


def test_worked_example_rate_switching_on_the_certification_date():
    """README example 1: 10,000,000 元 drawn 2025-07-15 at 3.65 % (1,000 元 a day), interest paid
    monthly; certified (municipal SRDI) on 2025-11-01. 109 days at 20 %, 256 days at 40 %."""
    cert = rules.certified_intervals([(D(2020, 1, 1), "innovative"), (D(2025, 11, 1), SRDI)], SRDI)
    got = rules.subsidy_schedule(D(2025, 7, 15), 10_000_000, True, monthly(D(2025, 7, 15), 1_000), cert, TERMS)
    assert [(q["quarter"], q["amount_yuan"]) for q in got["quarters"]] == [
        ("2025Q3", 15_600), ("2025Q4", 30_600), ("2026Q1", 36_000), ("2026Q2", 36_400), ("2026Q3", 5_600)]
    assert got["total_yuan"] == 124_200 == 109_000 * 20 // 100 + 256_000 * 40 // 100
    assert got["quarters"][0]["payable_from"] == "2025-10-01"


def test_worked_example_caps():
    """README example 2: 2,000,000 元 drawn 2025-01-01 at 10 % (200,000 a year, ≈548 元 a day).
    Uncertified: 20 % = 40,000 capped at 1 % = 20,000. Certified all year: 40 % = 80,000 capped
    at 2 % = 40,000. Certified from 2025-07-01: ordinary part capped at 20,000, whole at 40,000."""
    pays = [InterestPayment(D(2025, 6, 30), D(2025, 1, 1), D(2025, 6, 30), 99_178),
            InterestPayment(D(2025, 12, 31), D(2025, 7, 1), D(2025, 12, 31), 100_822)]
    none = rules.subsidy_schedule(D(2025, 1, 1), 2_000_000, True, pays, [], TERMS)
    assert [q["amount_yuan"] for q in none["quarters"]] == [19_835, 165] and none["total_yuan"] == 20_000
    full = rules.subsidy_schedule(D(2025, 1, 1), 2_000_000, True, pays, [(D(2020, 1, 1), None)], TERMS)
    assert [q["amount_yuan"] for q in full["quarters"]] == [39_671, 329] and full["total_yuan"] == 40_000
    half = rules.subsidy_schedule(D(2025, 1, 1), 2_000_000, True, pays, [(D(2025, 7, 1), None)], TERMS)
    # H1: 99,178 × 20 % = 19,835; H2: 19,835 + 100,822 × 40 % = 19,835 + 40,328 → capped at 40,000
    assert [q["amount_yuan"] for q in half["quarters"]] == [19_835, 20_165] and half["total_yuan"] == 40_000


def test_a_late_record_is_made_good_in_its_own_quarter_and_nothing_doubles():
    drawn = D(2025, 7, 15)
    pays = monthly(drawn, 1_000)
    once = rules.subsidy_schedule(drawn, 10_000_000, True, pays, [], TERMS)
    twice_sorted = rules.subsidy_schedule(drawn, 10_000_000, True, list(reversed(pays)), [], TERMS)
    assert once == twice_sorted  # order of the records does not matter
    assert once["total_yuan"] == 365_000 * 20 // 100
    assert sum(q["amount_yuan"] for q in once["quarters"]) == once["total_yuan"]


@pytest.mark.parametrize("first, drawn, reason", [
    (False, 10_000_000, "not-first-loan"), (True, 20_000_001, "loan-above-maximum"), (True, 20_000_000, None)])
def test_ineligible_loans_get_nothing(first, drawn, reason):
    pay = [InterestPayment(D(2025, 9, 30), D(2025, 7, 15), D(2025, 9, 30), 100_000)]
    got = rules.subsidy_schedule(D(2025, 7, 15), drawn, first, pay, [], TERMS)
    assert got["reason"] == reason and (got["total_yuan"] == 0) == (reason is not None)
