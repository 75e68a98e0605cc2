"""Replay: the awards a history would earn under a parameter set (the what-if, the property tests),
by the same rules as the live path (pure)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.awards.claims.rules import check_chosen, ecosystem_award, listing_award, scenario_award
from services.awards.rules import Decision, Ineligible, Promotion, earn, featured_park_award, incubation_award
from shared.params import Param
from shared.tiers import rank


@dataclass(frozen=True)
class Claim:
    """A recorded fact a claim award rests on: a contract outreach recorded (scenario, ecosystem) or a
    listing the finance office recorded with the municipal award claimed against it."""

    uscc: str
    program: str  # listing, scenario, ecosystem
    on: dt.date
    inputs: dict  # contract_yuan, scenario_id, proposal_id; board, municipal_award_yuan
    tier: str | None = None  # the enterprise's tier on `on` by the registry's record (sound titles)
    buyer_in_district: bool = True  # ecosystem: the buyer is in the registry


@dataclass(frozen=True)
class Designation:
    park_id: str
    designation: str
    designated_on: dt.date


@dataclass(frozen=True)
class Incubation:
    """A park's incubatee reaching a tier (parks announces each, once per park, enterprise and tier)."""

    park_id: str
    uscc: str
    to_tier: str
    recognized_on: dt.date
    incubation_id: int | None = None


def replay(promotions: list[Promotion], facts: dict[str, dict], claims: list[Claim],
           params_on, start: dt.date, end: dt.date, designations: list[Designation] = (),
           incubations: list[Incubation] = ()) -> list[tuple[str, dt.date, Decision, str]]:
    """Every award (uscc or payee, date, decision, payee_type) the history earns between start and
    end (inclusive) with `params_on(date) -> {key: Param}`: tier (with top-up and renewal),
    relocation, introducer, scenario, ecosystem, listing, featured park and incubation. Facts before
    `start` still count (top-up deducts their awards, the scenario cap counts the year's earlier
    contracts, the first featured park stays the first) but are not costed. Idempotent in its input:
    duplicate promotions (same certification) count once, and order does not matter (sorted by date)."""
    out: list[tuple[str, dt.date, Decision, str]] = []
    seen: set[int] = set()
    by_uscc: dict[str, list[Promotion]] = {}
    for p in promotions:
        if p.certification_id not in seen:
            seen.add(p.certification_id)
            by_uscc.setdefault(p.uscc, []).append(p)
    for uscc, items in by_uscc.items():
        for e in earn(uscc, items, facts.get(uscc, {}), params_on):
            if start <= e.on <= end:
                out.append((e.payee, e.on, e.decision, e.payee_type))
    scenario_used: dict[tuple[str, str, int], int] = {}
    for c in sorted(claims, key=lambda c: c.on):
        if c.on > end:
            continue
        # Claims before `start` are not costed, but those of the same calendar year still use up the
        # scenario cap (a period starting mid-year must not give the cap back).
        params, i = params_on(c.on), c.inputs
        tier = c.tier or i.get("tier_on_date", "sme")
        try:
            if c.program == "scenario":
                check_chosen(i.get("scenario_id"), i.get("proposal_id"))
                k = (c.uscc, str(i["scenario_id"]), c.on.year)
                d = scenario_award(tier, int(i["contract_yuan"]), c.on, scenario_used.get(k, 0), params, i)
                scenario_used[k] = scenario_used.get(k, 0) + d.amount_yuan
            elif c.program == "ecosystem":
                d = ecosystem_award(tier, int(i["contract_yuan"]), c.on, c.buyer_in_district, params, i)
            else:
                d = listing_award(tier, i["board"], c.on, int(i["municipal_award_yuan"]), params, i)
        except Ineligible:
            continue
        if c.on >= start:
            out.append((c.uscc, c.on, d, "enterprise"))
    featured = False  # one featured-park award ever: the first designated park under a parameter
    for g in sorted(designations, key=lambda g: g.designated_on):
        if featured or g.designation != "srdi_featured" or g.designated_on > end:
            continue
        d = featured_park_award(g.park_id, g.designated_on, params_on(g.designated_on))
        if d:
            featured = True
            if g.designated_on >= start:
                out.append((g.park_id, g.designated_on, d, "park"))
    incubated: set[tuple[str, str]] = set()  # once per (park, enterprise): the first promotion that pays
    for n in sorted(incubations, key=lambda n: (n.recognized_on, rank(n.to_tier))):
        if (n.park_id, n.uscc) in incubated or n.recognized_on > end:
            continue
        d = incubation_award(n.park_id, n.uscc, n.to_tier, n.recognized_on, n.incubation_id,
                             params_on(n.recognized_on))
        if d:
            incubated.add((n.park_id, n.uscc))
            if n.recognized_on >= start:
                out.append((n.park_id, n.recognized_on, d, "park"))
    return out


def cost(awards: list[tuple[str, dt.date, Decision, str]]) -> dict:
    """Totals of a replay: overall, per program, per payee (`by_enterprise`: enterprises, and the
    intermediaries and parks paid)."""
    by_program: dict[str, int] = {}
    by_payee: dict[str, int] = {}
    for payee, _, d, _ in awards:
        by_program[d.program] = by_program.get(d.program, 0) + d.amount_yuan
        by_payee[payee] = by_payee.get(payee, 0) + d.amount_yuan
    return {"total_yuan": sum(by_program.values()), "by_program": by_program, "by_enterprise": by_payee,
            "awards": len(awards)}


def derive(doc: dict, base: dict[str, Param]) -> dict[str, Param]:
    """A parameter set: the policy rows in force on its `effective_from` (`base`), with the values where
    the set differs from them (cited with the set's date and legal reference); a value of null takes
    the key out (the set has no such award). Each number has one source: the rows, or the set's file."""
    on = dt.date.fromisoformat(doc["effective_from"])
    out = dict(base)
    for key, row in doc["parameters"].items():
        if row["value"] is None:
            out.pop(key, None)
        else:
            out[key] = Param(0, key, row["value"], on, row["legal_ref"])
    return dict(sorted(out.items()))
