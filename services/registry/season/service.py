"""Declaration season use cases: a season, its applications, the pre-review (初审) filled from
screening, the decision, and the recommendation list checked against the criteria, versioned and
sent to the municipal platform as a job. They write through the caller's session, audit every
change, and never commit."""
from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy.orm import Session

from services.registry.certifications import repository as certifications
from services.registry.enterprises import repository as enterprises
from services.registry.platform import jobs
from services.registry.platform.client import recommendation_batch_id
from services.registry.screening import criteria
from services.registry.screening import service as screening
from services.registry.season import repository as repo
from services.registry.season import rules
from services.registry.season.schemas import (
    ApplicationIn,
    ApplicationPublic,
    DecisionIn,
    RecommendationHistory,
    RecommendationVersion,
    SeasonIn,
    SeasonPublic,
)
from services.registry.tables import (
    PlatformJob,
    Season,
    SeasonApplication,
    SeasonRecommendation,
)
from shared import audit
from shared.db import insert, utcnow
from shared.errors import Problem
from shared.tiers import TIER_ZH, held_on, tier_on


# -- seasons ------------------------------------------------------------------------------------
def create_season(s: Session, actor: str, body: SeasonIn) -> SeasonPublic:
    row = Season(**body.model_dump(), created_by=actor)
    s.add(row)
    s.flush()
    out = SeasonPublic.model_validate(row)
    audit.record(s, actor, "season.create", "season", str(row.id), None, out.model_dump(mode="json"))
    return out


# -- applications -------------------------------------------------------------------------------
def application_public(row: SeasonApplication, name: str | None = None) -> ApplicationPublic:
    data = {k: getattr(row, k) for k in ApplicationPublic.model_fields if hasattr(row, k)}
    data["checklist"] = orjson.loads(row.checklist) if row.checklist else None
    return ApplicationPublic.model_validate({**data, "name": name})


def apply(s: Session, actor: str, season_id: int, body: ApplicationIn, today: dt.date) -> ApplicationPublic:
    """An enterprise declares in a season: only while it takes applications, once per season."""
    season = repo.season_or_404(s, season_id)
    firm = enterprises.get_or_404(s, body.uscc)
    if (getattr(firm, "status", None) or "active") != "active":
        raise Problem(409, "enterprise-departed", "企业已迁出或注销，不能申报", "The enterprise has moved out or closed: it "
                      "cannot apply")
    shut = rules.window(season.opens_on, season.closes_on, today)
    if shut == "not-open":
        raise Problem(409, "season-not-open", f"申报季尚未开始受理（{season.opens_on} 开始）",
                      f"The season takes applications from {season.opens_on}")
    if shut == "closed":
        raise Problem(409, "season-closed", f"申报季已于 {season.closes_on} 截止", f"The season closed on {season.closes_on}")
    dup = Problem(409, "already-applied", "该企业已在本申报季申报", "The enterprise has applied in this season already")
    existing = repo.application_of(s, season_id, body.uscc)
    if existing is not None:
        raise Problem(409, "already-applied", "该企业已在本申报季申报", "The enterprise has applied in this season already",
                      existing=application_public(existing).model_dump(mode="json"))
    row = insert(s, SeasonApplication(season_id=season_id, uscc=body.uscc, applied_by=actor), dup)
    out = application_public(row, firm.name)
    audit.record(s, actor, "season.apply", "season_application", str(row.id), None,
                 out.model_dump(mode="json", exclude={"actions"}))
    return out


# -- the pre-review checklist, from screening -----------------------------------------------------
def assess(s: Session, programme: str, usccs: list[str], on: dt.date, year: int) -> dict[str, dict]:
    """Each enterprise's checklist for a programme: the ladder and the criteria in force on `on`,
    read on the indicators of `year` (and the years before it), as screening reads them."""
    rule_set, near = screening.rule_set(s, programme, on)
    basis = {"criteria": near["criteria"], "max_failures": near["max_failures"].cite(),
             "max_relative_gap": near["max_relative_gap"].cite()}
    max_failures, max_gap = int(near["max_failures"].value), criteria.num(near["max_relative_gap"].value)
    certs = certifications.by_enterprise(s, usccs)
    years = repo.indicator_facts(s, usccs, year - 2, year)
    out = {}
    for uscc in usccs:
        firm = enterprises.get_or_404(s, uscc)
        facts = criteria.derive_facts(years[uscc], year, held_on(certs[uscc], on))
        out[uscc] = {**rules.checklist(programme, on, year, tier_on(certs[uscc], on), facts, rule_set, max_failures,
                                       max_gap, getattr(firm, "status", None) or "active"), "basis": basis}
    return out


def pre_review(s: Session, actor: str, app_id: int, today: dt.date) -> ApplicationPublic:
    """The district's pre-review: the checklist filled from screening for the season's programme
    (the indicators of the year before the season's), stored on the application. Repeatable until
    decided (the figures may be corrected meanwhile)."""
    row = repo.application_or_404(s, app_id)
    if not rules.allows("pre_review", row.state):
        raise Problem(409, "already-decided", "已作出推荐决定，不能再初审", "The application is decided already")
    season = repo.season_or_404(s, row.season_id)
    checklist = assess(s, season.programme, [row.uscc], today, season.year - 1)[row.uscc]
    before = application_public(row).model_dump(mode="json", exclude={"actions"})
    row.checklist, row.state = orjson.dumps(checklist).decode(), "pre_reviewed"
    row.pre_reviewed_by, row.pre_reviewed_at = actor, utcnow()
    s.flush()
    out = application_public(row, repo.names(s, [row.uscc]).get(row.uscc))
    audit.record(s, actor, "season.pre_review", "season_application", str(row.id), before,
                 out.model_dump(mode="json", exclude={"actions"}))
    return out


def decide(s: Session, actor: str, app_id: int, body: DecisionIn) -> ApplicationPublic:
    """Recommend or not, with reasons; only after the pre-review (it may be changed, audited)."""
    row = repo.application_or_404(s, app_id)
    if not rules.allows("decide", row.state):
        raise Problem(409, "not-pre-reviewed", "尚未初审，不能作出推荐决定", "Pre-review the application before deciding")
    before = application_public(row).model_dump(mode="json", exclude={"actions"})
    row.recommend, row.reasons, row.state = body.recommend, body.reasons, "decided"
    row.decided_by, row.decided_at = actor, utcnow()
    s.flush()
    out = application_public(row, repo.names(s, [row.uscc]).get(row.uscc))
    audit.record(s, actor, "season.decide", "season_application", str(row.id), before,
                 out.model_dump(mode="json", exclude={"actions"}))
    return out


# -- the recommendation list ----------------------------------------------------------------------
def version_public(v: SeasonRecommendation, job_state: str | None) -> RecommendationVersion:
    return RecommendationVersion.model_validate({
        "season_id": v.season_id, "version": v.version, "enterprises": orjson.loads(v.enterprises),
        "refused": orjson.loads(v.refused), "batch_id": v.batch_id, "job_id": v.job_id, "job_state": job_state,
        "created_by": v.created_by, "created_at": v.created_at})


def recommend(s: Session, actor: str, season_id: int, today: dt.date) -> tuple[RecommendationVersion, PlatformJob]:
    """Build the list from the applications decided for, each checked again against the criteria
    today (titles and figures may have changed since the pre-review): those that qualify are sent,
    the others refused with reasons. Stored as the next version; the job that sends it is queued in
    the same transaction (the caller starts it once committed)."""
    season = repo.season_or_404(s, season_id, lock=True)  # two builds at once: versions in turn
    chosen = repo.recommended(s, season_id)
    if not chosen:
        raise Problem(409, "nothing-recommended", "本申报季没有决定推荐的申报", "No application in this season is "
                      "decided for recommendation")
    checked = assess(s, season.programme, [a.uscc for a in chosen], today, season.year - 1)
    sent = [a.uscc for a in chosen if checked[a.uscc]["eligible"]]
    refused = [{"uscc": a.uscc, "application_id": a.id, "reasons": checked[a.uscc]["reasons"]}
               for a in chosen if not checked[a.uscc]["eligible"]]
    if not sent:
        raise Problem(409, "nothing-eligible", f"决定推荐的企业均不符合{TIER_ZH[season.programme]}的申报条件",
                      f"None of the enterprises decided for meets the criteria for {season.programme}",
                      refused=refused)
    batch_id = recommendation_batch_id(season.year, season.programme, sent)
    version = repo.next_version(s, season_id)
    job = jobs.create(s, actor, "recommend", {"year": season.year, "tier": season.programme, "usccs": sent,
                                               "batch_id": batch_id, "season_id": season_id, "version": version})
    row = SeasonRecommendation(season_id=season_id, version=version, enterprises=orjson.dumps(sent).decode(),
                               refused=orjson.dumps(refused).decode(), batch_id=batch_id, job_id=job.id,
                               created_by=actor)
    s.add(row)
    s.flush()
    out = version_public(row, job.state)
    audit.record(s, actor, "season.recommendation", "season_recommendation", f"{season_id}/{version}", None,
                 out.model_dump(mode="json"))
    return out, job


def history(s: Session, season_id: int) -> RecommendationHistory:
    repo.season_or_404(s, season_id)
    return RecommendationHistory(season_id=season_id, items=[version_public(v, st) for v, st in repo.versions(s, season_id)])


def check_for_platform(s: Session, year: int, tier: str, usccs: list[str], today: dt.date) -> None:
    """The direct recommendation (POST /platform/recommendations) is checked as a season's list is:
    every enterprise must qualify, else 422 naming each refused one with its reasons (nothing sent)."""
    checked = assess(s, tier, usccs, today, year - 1)
    refused = [{"uscc": u, "reasons": c["reasons"]} for u, c in checked.items() if not c["eligible"]]
    if refused:
        raise Problem(422, "not-eligible", f"以下企业不符合{TIER_ZH[tier]}的申报条件：{'、'.join(r['uscc'] for r in refused)}",
                      f"Not eligible for {tier}: {', '.join(r['uscc'] for r in refused)}", refused=refused,
                      errors=[{"loc": ["body", "usccs"], "msg": "; ".join(x["zh"] for x in r["reasons"]),
                               "type": "not_eligible"} for r in refused])
