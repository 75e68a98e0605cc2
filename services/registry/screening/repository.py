"""Every query of screening and dynamic management. Who may read what is the enterprises'
`readable(who)` (a park operator sees its own enterprises, and so their indicators, change
reports, renewals and place on the cultivation list)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.enterprises import repository as enterprises
from services.registry.tables import AnnualUpdate, Certification, ChangeReport, Enterprise, Indicator
from shared import params
from shared.auth import Principal
from shared.errors import Problem

# The parameters these sub-domains read, as the bureau names them (for the Chinese half of a problem).
PARAM_ZH = {"change_report.months": "重大变更报告期限", "renewal.notice_months": "复核提示期",
            "annual_update.deadline": "年度数据更新截止日", "targets.yearly": "年度培育目标",
            "service_package.routing": "诉求分派部门", "service_package.deadline_days": "诉求办理时限",
            "reminder.title_lapse.months": "称号到期提前提醒月数", "reminder.annual_update.months": "年度更新提前提醒月数",
            "reminder.annual_update.min_tier": "须年度数据更新的最低称号"}


def param(s: Session, on: dt.date, key: str) -> params.Param:
    """The policy parameter in force on a date; none is the caller's 422 (a date before the policy)."""
    p = params.in_force(s, on, key).get(key)
    if p is None:
        raise Problem(422, "no-parameter", f"{on} 没有生效的政策参数“{PARAM_ZH.get(key, '未命名参数')}”",
                      f"No parameter {key} in force on {on}")
    return p


def indicators(s: Session, uscc: str) -> list[Indicator]:
    return list(s.scalars(select(Indicator).where(Indicator.uscc == uscc).order_by(Indicator.year)))


def indicator_facts(s: Session, first: int, last: int) -> dict[str, dict[int, dict]]:
    """Every enterprise's recorded facts by year, for the years first..last."""
    years: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in s.scalars(select(Indicator).where(Indicator.year.between(first, last))):
        years[row.uscc][row.year] = orjson.loads(row.facts)
    return years


def change_reports(s: Session, uscc: str) -> list[ChangeReport]:
    return list(s.scalars(select(ChangeReport).where(ChangeReport.uscc == uscc).order_by(ChangeReport.changed_on)))


def expiring(s: Session, who: Principal | None, on: dt.date, last: dt.date) -> list[tuple[Certification, Enterprise]]:
    """Titles not revoked whose last valid day falls within [on, last], with their enterprises
    (readable by `who`; None: every enterprise), by expiry."""
    stmt = (select(Certification, Enterprise).join(Enterprise, Enterprise.uscc == Certification.uscc)
            .where(Certification.state.not_in(("revoked", "voided")), Certification.expires_on >= on,
                   Certification.expires_on <= last, Certification.tier != "potential")
            .order_by(Certification.expires_on, Certification.id))
    if who is not None and not enterprises.may_read(who, None):  # a caller who does not read them all
        stmt = stmt.where(Certification.uscc.in_(enterprises.readable(who, Enterprise.uscc)))
    return [(c, e) for c, e in s.execute(stmt)]


def annual_updates_filed(s: Session, usccs) -> dict[str, dict[int, dt.date]]:
    filed: dict[str, dict[int, dt.date]] = defaultdict(dict)
    for u in s.scalars(select(AnnualUpdate).where(AnnualUpdate.uscc.in_(usccs))):
        filed[u.uscc][u.year] = u.submitted_on
    return filed


def known(s: Session, usccs) -> set[str]:
    """Which of `usccs` the registry holds."""
    return set(s.scalars(select(Enterprise.uscc).where(Enterprise.uscc.in_(usccs)))) if usccs else set()
