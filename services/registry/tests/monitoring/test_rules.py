"""Monthly monitoring's pure rules, table-driven."""
from fractions import Fraction

import pytest

from services.registry.monitoring import rules
from services.registry.monitoring.rules import Figures, Thresholds

T = Thresholds(revenue_drop_pct=Fraction(20), rd_ratio_min_pct=Fraction(3), min_employees=10)


def f(rev, rd=0, emp=50, pat=0):
    return Figures(rev, rd, emp, pat)


@pytest.mark.parametrize("months, month, codes", [
    ({}, "2026-10", ["missing"]),
    ({"2026-10": f(1000, 30)}, "2026-10", []),                                   # exactly 3 %: met
    ({"2026-10": f(1000, 29)}, "2026-10", ["rd_ratio_low"]),
    ({"2026-09": f(1000, 100), "2026-10": f(1000, 0)}, "2026-10", []),          # year to date 5 %
    ({"2025-10": f(1000, 100), "2026-10": f(800, 100)}, "2026-10", []),         # down exactly 20 %: not more
    ({"2025-10": f(1000, 100), "2026-10": f(799, 100)}, "2026-10", ["revenue_down_yoy"]),
    ({"2025-10": f(0, 0), "2026-10": f(10, 1)}, "2026-10", []),                 # no base: no change
    ({"2026-10": f(1000, 100, emp=9)}, "2026-10", ["employees_below"]),
    ({"2026-10": f(1000, 100, emp=10)}, "2026-10", []),
    ({"2025-10": f(1000, 0), "2026-09": f(1000, 10)}, "2026-10", ["missing", "rd_ratio_low"]),
    ({"2026-10": f(0, 0, emp=0)}, "2026-10", ["employees_below"]),             # no revenue: no ratio
])
def test_flags(months, month, codes):
    assert [x.code for x in rules.flags(months, month, T)] == codes
    assert all(x.zh and x.en for x in rules.flags(months, month, T))


def test_trends():
    months = {"2025-03": f(1000), "2026-01": f(500, 10), "2026-02": f(1000, 20, emp=40), "2026-03": f(1250, 45, emp=42)}
    tr = rules.trends(months, "2026-03")
    assert tr["revenue_mom_pct"] == 25 and tr["revenue_yoy_pct"] == 25 and tr["employees_mom"] == 2
    assert tr["ytd_months"] == 3 and tr["ytd_revenue_yuan"] == 2750 and tr["ytd_rd_spend_yuan"] == 75
    assert tr["ytd_rd_ratio_pct"] == Fraction(75, 2750) * 100
    assert rules.trends({}, "2026-03")["ytd_rd_ratio_pct"] is None


@pytest.mark.parametrize("month, by, out", [("2026-01", -1, "2025-12"), ("2026-12", 1, "2027-01"),
                                             ("2026-03", -12, "2025-03"), ("2024-02", 0, "2024-02")])
def test_shift(month, by, out):
    assert rules.shift(month, by) == out


@pytest.mark.parametrize("text, ok", [("2026-10", True), ("2026-13", False), ("2026-1", False), ("x", False),
                                      ("2026-00", False)])
def test_parse_month(text, ok):
    assert (rules.parse_month(text) is not None) == ok


def test_last_day():
    assert str(rules.last_day("2024-02")) == "2024-02-29" and str(rules.last_day("2026-12")) == "2026-12-31"


@pytest.mark.parametrize("rule_set, out", [
    ({"criteria": [{"id": "r", "indicator": "rd_ratio_pct", "op": "gte", "value": "3"}]}, Fraction(3)),
    ({"criteria": [{"id": "a", "all": [{"id": "r", "indicator": "rd_ratio_pct", "op": "gte", "value": "6"}]}]}, Fraction(6)),
    ({"criteria": [{"id": "a", "any": [{"id": "r", "indicator": "rd_ratio_pct", "op": "gte", "value": "6"}]}]}, None),
    ({"criteria": [{"id": "r", "indicator": "rd_ratio_pct", "op": "lte", "value": "6"}]}, None),
    (None, None),
])
def test_threshold_in(rule_set, out):
    assert rules.threshold_in(rule_set, "rd_ratio_pct") == out


def test_a_month_before_2000_is_its_own_refusal_and_odd_digits_are_not_numbers():
    """Found in a review: months before 2000-01 were called "in the future", the import's preview let
    them through, and Arabic-Indic digits were read as numbers."""
    import datetime as dt

    import pytest

    from services.registry.monitoring import service, workbook
    from shared.errors import Problem
    with pytest.raises(Problem) as early:
        service.check_month("1999-12", dt.date(2026, 12, 3))
    assert early.value.code == "month-too-early" and "2000-01" in early.value.zh
    assert service.check_month("2000-01", dt.date(2026, 12, 3)) == "2000-01"
    assert [workbook._whole(v) for v in ("١٢", "１２", "12", "1,200")] == [None, 12, 12, 1200]
