"""Screening: the seeded criteria (2022 rules, 2026 revision) with worked examples at each edge."""
import importlib.util
from fractions import Fraction
from pathlib import Path

import pytest

from services.registry.screening import criteria as interpreter

_path = next((Path(__file__).parents[2] / "migrations" / "versions").glob("*_indicators.py"))
_spec = importlib.util.spec_from_file_location("registry_criteria", _path)
criteria = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(criteria)

GAP = Fraction(1, 5)
SRDI_OK = {"years_in_niche": 2, "rd_spend_yuan": 1_000_000, "revenue_yuan": 30_000_000, "srdi_score": 60}


def facts(cur: dict, prev: dict | None = None, prev2: dict | None = None, held=()):
    years = {2024: cur, **({2023: prev} if prev else {}), **({2022: prev2} if prev2 else {})}
    return interpreter.derive_facts(years, 2024, set(held))


def srdi(**change):
    return facts({**SRDI_OK, **change})


@pytest.mark.parametrize("cur, status, failing", [
    (SRDI_OK, "met", []),                                                              # every edge exactly met
    ({**SRDI_OK, "years_in_niche": 1}, "not_met", ["niche_years"]),                   # 1 of 2 years: 50 % off
    ({**SRDI_OK, "rd_spend_yuan": 999_999}, "near", ["rd_spend"]),                      # a yuan short
    ({**SRDI_OK, "revenue_yuan": 33_333_334}, "near", ["rd_ratio"]),                   # 2.99999997 % < 3 %
    ({**SRDI_OK, "revenue_yuan": 33_333_333}, "met", []),                              # 3.00000003 % ≥ 3 %
    ({**SRDI_OK, "revenue_yuan": 9_999_999, "rd_spend_yuan": 1_000_000}, "near", ["revenue"]),  # 10.0000001 % R&D
    ({**SRDI_OK, "revenue_yuan": 9_999_999, "equity_raised_yuan": 20_000_000}, "met", []),     # equity instead
    ({**SRDI_OK, "srdi_score": 59}, "near", ["srdi_score"]),
    ({k: v for k, v in SRDI_OK.items() if k != "srdi_score"}, "not_met", ["rd_2y_avg"]),  # score missing: nearest route shown
])
def test_srdi_2022_edges(cur, status, failing):
    got, gaps = interpreter.classify(criteria.SRDI_2022, facts(cur), 2, GAP)
    assert (got, [g.id for g in gaps]) == (status, failing)


def test_srdi_direct_condition_replaces_the_score():
    cur = {**SRDI_OK, "srdi_score": None, "rd_spend_yuan": 10_000_000, "revenue_yuan": 200_000_000}
    prev = {"rd_spend_yuan": 10_000_000, "revenue_yuan": 200_000_000}
    assert interpreter.classify(criteria.SRDI_2022, facts({k: v for k, v in cur.items() if v is not None}, prev), 2, GAP)[0] == "met"
    prev = {"rd_spend_yuan": 9_999_998, "revenue_yuan": 200_000_000}  # 2-year average 9,999,999
    status, gaps = interpreter.classify(criteria.SRDI_2022, facts({k: v for k, v in cur.items() if v is not None}, prev), 2, GAP)
    assert status == "near" and gaps[0].id == "rd_2y_avg" and gaps[0].as_dict()["gap"] == 1


def test_2026_revision_is_stricter():
    at_2026_edges = facts({**SRDI_OK, "years_in_niche": 3, "main_business_share_pct": "80", "revenue_yuan": 15_000_000})
    assert interpreter.classify(criteria.SRDI_2026, at_2026_edges, 2, GAP) == ("met", [])
    status, gaps = interpreter.classify(criteria.SRDI_2026, srdi(), 2, GAP)  # met the 2022 rules exactly
    assert status == "not_met" and [g.id for g in gaps] == ["niche_years", "main_share"]
    f = facts({**SRDI_OK, "years_in_niche": 3, "main_business_share_pct": "79.9", "revenue_yuan": 14_999_999})
    status, gaps = interpreter.classify(criteria.SRDI_2026, f, 2, GAP)
    assert status == "near" and [g.id for g in gaps] == ["main_share", "revenue"]


NLG = {"years_in_niche": 3, "main_business_share_pct": "70", "debt_ratio_pct": "70", "niche_market_share_pct": "10",
       "ip_class1": 2, "revenue_yuan": 100_000_000, "rd_spend_yuan": 3_000_000}
NLG_PREV = {"main_business_share_pct": "70", "revenue_yuan": 100_000_000 * 100 // 105 + 1, "rd_spend_yuan": 3_000_000}


@pytest.mark.parametrize("cur, prev, held, status, failing", [
    ({**NLG}, {"main_business_share_pct": "70", "revenue_yuan": 95_238_095, "rd_spend_yuan": 2_800_000},
     ["municipal_srdi"], "near", ["growth", "rd3_prev"]),  # growth 5.0 % then 4.8 %: average 4.9 %
    ({**NLG, "debt_ratio_pct": "70.0001"}, None, ["municipal_srdi"], "not_met", None),
    ({**NLG}, None, [], "not_met", None),                                                 # no SRDI title
])
def test_national_little_giant_2022(cur, prev, held, status, failing):
    prev2 = {"main_business_share_pct": "70", "revenue_yuan": 90_876_045}
    got, gaps = interpreter.classify(criteria.NLG_2022, facts(cur, prev, prev2, held), 2, GAP)
    assert got == status
    if failing is not None:
        assert [g.id for g in gaps] == failing


def test_national_little_giant_met_at_every_edge():
    # growth: main-business revenue 70 M → 73.5 M → 77.175 M: exactly 5 % each year
    cur = {**NLG, "revenue_yuan": 110_250_000}
    prev = {"main_business_share_pct": "70", "revenue_yuan": 105_000_000, "rd_spend_yuan": 3_150_000}
    prev2 = {"main_business_share_pct": "70", "revenue_yuan": 100_000_000}
    cur["rd_spend_yuan"] = 3_307_500  # exactly 3 %
    f = facts(cur, prev, prev2, ["municipal_srdi"])
    assert f["main_growth_2y_avg_pct"] == 5
    assert interpreter.classify(criteria.NLG_2022, f, 2, GAP) == ("met", [])
    f = facts({**cur, "debt_ratio_pct": "70.01"}, prev, prev2, ["municipal_srdi"])
    status, gaps = interpreter.classify(criteria.NLG_2022, f, 2, GAP)
    assert status == "near" and gaps[0].as_dict()["gap"] == 0.01


def test_small_enterprise_route_needs_equity_rd_and_staff():
    cur = {**NLG, "revenue_yuan": 40_000_000, "rd_spend_yuan": 15_000_000, "equity_raised_yuan": 40_000_000,
           "staff": 100, "rd_staff": 50}
    prev = {"main_business_share_pct": "70", "revenue_yuan": 38_000_000, "rd_spend_yuan": 15_000_000,
            "equity_raised_yuan": 40_000_000}
    prev2 = {"main_business_share_pct": "70", "revenue_yuan": 36_000_000}
    f = facts(cur, prev, prev2, ["municipal_srdi"])
    assert interpreter.classify(criteria.NLG_2022, f, 2, GAP)[0] == "met"
    f = facts({**cur, "rd_staff": 49}, prev, prev2, ["municipal_srdi"])
    assert [g.id for g in interpreter.classify(criteria.NLG_2022, f, 2, GAP)[1]] == ["rd_staff"]


# Innovative: a score of 100 with category minimums, bands with inclusivity, and direct routes.
INNO = {"ip_class1": 1, "revenue_yuan": 100_000_000, "rd_spend_yuan": 3_000_000, "debt_ratio_pct": "55",
        "strategic_emerging": False, "main_business_share_pct": "60"}
INNO_PREV = {"revenue_yuan": 100_000_000, "main_business_share_pct": "60"}


@pytest.mark.parametrize("change, total, cats", [
    ({}, 10 + 15 + 5 + 5 + 5 + 15, {"创新能力": 25, "成长性": 10, "专业化": 20}),
    ({"debt_ratio_pct": "54.99"}, 60, None),                      # < 55 % (exclusive) → 10
    ({"debt_ratio_pct": "75"}, 55, None),                         # 75 % inclusive → 5
    ({"debt_ratio_pct": "75.01"}, 50, None),                      # > 75 % → 0
    ({"rd_spend_yuan": 5_000_000}, 60, None),                     # 5 % → 20
    ({"rd_spend_yuan": 2_999_999}, 50, None),                     # just under 3 % → 10
    ({"ip_class1_high_value": 1}, 65, None),                      # the better IP ladder counts, not both
    ({"strategic_emerging": True}, 60, None),
])
def test_innovative_score_bands(change, total, cats):
    s = interpreter.score(criteria.INNOVATIVE_2022["criteria"][0]["any"][0]["score"], facts({**INNO, **change}, INNO_PREV))
    assert s["total"] == total
    if cats:
        assert s["categories"] == cats


def test_innovative_classification_and_direct_route():
    f = facts({**INNO, "strategic_emerging": True}, INNO_PREV)  # 60, but 成长性 10 < 15
    status, gaps = interpreter.classify(criteria.INNOVATIVE_2022, f, 2, Fraction(1, 2))
    assert status == "near" and [g.id for g in gaps] == ["score.成长性"]
    f = facts({**INNO, "strategic_emerging": True}, {**INNO_PREV, "revenue_yuan": 95_000_000})  # growth 5.26 % → 10
    assert interpreter.classify(criteria.INNOVATIVE_2022, f, 2, GAP)[0] == "met"
    assert interpreter.classify(criteria.INNOVATIVE_2022, facts({"high_tech_enterprise": True}), 2, GAP)[0] == "met"
    assert interpreter.classify(criteria.INNOVATIVE_2022, facts({"equity_raised_yuan": 5_000_000}, {"equity_raised_yuan": 0},
                                                          {"equity_raised_yuan": 0}), 2, GAP)[0] == "met"


@pytest.mark.parametrize("item, cur, points", [
    ({"id": "rd", "category": "c", "best_of": [  # SRDI R&D input: amount ladder or ratio ladder, the better
        {"indicator": "rd_spend_yuan", "bands": [{"min": 5_000_000, "points": 10}, {"min": 1_000_000, "points": 2}]},
        {"indicator": "rd_ratio_pct", "bands": [{"min": 10, "points": 10}, {"min": 3, "points": 2}]}]},
     {"rd_spend_yuan": 1_000_000, "revenue_yuan": 10_000_000}, 10),
    ({"id": "q", "category": "c", "each": {"indicator": "quality_items", "points": 3, "cap": 5}}, {"quality_items": 1}, 3),
    ({"id": "q", "category": "c", "each": {"indicator": "quality_items", "points": 3, "cap": 5}}, {"quality_items": 2}, 5),
    ({"id": "y", "category": "c", "per": {"indicator": "years_in_niche", "step": 2, "points": 1, "cap": 5}}, {"years_in_niche": 3}, 1),
    ({"id": "y", "category": "c", "per": {"indicator": "years_in_niche", "step": 2, "points": 1, "cap": 5}}, {"years_in_niche": 13}, 5),
    ({"id": "d", "category": "c", "bands": {"indicator": "debt_ratio_pct", "bands": [
        {"max": 50, "inclusive": False, "points": 5}, {"max": 60, "inclusive": False, "points": 3},
        {"max": 70, "points": 1}]}}, {"debt_ratio_pct": "50"}, 3),
    ({"id": "d", "category": "c", "bands": {"indicator": "debt_ratio_pct", "bands": [
        {"max": 50, "inclusive": False, "points": 5}]}}, {}, 0),
])
def test_item_shapes(item, cur, points):
    assert interpreter.item_points(item, facts(cur)) == points
