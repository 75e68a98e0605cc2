"""Table-driven tests of the registry's pure rules."""
import datetime as dt

import pytest
from sqlalchemy import select

from services.registry.certifications import rules
from services.registry.certifications.rules import Cert

D = dt.date


@pytest.mark.parametrize("recognized, years, last_day", [
    (D(2024, 3, 1), 3, D(2027, 2, 28)),
    (D(2022, 9, 10), 3, D(2025, 9, 9)),
    (D(2024, 2, 29), 3, D(2027, 2, 28)),   # leap day: anniversary falls on 1 March
    (D(2024, 2, 29), 4, D(2028, 2, 28)),
    (D(2023, 1, 1), 1, D(2023, 12, 31)),
])
def test_expiry_is_the_day_before_the_anniversary(recognized, years, last_day):
    assert rules.expiry(recognized, years) == last_day


SRDI = Cert(1, "municipal_srdi", D(2024, 3, 1), D(2027, 2, 28))
MLG = Cert(2, "municipal_little_giant", D(2024, 10, 1), D(2027, 9, 30))
NLG_OLD = Cert(3, "national_little_giant", D(2020, 1, 1), D(2022, 12, 31))


@pytest.mark.parametrize("certs, on, tier", [
    ([], D(2024, 1, 1), "sme"),
    ([SRDI], D(2024, 2, 29), "sme"),
    ([SRDI], D(2024, 3, 1), "municipal_srdi"),
    ([SRDI], D(2027, 2, 28), "municipal_srdi"),
    ([SRDI], D(2027, 3, 1), "sme"),
    ([SRDI, MLG], D(2025, 1, 1), "municipal_little_giant"),
    ([SRDI, MLG], D(2027, 3, 1), "municipal_little_giant"),
    ([NLG_OLD, SRDI], D(2022, 6, 1), "national_little_giant"),
    ([NLG_OLD, SRDI], D(2024, 6, 1), "municipal_srdi"),
    ([Cert(9, "national_little_giant", D(2024, 1, 1), D(2026, 12, 31), revoked_on=D(2025, 1, 1)), SRDI],
     D(2025, 1, 1), "municipal_srdi"),
])
def test_tier_on_a_date(certs, on, tier):
    assert rules.tier_on(certs, on) == tier


def test_promotion_and_first_time():
    change = rules.change_on_add([SRDI], MLG)
    assert (change.kind, change.from_tier, change.to_tier) == ("promoted", "municipal_srdi", "municipal_little_giant")
    assert rules.first_time_at([SRDI], "municipal_little_giant")
    renewal = Cert(4, "municipal_srdi", D(2027, 3, 1), D(2030, 2, 28))
    assert rules.change_on_add([SRDI], renewal).from_tier == "sme"  # it had lapsed: a promotion...
    assert not rules.first_time_at([SRDI], "municipal_srdi")         # ...but not a first time
    assert rules.change_on_add([MLG], Cert(5, "municipal_srdi", D(2025, 1, 1), D(2027, 12, 31))) is None


def test_expiry_demotes_only_when_the_tier_falls():
    change = rules.change_on_expiry([SRDI, MLG], SRDI)
    assert change is None  # the little giant title still holds
    change = rules.change_on_expiry([NLG_OLD], NLG_OLD)
    assert (change.from_tier, change.to_tier, change.on) == ("national_little_giant", "sme", D(2023, 1, 1))


def test_counts_and_holders():
    counts, holders = rules.tier_counts({"a": [SRDI, MLG], "b": [SRDI], "c": []}, D(2025, 1, 1))
    assert counts["municipal_little_giant"] == 1 and counts["municipal_srdi"] == 1 and counts["sme"] == 1
    assert holders["municipal_srdi"] == 2 and holders["municipal_little_giant"] == 1


async def test_database_counts_equal_the_pure_rule(suite):
    """The SQL aggregation in statistics.service.tier_stats agrees with rules.tier_counts on random histories."""
    import random

    from services.registry.statistics import service
    from services.registry.tables import Certification, Enterprise
    from shared.testing import make_uscc

    rng = random.Random(11)
    tiers = ["innovative", "potential", "municipal_srdi", "municipal_little_giant", "national_little_giant",
             "single_champion"]
    with suite.db("registry").transaction() as s:
        for _ in range(60):
            u = make_uscc()
            s.add(Enterprise(uscc=u, name="统计对照", version=1, doc="{}"))
            s.flush()
            for _ in range(rng.randint(0, 3)):
                on = D(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
                s.add(Certification(uscc=u, tier=rng.choice(tiers), recognized_on=on, expires_on=rules.expiry(on, 3),
                                    source="manual", state="active",
                                    revoked_on=on + dt.timedelta(days=rng.randint(1, 900)) if rng.random() < 0.2 else None))
            s.flush()
    with suite.db("registry").reader() as s:
        by: dict = {u: [] for u in s.scalars(select(Enterprise.uscc))}
        for c in s.scalars(select(Certification)):
            by[c.uscc].append(rules.Cert(c.id, c.tier, c.recognized_on, c.expires_on, c.revoked_on))
        for on in (D(2021, 6, 30), D(2023, 1, 1), D(2024, 12, 31), D(2026, 3, 1), D(2028, 1, 1)):
            counts, holders = rules.tier_counts(by, on)
            got = service.tier_stats(s, on)
            assert (got.counts, got.holders) == (counts, holders), on
