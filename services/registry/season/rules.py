"""The declaration season's rules, pure: when a season takes applications, where an enterprise stands
on the cultivation ladder for the programme declared, and the pre-review (初审) checklist with the
reasons an enterprise cannot be recommended. The criteria themselves are screening's (data, dated)."""
from __future__ import annotations

import datetime as dt

from services.registry.screening import criteria
from shared.tiers import TIER_ZH, rank


# An application's steps: (the states each is allowed from, the roles that take it). The pre-review
# may be repeated until the decision; the decision may be changed (both audited).
STEPS = {"pre_review": (("applied", "pre_reviewed"), ("econ",)), "decide": (("pre_reviewed", "decided"), ("econ",))}


def allows(step: str, state: str) -> bool:
    return state in STEPS[step][0]


def actions(state: str) -> dict[str, list[str]]:
    """The steps an application in `state` allows, each with the roles that may take it (what a page offers)."""
    return {step: list(roles) for step, (states, roles) in STEPS.items() if state in states}


def window(opens_on: dt.date, closes_on: dt.date, on: dt.date) -> str | None:
    """None when the season takes applications on `on`; else "not-open" or "closed"."""
    if on < opens_on:
        return "not-open"
    return "closed" if on > closes_on else None


def lower_tiers(programme: str) -> list[str]:
    """The titles from which `programme` is the next step (screening's ladder)."""
    return [t for t, nxt in criteria.NEXT_TIER.items() if nxt == programme]


def ladder_item(current: str, programme: str) -> dict:
    """Whether the programme is the enterprise's next step: a municipal SRDI declaration needs the
    innovative title first (CRITERIA.md: graded cultivation), and a title held is not declared again."""
    met = criteria.NEXT_TIER.get(current) == programme
    needs = "或".join(TIER_ZH[t] for t in lower_tiers(programme)) or "无"
    item = {"criterion": "ladder", "zh": f"梯度培育：申报{TIER_ZH[programme]}须持有{needs}称号", "met": met,
            "gaps": []}
    if not met:
        if rank(current) >= rank(programme):
            item["reason"] = (f"已持有{TIER_ZH[current]}称号，不属于{TIER_ZH[programme]}的申报对象",
                              f"already holds {current}: not a candidate for {programme}")
        else:
            lower = " or ".join(lower_tiers(programme)) or "a lower title"
            item["reason"] = (f"须先持有{needs}称号（现为{TIER_ZH[current]}），不能推荐申报{TIER_ZH[programme]}",
                              f"must hold {lower} first (holds {current}): cannot be recommended for {programme}")
    return item


def _gap_reason(g: dict) -> tuple[str, str]:
    if g["missing"]:
        return (f"未满足“{g['zh']}”：缺少数据",  # the criterion's name says which; the code is for the English
                f"criterion {g['criterion']} not met: no data for {g['indicator']}")
    return (f"未满足“{g['zh']}”：现值 {g['value']}，要求 {g['op']} {g['threshold']}",
            f"criterion {g['criterion']} not met: {g['indicator']} = {g['value']}, needs {g['op']} {g['threshold']}")


def checklist(programme: str, on: dt.date, year: int, current: str, facts: dict, rule_set: dict,
              max_failures: int, max_gap, status: str = "active") -> dict:
    """The pre-review checklist: the ladder, then each criterion of the rule set met or not with its
    gaps; the screening status (达标 met / 准达标 near / 不达标 not_met); `eligible` (it may be
    recommended: on the ladder, met, still in the district) and, when not, the reasons."""
    ladder = ladder_item(current, programme)
    items = [ladder]
    for c in rule_set["criteria"]:
        gaps = [g.as_dict() for g in criteria.evaluate(c, facts)]
        items.append({"criterion": c.get("id", "?"), "zh": c.get("zh", ""), "met": not gaps, "gaps": gaps})
    found, _ = criteria.classify(rule_set, facts, max_failures, max_gap)
    result = found if ladder["met"] else "not_met"
    reasons = []
    if status != "active":
        reasons.append({"code": "departed", "criterion": None, "zh": f"企业已{'迁出' if status == 'moved_out' else '注销'}",
                        "en": f"the enterprise has {'moved out' if status == 'moved_out' else 'closed'}"})
    if not ladder["met"]:
        zh, en = ladder.pop("reason")
        reasons.append({"code": "ladder", "criterion": "ladder", "zh": zh, "en": en})
    for item in items[1:]:
        for g in item["gaps"]:
            zh, en = _gap_reason(g)
            reasons.append({"code": "criterion", "criterion": g["criterion"], "zh": zh, "en": en})
    return {"programme": programme, "on": on.isoformat(), "indicator_year": year, "rule_set": rule_set.get("rule_set"),
            "current_tier": current, "status": result, "status_zh": criteria.STATUS_ZH[result],
            "eligible": not reasons, "items": items, "reasons": reasons}
