"""What-if use cases: cost a parameter set (the policy rows it derives from, with its own values)
over a period next to the policy in force, from the facts held. Reads only; changes nothing."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy.orm import Session

from services.awards import parameters, rules
from services.awards.simulation import repository
from services.awards.simulation import rules as sim
from shared import params, projection
from shared.errors import Problem
from shared.params import Param

SETS_DIR = Path(__file__).resolve().parent.parent / "parameter_sets"
PARAMETER_SETS = ("seed_proposal", "fangshan_2025")
COSTED = ("tier", "relocation", "introducer", "scenario", "ecosystem", "listing", "featured_park", "incubation")
LEFT_OUT = {
    "unclaimed": ("金融办已记录上市，但尚无上市奖励申领：市级奖励金额未知，无法测算配套",
                  ("listings the finance office recorded with no listing claim yet: the municipal award's amount "
                   "is unknown, so its match cannot be costed")),
    "unrecorded": ("早期按申领录入的上市奖励，金融办无上市记录：不予测算",
                   ("listing awards claimed before listings had to be the finance office's record, with no such "
                    "record: not costed"))}


def parameter_set(s: Session, name: str) -> dict[str, Param]:
    """A shipped parameter set: the policy rows in force on its date, with the values where it differs."""
    doc = json.loads((SETS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return sim.derive(doc, params.in_force(s, dt.date.fromisoformat(doc["effective_from"]), "award."))


def _listing_claims(s: Session, tier) -> tuple[list[sim.Claim], list[dict]]:
    """Listings with the municipal award claimed against them (that amount is econ's claim, not the
    finance office's record), and what cannot be costed."""
    listings: dict = {}
    for x in repository.listings(s):
        listings.setdefault(x.uscc, x)
    awarded = repository.listing_awards(s)
    municipal = {a.uscc: int(a.basis["inputs"]["municipal_award_yuan"]) for a in awarded
                 if "municipal_award_yuan" in a.basis.get("inputs", {})}
    claims = [sim.Claim(u, "listing", x.listed_on, {"board": x.board, "municipal_award_yuan": municipal[u]},
                        tier=tier(u, x.listed_on)) for u, x in listings.items() if u in municipal]
    left_out = []
    for why, usccs in (("unclaimed", {u for u in listings if u not in municipal}),
                       ("unrecorded", {a.uscc for a in awarded if a.uscc not in listings})):
        if usccs:
            zh, en = LEFT_OUT[why]
            left_out.append({"program": "listing", "usccs": sorted(usccs), "count": len(usccs),
                             "reason_zh": zh, "reason_en": en})
    return claims, left_out


def history(s: Session) -> dict:
    """What a replay needs, from the facts held: every enterprise's record (certifications revoked for
    cause left out, the tier on a claim's date read from it), the contracts outreach recorded, the
    listings the finance office recorded with the municipal award claimed against them, the parks'
    designations and incubatees' promotions; and what cannot be costed, with why."""
    recs = projection.records(s)
    promotions = [rules.Promotion(r.uscc, c.id, str(c.tier), c.recognized_on, rules.first_time_at(sound, c))
                  for r in recs.values() for sound in (rules.sound(r.certifications),) for c in sound]
    facts = {u: {"relocated_on": r.relocated_on, "relocated_from": r.relocated_from,
                 "relocated_from_code": r.relocated_from_code, "introducer": r.introducer} for u, r in recs.items()}

    def tier(uscc: str, on: dt.date) -> str:
        r = recs.get(uscc)
        return rules.tier_on(r.certifications, on) if r else "sme"
    claims = [sim.Claim(c.uscc, c.kind, c.signed_on,
                        {"contract_id": c.contract_id, "contract_yuan": c.contract_yuan, "scenario_id": c.scenario_id,
                         "proposal_id": c.proposal_id, "buyer_uscc": c.buyer_uscc},
                        tier=tier(c.uscc, c.signed_on),
                        buyer_in_district=bool(c.buyer_uscc) and c.buyer_uscc in recs and c.buyer_uscc != c.uscc)
              for c in repository.contracts(s)]
    listed, left_out = _listing_claims(s, tier)
    designations = [sim.Designation(d.park_id, d.designation, d.designated_on) for d in repository.designations(s)]
    incubations = [sim.Incubation(n.park_id, n.uscc, n.to_tier, n.recognized_on, n.incubation_id)
                   for n in repository.incubatee_promotions(s)]
    return {"promotions": promotions, "facts": facts, "claims": claims + listed, "designations": designations,
            "incubations": incubations, "left_out": left_out}


def _invalid(field: str, field_zh: str, zh: str, en: str) -> Problem:
    """A 422 about one body field (the shape of a schema validation error), its Chinese all Chinese."""
    return Problem(422, "invalid-field", f"{field_zh}：{zh}", f"{field}: {en}",
                   errors=[{"loc": ["body", field], "msg": f"{zh} / {en}", "type": "invalid-field"}])


def _overridden(s: Session, set_name: str, overrides: dict, start: dt.date) -> dict[str, Param]:
    proposed = parameter_set(s, set_name)
    for k, v in overrides.items():
        why = parameters.parameter_error(k, v)
        if why:
            raise _invalid("parameters", f"试算参数（{parameters.param_zh(k)}）", why[0], f"{k}: {why[1]}")
        proposed[k] = Param(0, k, v, start, "what-if override")
    return proposed


def simulate(s: Session, set_name: str, overrides: dict, start: dt.date, end: dt.date) -> dict:
    if start > end:
        raise _invalid("period", "测算期间", "起始日期晚于截止日期", "from is after to")
    proposed = _overridden(s, set_name, overrides, start)
    h = history(s)
    cache: dict[dt.date, dict] = {}

    def in_force(on: dt.date) -> dict:
        if on not in cache:
            cache[on] = params.in_force(s, on, "award.")
        return cache[on]

    def run(params_on):
        return sim.cost(sim.replay(h["promotions"], h["facts"], h["claims"], params_on, start, end,
                                   h["designations"], h["incubations"]))
    p_cost, f_cost = run(lambda _on: proposed), run(in_force)
    programs = sorted(set(p_cost["by_program"]) | set(f_cost["by_program"]))
    payees = sorted(set(p_cost["by_enterprise"]) | set(f_cost["by_enterprise"]))
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()}, "parameter_set": set_name,
        "parameters": [p.cite() for p in proposed.values()],
        "proposed": p_cost, "in_force": f_cost,
        "difference": {"total_yuan": p_cost["total_yuan"] - f_cost["total_yuan"],
                       "by_program": {p: p_cost["by_program"].get(p, 0) - f_cost["by_program"].get(p, 0)
                                      for p in programs},
                       "by_enterprise": {u: p_cost["by_enterprise"].get(u, 0) - f_cost["by_enterprise"].get(u, 0)
                                         for u in payees}},
        "programs": list(COSTED), "left_out": h["left_out"],
        "note": "在途与已付奖励不受影响；仅为测算 / a costing only: no award is changed"}
