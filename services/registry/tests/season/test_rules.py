"""The season's pure rules: its dates, the ladder, and the checklist's reasons."""
import datetime as dt
from fractions import Fraction

from services.registry.season import rules

D = dt.date
SRDI = {"rule_set": "t", "criteria": [
    {"id": "rd_ratio", "zh": "研发费用占营业收入≥3%", "indicator": "rd_ratio_pct", "op": "gte", "value": "3"},
    {"id": "revenue", "zh": "营业收入≥1000万元", "indicator": "revenue_yuan", "op": "gte", "value": "10000000"}]}


def check(current="innovative", facts=None, status="active"):
    facts = {"rd_ratio_pct": Fraction(5), "revenue_yuan": Fraction(20_000_000), "held": set()} if facts is None else facts
    return rules.checklist("municipal_srdi", D(2026, 5, 1), 2025, current, facts, SRDI, 2, Fraction(1, 5), status)


def test_the_season_takes_applications_from_its_first_to_its_last_day():
    assert rules.window(D(2026, 3, 1), D(2026, 3, 31), D(2026, 2, 28)) == "not-open"
    assert rules.window(D(2026, 3, 1), D(2026, 3, 31), D(2026, 3, 1)) is None
    assert rules.window(D(2026, 3, 1), D(2026, 3, 31), D(2026, 3, 31)) is None
    assert rules.window(D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 1)) == "closed"


def test_the_ladder_needs_the_tier_below_and_refuses_a_tier_held():
    assert rules.ladder_item("innovative", "municipal_srdi")["met"] is True
    assert rules.ladder_item("potential", "municipal_srdi")["met"] is True
    none = rules.ladder_item("sme", "municipal_srdi")
    assert none["met"] is False and "创新型中小企业" in none["reason"][0] and "holds sme" in none["reason"][1]
    held = rules.ladder_item("national_little_giant", "municipal_srdi")
    assert held["met"] is False and held["reason"][0].startswith("已持有")
    assert rules.ladder_item("sme", "innovative")["met"] is True


def test_the_checklist_says_why_an_enterprise_may_not_be_recommended():
    ok = check()
    assert (ok["status"], ok["eligible"], ok["reasons"]) == ("met", True, [])
    assert [i["criterion"] for i in ok["items"]] == ["ladder", "rd_ratio", "revenue"] and all(i["met"] for i in ok["items"])
    near = check(facts={"rd_ratio_pct": Fraction(27, 10), "revenue_yuan": Fraction(20_000_000), "held": set()})
    assert (near["status"], near["eligible"]) == ("near", False)
    assert [r["criterion"] for r in near["reasons"]] == ["rd_ratio"] and "2.7" in near["reasons"][0]["zh"]
    missing = check(facts={"held": set()})
    assert missing["status"] == "not_met" and all("缺少数据" in r["zh"] for r in missing["reasons"])
    assert not any("_" in r["zh"] for r in missing["reasons"])  # said in words, no indicator code
    bare = check(current="sme")
    assert (bare["status"], [r["code"] for r in bare["reasons"]]) == ("not_met", ["ladder"])
    gone = check(status="moved_out")
    assert gone["eligible"] is False and gone["reasons"][0] == {
        "code": "departed", "criterion": None, "zh": "企业已迁出", "en": "the enterprise has moved out"}
