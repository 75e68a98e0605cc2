"""The what-if route: thin."""
from __future__ import annotations

from fastapi import APIRouter

from services.awards.auth import Simulator
from services.awards.simulation import service
from services.awards.simulation.schemas import SimulationIn, SimulationPublic
from shared.sessions import ReadSession

router = APIRouter(tags=["awards"])


@router.post("/simulations", summary="政策测算 / Cost a parameter set over a period next to the policy in force "
                                     "(changes nothing)")
def post_simulation(body: SimulationIn, who: Simulator, session: ReadSession) -> SimulationPublic:
    """按参数集（及另行试算的参数值）测算期间内各项目、各收款方的奖励，与现行政策对比；不改变任何奖励。
    Costs a parameter set (and values tried on top) per programme and payee over a period, next to the
    policy in force, and the difference; changes nothing."""
    return service.simulate(session, body.parameter_set, body.parameters, body.period.from_, body.period.to)
