"""Statistics from maintained counts (issue 15 item 4): random certification histories, changed
afterwards (revocations, voids, departures, township and park edits, deletions), give the same
tier counts and the same stock and new per period, overall and per group, from the maintained
deltas as from the scan they replaced (repository.tier_counts_scan and rules.period_counts)."""
import datetime as dt
import random

from sqlalchemy import func, select

from services.registry.certifications.rules import expiry
from services.registry.statistics import counts, repository, rules, service
from services.registry.tables import Certification, Enterprise, TierCountBasis, TierCountDelta
from services.registry.townships.rules import group_key
from shared.testing import make_uscc

D = dt.date
TIERS = ["innovative", "potential", "municipal_srdi", "municipal_little_giant", "national_little_giant",
         "single_champion"]
TOWNS = ["良乡", "良乡镇", "拱辰街道", None, "不存在的乡"]
DATES = (D(2020, 12, 31), D(2021, 6, 30), D(2023, 1, 1), D(2024, 12, 31), D(2026, 3, 1), D(2028, 1, 1))


def scan_new_stats(s, start, end, by):
    """The old stats/new: every certification loaded and counted with the pure rules."""
    group_of = repository.enterprise_groups(s, by)
    if by == "township":
        group_of = {u: group_key(k) for u, k in group_of.items()}
    by_enterprise: dict = {u: [] for u in group_of}
    for c in repository.certification_dates(s):
        by_enterprise[c.uscc].append(c)
    gone = repository.departures(s)
    total = rules.period_counts(by_enterprise, start, end, gone)
    groups: dict = {}
    for u, certs in by_enterprise.items():
        groups.setdefault(group_of[u] or "", {})[u] = certs
    return total, [{"key": k or None, "tiers": rules.period_counts(m, start, end, gone)}
                   for k, m in sorted(groups.items())] if by else None


def assert_same(s):
    for on in DATES:
        assert repository.tier_counts(s, on) == repository.tier_counts_scan(s, on), on
    for start, end in ((D(2021, 1, 1), D(2021, 12, 31)), (D(2023, 3, 1), D(2024, 6, 30)), (D(2026, 1, 1), D(2026, 1, 1))):
        for by in (None, "township", "park", "industry"):
            got = service.new_stats(s, start, end, by).model_dump(mode="json")
            tiers, groups = scan_new_stats(s, start, end, by)
            assert got["tiers"] == tiers, (start, by)
            if by:
                assert got["groups"] == groups, (start, by)


def random_history(s, rng, n=40) -> list[str]:
    firms = []
    for _ in range(n):
        u = make_uscc()
        firms.append(u)
        s.add(Enterprise(uscc=u, name="计数对照", version=1, doc="{}", township=rng.choice(TOWNS),
                         park_id=rng.choice(["P-C1", "P-C2", None]), industry_code=rng.choice(["C35", "C39", None])))
        s.flush()
        for _ in range(rng.randint(0, 4)):
            on = D(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2200))
            tier = rng.choice(TIERS)
            if s.scalar(select(func.count()).select_from(Certification).where(
                    Certification.uscc == u, Certification.tier == tier, Certification.recognized_on == on)):
                continue
            s.add(Certification(uscc=u, tier=tier, recognized_on=on, expires_on=expiry(on, 3), source="manual",
                                state="active",
                                revoked_on=on + dt.timedelta(days=rng.randint(0, 900)) if rng.random() < 0.2 else None))
        s.flush()
    return firms


async def test_maintained_counts_equal_the_scan(suite):
    rng = random.Random(15)
    db = suite.db("registry")
    with db.transaction() as s:
        firms = random_history(s, rng)
    with db.reader() as s:
        assert_same(s)
    with db.transaction() as s:  # later changes: each rewrites only that enterprise's contribution
        certs = list(s.scalars(select(Certification).where(Certification.uscc.in_(firms))))
        for c in rng.sample(certs, 8):
            c.state, c.revoked_on = "revoked", c.recognized_on + dt.timedelta(days=rng.randint(0, 500))
        for c in rng.sample(certs, 5):
            c.state, c.voided_on = "voided", D(2026, 1, 5)
        for u in rng.sample(firms, 6):
            e = s.get(Enterprise, u)
            e.status, e.status_on = "moved_out", D(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 1800))
        for u in rng.sample(firms, 6):
            e = s.get(Enterprise, u)
            e.township, e.park_id, e.industry_code = rng.choice(TOWNS), rng.choice(["P-C1", "P-C3", None]), "C40"
        s.flush()
        s.delete(rng.choice([c for c in certs if c.state == "active"]))
        s.flush()
    with db.reader() as s:
        assert_same(s)
    with db.transaction() as s:  # a transaction that fails leaves the counts as they were
        before = s.scalar(select(func.sum(TierCountDelta.delta)))
    try:
        with db.transaction() as s:
            random_history(s, rng, 3)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    with db.reader() as s:
        assert s.scalar(select(func.sum(TierCountDelta.delta))) == before
        assert_same(s)


async def test_rebuild_gives_the_same_counts(suite):
    db = suite.db("registry")
    with db.transaction() as s:
        random_history(s, random.Random(16), 10)
    with db.reader() as s:
        kept = {on: repository.tier_counts(s, on) for on in DATES}
        basis = {u: c for u, c in s.execute(select(TierCountBasis.uscc, TierCountBasis.contribution))}
    with db.transaction() as s:
        counts.rebuild(s.connection())
    with db.reader() as s:
        assert {on: repository.tier_counts(s, on) for on in DATES} == kept
        assert {u: c for u, c in s.execute(select(TierCountBasis.uscc, TierCountBasis.contribution))} == basis


def test_contribution_of_one_enterprise():
    certs = [rules_cert("innovative", D(2021, 1, 1), D(2023, 12, 31)),
             rules_cert("municipal_srdi", D(2022, 1, 1), D(2024, 12, 31), revoked_on=D(2023, 6, 1))]
    c = rules.contribution(certs, D(2024, 1, 1))
    assert c[(rules.EVER, "present", "")] == 1 and c[(D(2024, 1, 1), "present", "")] == -1
    assert c[(D(2021, 1, 1), "current", "innovative")] == 1
    assert c[(D(2022, 1, 1), "current", "innovative")] == -1 and c[(D(2022, 1, 1), "current", "municipal_srdi")] == 1
    assert c[(D(2023, 6, 1), "title", "municipal_srdi")] == -1 and c[(D(2024, 1, 1), "title", "innovative")] == -1
    assert sum(c.values()) == 0  # everything it added it takes away once it has left


def rules_cert(tier, on, last, revoked_on=None):
    from services.registry.certifications.rules import Cert
    return Cert(0, tier, on, last, revoked_on)


async def test_an_import_tells_the_counts_what_it_wrote(suite):
    """A bulk import writes with Core and hands the counts its enterprises and certifications as
    written (counts.known), chunk after chunk, without a read-back: the counts and every
    enterprise's basis are still those a rebuild from the tables gives, after a first list and a
    second one that adds titles to enterprises of the first."""
    from services.registry.imports import jobs, parsing
    from services.registry.tests import listgen

    db = suite.db("registry")
    with db.transaction() as s:
        random_history(s, random.Random(17), 10)  # enterprises the lists do not name
    for seed, n in ((151, 1300), (152, 1300)):  # more than two chunks each (jobs.IMPORT_CHUNK)
        rows, _ = listgen.make(seed=seed, n=n)
        parsed = list(parsing.read_list_file("list.csv", listgen.to_csv(rows)))
        report = jobs.run_import(db, "econ:test", parsed)
        assert report["created"] > 500
    with db.reader() as s:
        assert_same(s)
        kept = {on: repository.tier_counts(s, on) for on in DATES}
        basis = dict(s.execute(select(TierCountBasis.uscc, TierCountBasis.contribution)).all())
    with db.transaction() as s:
        counts.rebuild(s.connection())
    with db.reader() as s:
        assert {on: repository.tier_counts(s, on) for on in DATES} == kept
        assert dict(s.execute(select(TierCountBasis.uscc, TierCountBasis.contribution)).all()) == basis
