"""The featured-park designation and its assessment (考核): the facts the rules count, read here; the
scoring is rules.assess (pure). Never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.parks import events, rules
from services.parks.designations import repository
from services.parks.designations.schemas import DesignationIn, DesignationSummary
from services.parks.incubation import repository as incubation
from services.parks.intermediaries import repository as intermediaries
from services.parks.parks import repository as parks
from services.parks.tables import Designation, Park
from shared import audit, params
from shared.errors import Problem, field_error


def facts_of(s: Session, park_id: str, on: dt.date) -> rules.ParkFacts:
    """What the assessment counts: only enterprises the registry places in the park (members, the
    incubated among them, the served among them), each with its record's certifications; not one
    that had moved out of the district or closed by `on` (rules.present_on)."""
    held = {u: r for u, r in parks.members(s, park_id).items() if rules.present_on(r, on)}
    return rules.ParkFacts(frozenset(held), {u: r.certifications for u, r in held.items()},
                           rules.first_entries(incubation.stays(s, park_id, set(held))),
                           intermediaries.services_counted(s, park_id, on))


def assessment(s: Session, park: Park, on: dt.date) -> dict:
    """The park's assessment as of `on`, explained (the parameters in force that day)."""
    result = rules.assess(facts_of(s, park.id, on), on, params.in_force(s, on, "parks.assessment."))
    return {"park_id": park.id, **result}


def summary(d: Designation) -> dict:
    return DesignationSummary.of(d).model_dump(mode="json")


def designate(s: Session, actor: str, park: Park, body: DesignationIn, today: dt.date) -> Designation:
    """Designate a park (one designation of a kind per park), announcing it in the same transaction.
    The park is assessed as of the designation date; designating a park that fails needs a reason."""
    if body.designated_on > today:  # the schema's FactDay refuses it already; kept for callers without it
        raise field_error("designated_on", "认定日期不能晚于今天", "must not be in the future")
    held = repository.held(s, park.id, body.designation)
    if held is not None:
        raise Problem(409, "designation-exists", f"园区已于 {held.designated_on} 获得该认定",
                      f"The park already holds this designation since {held.designated_on}",
                      existing=summary(held))
    result = assessment(s, park, body.designated_on)
    if not result["passed"] and not body.reason:
        raise Problem(422, "assessment-failed",
                      f"园区截至 {body.designated_on} 的考核未达标（{result['score']}/{result['pass_score']}），"
                      "认定须说明理由（reason）",
                      f"The park's assessment as of {body.designated_on} fails ({result['score']} of "
                      f"{result['pass_score']}): a designation needs a reason",
                      errors=[{"loc": ["body", "reason"], "msg": "required when the assessment fails",
                               "type": "assessment-failed"}], assessment=result)
    d = repository.add(s, Designation(park_id=park.id, designation=body.designation,
                                      designated_on=body.designated_on, reason=body.reason, assessment=result,
                                      created_by=actor))
    events.designated(s, park, d)
    audit.record(s, actor, "park.designate", "designation", str(d.id), None, summary(d))
    return d
