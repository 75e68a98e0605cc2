"""The claim route: thin."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from services.awards.auth import Claimant
from services.awards.claims import service
from services.awards.claims.schemas import ClaimIn, EcosystemClaim, ListingClaim, ScenarioClaim
from services.awards.workflow.schemas import AwardDetail
from services.awards.workflow.service import detail
from shared.sessions import WriteSession

router = APIRouter(tags=["awards"])

ClaimBody = Annotated[ClaimIn, Body(openapi_examples={
    m.__name__: {"summary": m.__doc__.split("\n")[0], "value": m.model_config["json_schema_extra"]["examples"][0]}
    for m in (ScenarioClaim, EcosystemClaim, ListingClaim)})]


@router.post("/claims", status_code=201, summary="申领奖励（区经信局） / Claim a listing, scenario-application or "
                                                 "ecosystem award (区经信局)")
def post_claim(body: ClaimBody, who: Claimant, session: WriteSession) -> AwardDetail:
    """依据外联记录的合同（场景、生态）或金融办记录的上市申领奖励，得到已核定的奖励，或说明不予奖励的原因。
    Claims an award against a fact its owner recorded (outreach's contract, the finance office's listing):
    the computed award, or a problem saying why not."""
    return detail(session, service.claim(session, body, who.actor))
