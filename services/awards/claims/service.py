"""Claim use cases: listing, scenario-application and ecosystem awards rest only on facts their owners
recorded (outreach's contracts, the finance office's listings), eligibility read from the registry's
record on the fact's date. They write through the session and never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.awards import rules
from services.awards.claims import repository
from services.awards.claims import rules as claim_rules
from services.awards.corrections import rules as departure
from services.awards.projection.repository import locked_record
from services.awards.tables import Award, Contract, Listing
from services.awards.workflow import repository as awards
from services.awards.workflow.service import create, move, refused, withhold
from shared import audit, clock, params, projection
from shared.contracts.finance import EnterpriseListed
from shared.contracts.outreach import ContractSigned
from shared.contracts.registry import CertificationRecord, EnterpriseRecord
from shared.errors import Problem


def _on_field(field: str, code: str, zh: str, en: str) -> list[dict]:
    """API.md: a 422 carries `errors`, the field-level list; a claim's refusal names the claim's fact."""
    return [{"loc": ["body", field], "msg": f"{zh} / {en}", "type": code}]


def _unprocessable(code: str, field: str, zh: str, en: str, **extra) -> Problem:
    return Problem(422, code, zh, en, errors=_on_field(field, code, zh, en), **extra)


def _refuse(e: rules.Ineligible, field: str) -> Problem:
    return Problem(e.status, e.code, e.zh, e.en,
                   errors=_on_field(field, e.code, e.zh, e.en) if e.status == 422 else None)


def _not_in_registry(uscc: str, field: str) -> Problem:
    return _unprocessable("not-in-registry", field, f"企业 {uscc} 不在本区企业名录中",
                          f"Enterprise {uscc} is not in the district registry", uscc=uscc)


def _exists(award: Award, what_zh: str, what_en: str) -> Problem:
    return Problem(409, "claim-exists", f"{what_zh}已有奖励（奖励 {award.id}）",
                   f"{what_en} has an award already (award {award.id})", award_id=award.id)


def _next_key(s: Session, base: str, *where) -> str:
    """`base` for the first award; after a rejection (a correction) the next, `base:{n}`."""
    n = awards.count(s, *where)
    return base if not n else f"{base}:{n + 1}"


def claim(s: Session, body, actor: str) -> Award:
    """A claim becomes a computed award against a recorded fact, or a 4xx problem saying why not."""
    if body.program == "listing":
        return claim_listing(s, body.uscc, body.municipal_award_yuan, body.municipal_award_ref, actor)
    contract = repository.contract(s, body.contract_id)
    if contract is None:
        raise _unprocessable("contract-unknown", "contract_id",
                             f"外联未记录合同 {body.contract_id}，场景和生态奖励只依据外联记录的合同",
                             f"Outreach recorded no contract {body.contract_id}: scenario and ecosystem awards "
                             "rest only on contracts outreach recorded", contract_id=body.contract_id)
    if contract.kind != body.program:
        kind, asked = (rules.PROGRAMS_ZH.get(k, k) for k in (contract.kind, body.program))
        raise _unprocessable("program-mismatch", "program", f"合同 {contract.contract_id} 属于{kind}，不是{asked}",
                             f"Contract {contract.contract_id} is a {contract.kind} contract, not {body.program}",
                             contract_id=contract.contract_id, kind=contract.kind)
    return raise_contract(s, contract, actor)


def _claimed(s: Session, actor: str, award: Award, decision: rules.Decision) -> Award:
    audit.record(s, actor, "award.claimed", "award", str(award.id), None,
                 {"program": award.program, "amount_yuan": award.amount_yuan, "inputs": decision.basis["inputs"]})
    return award


def raise_contract(s: Session, c: Contract, actor: str) -> Award:
    """The one award of a contract outreach recorded, whichever path asks (its event, or a claim
    re-raising it): 409 while one stands. Eligibility from the registry's record on the signing
    date; a scenario's yearly cap per enterprise counts every contract (phase) of the scenario."""
    record = locked_record(s, c.uscc)
    if record is None:
        raise _not_in_registry(c.uscc, "contract_id")
    standing = repository.standing(s, Award.contract_id == c.contract_id)
    if standing is not None:
        raise _exists(standing, f"合同 {c.contract_id} ", f"Contract {c.contract_id}")
    on = c.signed_on
    inputs = {"contract_id": c.contract_id, "contract_yuan": c.contract_yuan, "signed_on": on.isoformat(),
              "evidence_ref": f"outreach:{c.contract_id}", **({"evidence": c.evidence} if c.evidence else {})}
    tier = rules.tier_on(record.certifications, on)
    in_force = params.in_force(s, on, "award.")
    try:
        rules.check_not_after(on, clock.today(), "contract")
        departure.check_here(record, on)
        if c.kind == "scenario":
            claim_rules.check_chosen(c.scenario_id, c.proposal_id)
            inputs |= {"scenario_id": c.scenario_id, "proposal_id": c.proposal_id}
            already = sum(a.amount_yuan for a in repository.scenario_awards(s, c.uscc)
                          if a.decided_on.year == on.year
                          and str(a.basis.get("inputs", {}).get("scenario_id")) == str(c.scenario_id))
            decision = claim_rules.scenario_award(tier, c.contract_yuan, on, already, in_force, inputs)
        else:
            if c.buyer_uscc == c.uscc:
                raise rules.Ineligible("same-party", "采购方与供应方是同一企业", "The buyer is the supplier itself")
            inputs |= {"buyer_uscc": c.buyer_uscc}
            buyer = c.buyer_uscc is not None and projection.record_of(s, c.buyer_uscc) is not None
            decision = claim_rules.ecosystem_award(tier, c.contract_yuan, on, buyer, in_force, inputs)
    except rules.Ineligible as why:
        raise _refuse(why, "contract_id") from None
    key = _next_key(s, f"{c.kind}:contract:{c.contract_id}", Award.contract_id == c.contract_id)
    award = create(s, key, decision, c.uscc, c.uscc, "enterprise", on, c.source_event_id, actor=actor,
                   contract_id=c.contract_id)
    return _claimed(s, actor, _held_back(s, record, award, actor), decision)


def claim_listing(s: Session, uscc: str, municipal_award_yuan: int, municipal_award_ref: str, actor: str) -> Award:
    """The listing award, only for a listing the finance office recorded (its earliest listing: board
    and date from that record), matching the municipal award whose document is cited. One standing
    listing award per enterprise; after a rejection a corrected claim may be made."""
    record = locked_record(s, uscc)
    if record is None:
        raise _not_in_registry(uscc, "uscc")
    listing = repository.first_listing(s, uscc)
    if listing is None:
        raise _unprocessable("listing-unknown", "uscc", "金融办未记录该企业上市，上市奖励只依据金融办的上市记录",
                             "The financial office recorded no listing of this enterprise: a listing award rests "
                             "only on its record", uscc=uscc)
    standing = repository.standing(s, Award.program == "listing", Award.uscc == uscc)
    if standing is not None:
        raise _exists(standing, "该企业", "The enterprise")
    on = listing.listed_on
    inputs = {"board": listing.board, "listed_on": on.isoformat(), "listing_id": listing.id,
              "listing_source": "finance_office", "municipal_award_yuan": municipal_award_yuan,
              "municipal_award_ref": municipal_award_ref}
    try:
        rules.check_not_after(on, clock.today(), "listing")
        departure.check_here(record, on)
        decision = claim_rules.listing_award(rules.tier_on(record.certifications, on), listing.board, on,
                                             municipal_award_yuan, params.in_force(s, on, "award."), inputs)
    except rules.Ineligible as why:
        raise _refuse(why, "uscc") from None
    key = _next_key(s, f"listing:{uscc}", Award.program == "listing", Award.uscc == uscc)
    award = create(s, key, decision, uscc, uscc, "enterprise", on, listing.source_event_id, actor=actor)
    return _claimed(s, actor, _held_back(s, record, award, actor), decision)


def _held_back(s: Session, record: EnterpriseRecord, award: Award, actor: str) -> Award:
    """A claim dated while the enterprise was here, raised after it left: recorded, and withheld at once."""
    if departure.departed(record):
        withhold(s, [award], actor, departure.withheld_because(record))
    return award


def on_contract_signed(s: Session, event_id: str, data: ContractSigned) -> Award | None:
    """A contract signed in outreach: recorded (keyed by its id), and its award raised. A repeated
    event finds the award standing and pays nothing; a corrected one (new facts) replaces the
    record while no award stands on it. An ineligible contract is recorded in the audit log with
    the reason and pays nothing (not an error to retry; `POST /claims` re-raises it later)."""
    facts = {"kind": data.kind, "uscc": data.uscc, "buyer_uscc": data.buyer_uscc, "scenario_id": data.scenario_id,
             "proposal_id": data.proposal_id, "contract_yuan": data.contract_yuan, "signed_on": data.signed_on,
             "evidence": (data.evidence or "")[:200] or None}
    c = repository.contract(s, data.contract_id)
    if c is None:
        c = Contract(contract_id=data.contract_id, source_event_id=event_id, **facts)
        s.add(c)
        s.flush()
    elif any(getattr(c, k) != v for k, v in facts.items()):
        if repository.standing(s, Award.contract_id == c.contract_id) is None:
            for k, v in facts.items():
                setattr(c, k, v)
            c.source_event_id = event_id
        else:
            audit.record(s, f"event:{event_id}", "contract.change_ignored", "contract", str(c.contract_id), None,
                         {"reason": "an award stands on the contract as first recorded"})
    try:
        with s.begin_nested():  # a refused claim leaves nothing behind but the audit line below
            return raise_contract(s, c, f"event:{event_id}")
    except Problem as why:
        if why.code != "claim-exists":
            refused(s, f"event:{event_id}", "contract", str(c.contract_id), why, kind=c.kind, uscc=c.uscc)
        return None


def on_listed(s: Session, event_id: str, data: EnterpriseListed) -> None:
    """The finance office recorded a listing: keep it, the only ground of a listing award."""
    uscc, board = data.uscc.strip().upper(), data.board.strip().lower()
    row = repository.listing(s, uscc, board)
    if row is None:
        s.add(Listing(uscc=uscc, board=board, listed_on=data.listed_on, source_event_id=event_id))
    elif data.listed_on < row.listed_on:  # a repeated or corrected event: the earliest listing date stands
        row.listed_on, row.source_event_id = data.listed_on, event_id


def fallen(s: Session, record: EnterpriseRecord, cert: CertificationRecord) -> list[tuple[Award, str]]:
    """Claim awards (listing, scenario, ecosystem) depended on the tier held on the claim's date: those
    `cert` alone made eligible (eligible with it, not without it), each with why it no longer is. A
    claim another certification still covers stands, and so does one that fails for another reason
    (a floor raised since): losing this certification is not why."""
    without = rules.sound(record.certifications)
    with_it = [*without, cert.model_copy(update={"for_cause": False, "revoked_on": None, "state": "active"})]
    out = []
    for award in repository.standing_claims(s, record.uscc):
        in_force = params.in_force(s, award.decided_on, "award.")
        if claim_rules.claim_still_eligible(award.program, rules.tier_on(with_it, award.decided_on),
                                            award.decided_on, in_force):
            continue
        why = claim_rules.claim_still_eligible(award.program, rules.tier_on(without, award.decided_on),
                                               award.decided_on, in_force)
        if why:
            out.append((award, why))
    return out


def recheck(s: Session, record: EnterpriseRecord, revoked: CertificationRecord, event_id: str,
            reason: str | None) -> list[Award]:
    """After a revocation for cause, the claims the revoked certification made eligible are rejected
    (unpaid) or clawed back (paid)."""
    changed = []
    for award, why in fallen(s, record, revoked):
        target = "clawed_back" if award.state == "disbursed" else "rejected"
        move(s, award, target, f"event:{event_id}",
             f"认定撤销（{reason}），申领资格不再成立 / certification revoked for cause, the claim no longer "
             f"eligible: {why}")
        changed.append(award)
    return changed
