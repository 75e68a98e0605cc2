"""Property tests (Hypothesis) over random histories of promotions, renewals, revocations,
duplicate and reordered events: pure replay and the real handlers on a real database."""
import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from services.awards import rules
from services.awards.ledger.service import budget_figures, set_budget
from services.awards.main import SPEC
from services.awards.projection.service import on_promotion, on_revocation
from services.awards.simulation.rules import replay
from services.awards.tables import Award
from services.awards.tests.sets import shipped
from services.awards.workflow.service import create, transition
from shared import clock
from shared.auth import Principal
from shared.contracts.registry import CertificationRecord, CertificationRevoked, EnterprisePromoted, EnterpriseRecord
from shared.db import Database
from shared.errors import Problem
from shared.migrate import upgrade

SETS = shipped()

TIERS = ["municipal_srdi", "municipal_little_giant", "national_little_giant"]
ids = itertools.count(1)


@st.composite
def histories(draw):
    """Certifications of one enterprise (renewals are the same tier recognised again), their
    revocations, and the event stream delivering them duplicated and out of order."""
    n = draw(st.integers(1, 7))
    certs, seen = [], set()
    day = dt.date(2022, 1, 1)
    for _ in range(n):
        day += dt.timedelta(days=draw(st.integers(1, 240)))  # every fact on or before today
        tier = draw(st.sampled_from(TIERS))
        certs.append({"id": next(ids), "tier": tier, "on": day, "first": tier not in seen,
                      "revoked": draw(st.booleans()) and draw(st.booleans())})
        seen.add(tier)
    events = [("promoted", c) for c in certs] + [("revoked", c) for c in certs if c["revoked"]]
    events += draw(st.lists(st.sampled_from(events), max_size=4))  # duplicates
    return certs, draw(st.permutations(events))


def promotions(certs, keep_revoked=False):
    return [rules.Promotion("U", c["id"], c["tier"], c["on"], c["first"])
            for c in certs if keep_revoked or not c["revoked"]]


def tier_sums(awards):
    first = sum(d.amount_yuan for _, _, d, _ in awards if d.basis["rule"] == "tier_award_with_top_up")
    again = sum(d.amount_yuan for _, _, d, _ in awards if d.basis["rule"] == "tier_first_renewal_award")
    return first, again


@pytest.mark.parametrize("name", SETS)
@given(h=histories())
@settings(max_examples=150, deadline=None)
def test_pure_tier_awards_never_exceed_the_highest_tier(name, h):
    certs, _ = h
    params = SETS[name]
    awards = replay(promotions(certs), {}, [], lambda _: params, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    reached = [c["tier"] for c in certs if not c["revoked"]]
    ceiling = max((int(params[f"award.tier.{t}"].value) for t in reached if f"award.tier.{t}" in params), default=0)
    first, again = tier_sums(awards)
    assert first <= ceiling and again <= ceiling
    assert all(d.amount_yuan > 0 for _, _, d, _ in awards)
    if not params["award.tier.pay_first_renewal"].value:
        assert again == 0


@given(h=histories(), data=st.data())
@settings(max_examples=100, deadline=None)
def test_pure_replay_ignores_duplicates_and_order(h, data):
    certs, _ = h
    base = promotions(certs)
    noisy = data.draw(st.permutations(base + data.draw(st.lists(st.sampled_from(base), max_size=5)) if base else []))
    params = SETS["fangshan_2025"]
    once = replay(base, {}, [], lambda _: params, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    again = replay(noisy, {}, [], lambda _: params, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    assert [(d.program, d.amount_yuan, on) for _, on, d, _ in once] == [(d.program, d.amount_yuan, on)
                                                                         for _, on, d, _ in again]


# -- the real handlers on a real database --------------------------------------------------------
@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = Database(f"sqlite:///{tmp_path_factory.mktemp('awards-props')}/awards.db")
    upgrade(d.engine, "awards", SPEC.migrations, SPEC.metadata)
    yield d
    d.dispose()


usccs = (f"9111011100000{n:05d}" for n in itertools.count())


def registry_stream(uscc, certs):
    """The registry's events for a history, each carrying the whole record at its version: one
    promotion per certification (in recognition order), then one revocation per revoked one."""
    revoked = set()

    def record(version, upto):
        items = tuple(CertificationRecord(
            id=c["id"], tier=c["tier"], recognized_on=c["on"], expires_on=c["on"] + dt.timedelta(days=1094),
            revoked_on=c["on"] + dt.timedelta(days=30) if c["id"] in revoked else None,
            for_cause=c["id"] in revoked, state="revoked" if c["id"] in revoked else "active") for c in certs[:upto])
        return EnterpriseRecord(uscc=uscc, name="测试", version=version, certifications=items,
                                relocated_on=dt.date(2022, 1, 1), relocated_from_code="130600",
                                relocated_from="河北省保定市", introducer="某咨询公司")
    out = {}
    for i, c in enumerate(certs):
        r = record(2 + i, i + 1)
        out[("promoted", c["id"])] = EnterprisePromoted(
            uscc=uscc, enterprise_version=r.version, record=r, name="测试", from_tier="sme", to_tier=c["tier"],
            certification_id=c["id"], recognized_on=c["on"], expires_on=c["on"] + dt.timedelta(days=1094),
            first_time_at_tier=c["first"])
    version = 2 + len(certs)
    for c in certs:
        if c["revoked"]:
            revoked.add(c["id"])
            r = record(version, len(certs))
            out[("revoked", c["id"])] = CertificationRevoked(
                uscc=uscc, enterprise_version=version, record=r, name="测试", certification_id=c["id"],
                tier=c["tier"], reason="虚假申报", for_cause=True, revoked_on=c["on"] + dt.timedelta(days=30))
            version += 1
    return out


def deliver(db, stream, kind, c, n):
    data = stream[(kind, c["id"])]
    with db.transaction() as s:
        (on_promotion if kind == "promoted" else on_revocation)(s, f"e{n}", data)


def awards(db, uscc):
    with db.reader() as s:
        return [(a.award_key, a.amount_yuan, a.state, a.basis["rule"])
                for a in s.scalars(select(Award).where(Award.uscc == uscc).order_by(Award.award_key))]


@given(h=histories())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_handlers_never_pay_more_than_the_highest_tier_and_replay_changes_nothing(db, h):
    certs, order = h
    uscc = next(usccs)
    stream = registry_stream(uscc, certs)
    for n, (kind, c) in enumerate(order):
        deliver(db, stream, kind, c, n)
    first = awards(db, uscc)
    counted = [a for a in first if a[2] in rules.COUNTED]
    held = {c["tier"] for c in certs if not c["revoked"]}
    ceiling = max((int(SETS["seed_proposal"][f"award.tier.{t}"].value) for t in held), default=0)
    assert sum(a[1] for a in counted if a[3] == "tier_award_with_top_up") <= ceiling
    assert all(a[2] in ("computed", "rejected", "withdrawn") for a in first)
    revoked = {c["id"] for c in certs if c["revoked"]}
    with db.reader() as s:
        for a in s.scalars(select(Award).where(Award.uscc == uscc)):
            assert (a.state == "rejected") == (a.certification_id in revoked)
            # withdrawn only as beyond what the sound history earns (made good under a title later revoked)
            assert (a.state == "withdrawn") == (a.flag == "over_entitlement")
    # Whatever the order of delivery, the tier awards that stand add up to the award of the highest
    # tier the sound history reached (晋级补差; the seed pays no renewals), and the relocation and
    # introducer awards stand once if any sound title does (moved in before the first title).
    assert sum(a[1] for a in counted if a[0].startswith("tier")) == ceiling
    once = 200_000 if held else 0
    assert [sum(a[1] for a in counted if a[0].startswith(p)) for p in ("relocation", "introducer")] == [once, once]
    for n, (kind, c) in enumerate(reversed(order)):  # the whole stream again, backwards
        deliver(db, stream, kind, c, 1000 + n)
    assert awards(db, uscc) == first


def test_a_lower_title_made_good_under_a_higher_title_later_revoked_stands_no_higher(db):
    """Found by the property above (1 in ~1,500): the later 市级小巨人 arrives first and is paid in full
    (500,000); a revocation of an unrelated 市级专精特新 renewal makes good the earlier 市级专精特新
    (300,000) and part of the national award, under the national title's ceiling (1,000,000); then
    the national title is revoked for cause. The sound history earns 500,000: the made-good 300,000,
    unpaid, is withdrawn (over_entitlement), not left standing beside the full 500,000."""
    day = dt.date(2022, 1, 1)
    spec = [("municipal_srdi", False), ("municipal_srdi", True), ("national_little_giant", True),
            ("municipal_srdi", False), ("municipal_little_giant", False)]
    certs, seen = [], set()
    for n, (tier, revoked) in enumerate(spec, start=1):
        certs.append({"id": next(ids), "tier": tier, "on": day + dt.timedelta(days=n), "first": tier not in seen,
                      "revoked": revoked})
        seen.add(tier)
    s1, s2, national, s3, little = certs
    order = [("promoted", s2), ("promoted", little), ("promoted", s3), ("promoted", s1), ("revoked", s2),
             ("promoted", national), ("revoked", national)]
    uscc = next(usccs)
    stream = registry_stream(uscc, certs)
    for n, (kind, c) in enumerate(order):
        deliver(db, stream, kind, c, n)
    first = awards(db, uscc)
    tier = {(key.split(":")[2], state): yuan for key, yuan, state, _ in first if key.startswith("tier:")}
    assert tier == {("municipal_little_giant", "computed"): 500_000, ("municipal_srdi", "withdrawn"): 300_000,
                    ("national_little_giant", "rejected"): 200_000}
    with db.reader() as s:
        withdrawn = s.scalars(select(Award).where(Award.uscc == uscc, Award.state == "withdrawn")).one()
    assert withdrawn.flag == "over_entitlement" and "超出应得" in withdrawn.flag_reason
    for n, (kind, c) in enumerate(reversed(order)):  # a replay changes nothing
        deliver(db, stream, kind, c, 100 + n)
    assert awards(db, uscc) == first


@given(amounts=st.lists(st.integers(1, 400_000), min_size=1, max_size=8),
       allocated=st.integers(0, 1_000_000),
       actions=st.lists(st.tuples(st.integers(0, 7), st.sampled_from(["approve", "reject", "disburse"])),
                        max_size=25))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_disbursed_never_exceeds_the_budget(db, amounts, allocated, actions):
    program = f"p{next(ids)}"
    year = clock.today().year
    made = []
    with db.transaction() as s:
        set_budget(s, year, program, allocated, "treasury:-:t")
        for i, yuan in enumerate(amounts):
            d = rules.Decision(program, yuan, {"rule": "test", "explanation": "t"})
            a = create(s, f"{program}:{i}", d, "U", "U", "enterprise", dt.date(2024, 1, 1), f"ev{i}")
            transition(s, Principal("econ", None, "t"), a.id, "review")  # the state moves only by transitions
            made.append(a.id)
    for index, action in actions:
        if index >= len(made):
            continue
        role = "treasury"
        try:
            with db.transaction() as s:
                transition(s, Principal(role, None, "t"), made[index], action, reason="r", voucher="v")
        except Problem as p:
            assert p.status in (409,)
        with db.reader() as s:
            fig = budget_figures(s, year, program)[program]
        assert 0 <= fig["disbursed_yuan"] and fig["reserved_yuan"] >= 0
        assert fig["disbursed_yuan"] + fig["reserved_yuan"] <= allocated
