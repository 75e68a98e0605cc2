"""Pure rules of the claim awards (listing, scenario application, ecosystem contract) over dated
parameters: each refusal is an `Ineligible` with its code and the reason in Chinese and English."""
from __future__ import annotations

import datetime as dt

from services.awards.parameters import param_zh
from services.awards.rules import Decision, Ineligible, cite
from shared.contracts.finance import BOARD_ZH
from shared.params import Param
from shared.tiers import TIER_ZH, rank



def share(amount_yuan: int, basis_points: int) -> int:
    """A rate applied to whole 元, rounded down (integer arithmetic, never floats)."""
    return amount_yuan * basis_points // 10_000


def _need(params: dict[str, Param], *keys: str) -> list[Param]:
    missing = [k for k in keys if k not in params]
    if missing:
        raise Ineligible("no-parameter", f"该日期无有效政策参数：{'、'.join(param_zh(k) for k in missing)}",
                         f"No policy parameter in force on that date: {', '.join(missing)}")
    return [params[k] for k in keys]


def check_srdi(tier: str, on: dt.date, params: dict[str, Param], key: str = "award.claim.min_tier") -> Param:
    """Only SRDI enterprises (tier ≥ the parameter on the date) may claim."""
    (floor,) = _need(params, key)
    if rank(tier) < rank(floor.value):
        raise Ineligible("not-eligible", f"企业在 {on} 的层级为{TIER_ZH.get(tier, tier)}，低于申领所需的"
                         f"{TIER_ZH.get(floor.value, floor.value)}",
                         f"On {on} the enterprise's tier is {tier}, below the {floor.value} a claim needs")
    return floor


CLAIM_FLOOR = {"listing": "award.listing.min_tier", "scenario": "award.claim.min_tier",
               "ecosystem": "award.claim.min_tier"}


def claim_still_eligible(program: str, tier: str, on: dt.date, params: dict[str, Param]) -> str | None:
    """After a certification is revoked for cause, whether a claim award still stands: None when the
    tier the enterprise holds on the claim's date without that certification still meets the floor
    in force on that date, else why not (Chinese / English, for the award's history)."""
    try:
        check_srdi(tier, on, params, CLAIM_FLOOR[program])
    except Ineligible as why:
        return f"{why.zh} / {why.en}"
    return None


def check_chosen(scenario_id: int | None, proposal_id: int | None) -> None:
    """A scenario award only for a contract with the scenario's chosen proposal (outreach publishes
    scenario contracts only for chosen proposals, naming both)."""
    if scenario_id is None or proposal_id is None:
        raise Ineligible("not-chosen", "该合同未关联场景的入选方案，不能给予场景应用奖励",
                         "The contract names no chosen proposal of a scenario: no scenario award")


def scenario_award(tier: str, contract_yuan: int, signed_on: dt.date, already_yuan: int,
                   params: dict[str, Param], inputs: dict) -> Decision:
    """20% of the contract (a rate in basis points), at most the cap per enterprise per scenario
    per calendar year; the cap counts what was already awarded, so the claim that crosses it
    gets the remainder and later ones nothing."""
    floor = check_srdi(tier, signed_on, params)
    rate, cap = _need(params, "award.scenario.rate_bp", "award.scenario.cap_yuan")
    full = share(contract_yuan, int(rate.value))
    room = max(int(cap.value) - already_yuan, 0)
    amount = min(full, room)
    if full <= 0:
        raise Ineligible("nothing-to-award", "按比例计算的奖励为 0 元", "The rate gives 0 yuan")
    if amount <= 0:
        raise Ineligible("cap-reached", f"该场景 {signed_on.year} 年度奖励已达上限 {int(cap.value)} 元",
                         f"The scenario's {signed_on.year} cap of {int(cap.value)} yuan is already reached",
                         status=409)
    return Decision("scenario", amount, {
        "rule": "scenario_application_award",
        "explanation": f"合同额 {contract_yuan} 元 × {int(rate.value) / 100:g}% = {full} 元；"
                       f"{signed_on.year} 年该场景已获 {already_yuan} 元，上限 {int(cap.value)} 元，核定 {amount} 元",
        "inputs": {**inputs, "tier_on_date": tier}, "full_yuan": full, "already_awarded_yuan": already_yuan,
        "cap_yuan": int(cap.value), "capped": amount < full,
        "parameters": cite(floor, rate, cap)})


def ecosystem_award(tier: str, contract_yuan: int, signed_on: dt.date, buyer_in_district: bool,
                    params: dict[str, Param], inputs: dict) -> Decision:
    """5% of a contract between two enterprises both in the district's registry."""
    floor = check_srdi(tier, signed_on, params)
    if not buyer_in_district:
        raise Ineligible("buyer-not-in-district", "采购方不在本区企业名录中",
                         "The buyer is not an enterprise in the district registry")
    (rate,) = _need(params, "award.ecosystem.rate_bp")
    amount = share(contract_yuan, int(rate.value))
    if amount <= 0:
        raise Ineligible("nothing-to-award", "按比例计算的奖励为 0 元", "The rate gives 0 yuan")
    return Decision("ecosystem", amount, {
        "rule": "ecosystem_contract_award",
        "explanation": f"区内企业间合同额 {contract_yuan} 元 × {int(rate.value) / 100:g}% = {amount} 元",
        "inputs": {**inputs, "tier_on_date": tier}, "parameters": cite(floor, rate)})


def listing_award(tier: str, board: str, listed_on: dt.date, municipal_award_yuan: int,
                  params: dict[str, Param], inputs: dict) -> Decision:
    """An SRDI enterprise listed on one of the boards gets the municipal award matched (ratio in
    basis points, 10,000 = 1:1)."""
    floor = check_srdi(tier, listed_on, params, "award.listing.min_tier")
    boards, ratio = _need(params, "award.listing.boards", "award.listing.match_bp")
    if board not in boards.value:
        raise Ineligible("board-not-eligible", f"上市板块{BOARD_ZH.get(board, '（未列明板块）')}不在奖励范围内"
                         f"（{'、'.join(BOARD_ZH.get(b, '未列明板块') for b in boards.value)}）",
                         f"Board {board} is not one the award covers ({', '.join(boards.value)})")
    amount = share(municipal_award_yuan, int(ratio.value))
    if amount <= 0:
        raise Ineligible("nothing-to-award", "市级奖励为 0 元，配套为 0 元", "A 0 yuan municipal award matches 0")
    return Decision("listing", amount, {
        "rule": "listing_matching_award",
        "explanation": f"{listed_on} 于{BOARD_ZH.get(board, '未列明板块')}上市，市级奖励 {municipal_award_yuan} 元，"
                       f"按 {int(ratio.value) / 10_000:g}:1 配套 {amount} 元",
        "inputs": {**inputs, "tier_on_date": tier}, "parameters": cite(floor, boards, ratio)})
