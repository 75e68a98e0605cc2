"""Table-driven tests of the parks' pure rules, at each threshold's edge."""
import datetime as dt

import pytest

from services.parks import parameters, rules
from services.parks.rules import Change, ParkFacts, Stay
from shared.contracts.registry import CertificationRecord
from shared.params import Param

D = dt.date
FAR = D(2099, 12, 31)


def cert(tier, on, until=FAR, revoked=None, id=1):
    """A certification as the registry's record carries it (`until`: the last valid day)."""
    return CertificationRecord(id=id, tier=tier, recognized_on=on, expires_on=until, revoked_on=revoked)


def titles(*certs):
    return tuple(c.model_copy(update={"id": i}) for i, c in enumerate(certs, 1))


SRDI, NLG, MLG, INNOV = "municipal_srdi", "national_little_giant", "municipal_little_giant", "innovative"


@pytest.mark.parametrize("certs, expected", [
    ((), []),
    ((cert(SRDI, D(2024, 3, 1), D(2027, 2, 28)),), [(D(2024, 3, 1), "sme", SRDI), (D(2027, 3, 1), SRDI, "sme")]),
    # a renewal (复核) at the same tier the day after the last valid day: no change between them
    ((cert(SRDI, D(2021, 3, 1), D(2024, 2, 29)), cert(SRDI, D(2024, 3, 1), D(2027, 2, 28))),
     [(D(2021, 3, 1), "sme", SRDI), (D(2027, 3, 1), SRDI, "sme")]),
    # a back-dated lower title recorded after a higher one sets the earlier dates only
    ((cert(MLG, D(2024, 6, 1), D(2027, 5, 31)), cert(INNOV, D(2023, 2, 1), D(2026, 1, 31))),
     [(D(2023, 2, 1), "sme", INNOV), (D(2024, 6, 1), INNOV, MLG), (D(2027, 6, 1), MLG, "sme")]),
    # a lapsed title before a higher one (the acceptance check's enterprise A)
    ((cert(SRDI, D(2020, 11, 20), D(2023, 11, 19)), cert(NLG, D(2025, 3, 15), D(2028, 3, 14))),
     [(D(2020, 11, 20), "sme", SRDI), (D(2023, 11, 20), SRDI, "sme"), (D(2025, 3, 15), "sme", NLG),
      (D(2028, 3, 15), NLG, "sme")]),
    # a revocation demotes from its date to the title still held beneath
    ((cert(NLG, D(2024, 3, 1), D(2027, 2, 28), revoked=D(2025, 6, 1)), cert(SRDI, D(2023, 1, 1), D(2025, 12, 31))),
     [(D(2023, 1, 1), "sme", SRDI), (D(2024, 3, 1), SRDI, NLG), (D(2025, 6, 1), NLG, SRDI),
      (D(2026, 1, 1), SRDI, "sme")]),
])
def test_changes_are_read_off_the_record(certs, expected):
    certs = titles(*certs)
    assert [(c.on, c.from_tier, c.to_tier) for c in rules.changes(certs)] == expected
    assert rules.changes(tuple(reversed(certs))) == rules.changes(certs)  # the order held does not matter
    assert [c.is_promotion for c in rules.changes(certs)] == [rules.rank(c.to_tier) > rules.rank(c.from_tier)
                                                               for c in rules.changes(certs)]


def test_a_change_knows_a_promotion():
    assert Change(D(2025, 1, 1), "sme", SRDI).is_promotion and not Change(D(2025, 1, 1), SRDI, INNOV).is_promotion


def param(i, key, value, since=D(2022, 1, 1)):
    return Param(i, key, value, since, "test")


def dimension(name, measure, floor, weight, threshold):
    key = rules.DIMENSION_PREFIX + name
    return key, param(hash(name) % 1000, key, {"measure": measure, "floor": floor, "weight": weight,
                                               "threshold": threshold})


def params_of(*dims, pass_score=60):
    out = dict(dims)
    out[rules.PASS_KEY] = param(0, rules.PASS_KEY, pass_score)
    return out


ON = D(2025, 12, 31)


def srdi_park(n_srdi, n_other=0, on=D(2025, 3, 1)):
    members = {f"S{i}": (cert(SRDI, on),) for i in range(n_srdi)}
    members |= {f"O{i}": () for i in range(n_other)}
    return ParkFacts(frozenset(members), members, {})


@pytest.mark.parametrize("n, met", [(9, False), (10, True), (11, True)])
def test_count_at_its_threshold(n, met):
    result = rules.assess(srdi_park(n), ON, params_of(dimension("srdi_count", "count", "municipal_srdi", 30, 10)))
    dim = result["dimensions"][0]
    assert (dim["value"], dim["met"], dim["points"]) == (n, met, 30 if met else 0)
    assert dim["param"]["key"] == "parks.assessment.dimension.srdi_count"


@pytest.mark.parametrize("srdi, other, threshold, met", [
    (3, 7, 30, True),      # exactly 30 %
    (2, 8, 30, False),     # 20 %
    (1, 2, 33.33, True),   # 33.333… % ≥ 33.33
    (1, 2, 33.34, False),
    (1, 7, 12.5, True),    # 12.5 % exactly, no float drift
    (0, 0, 0, True),       # an empty park: 0 % reaches a zero threshold
    (0, 0, 1, False),
])
def test_share_at_its_threshold(srdi, other, threshold, met):
    result = rules.assess(srdi_park(srdi, other), ON,
                          params_of(dimension("share", "share_pct", "municipal_srdi", 20, threshold)))
    dim = result["dimensions"][0]
    assert dim["met"] is met
    assert (dim["numerator"], dim["denominator"]) == (srdi, srdi + other)


@pytest.mark.parametrize("promoted_on, counts", [
    (D(2024, 12, 31), False),  # already SRDI at the end of the previous year: not new
    (D(2025, 1, 1), True),
    (D(2025, 12, 31), True),
    (D(2026, 1, 1), False),    # after the assessment date
])
def test_new_at_the_year_edges(promoted_on, counts):
    facts = srdi_park(1, on=promoted_on)
    result = rules.assess(facts, ON, params_of(dimension("new_srdi", "new", "municipal_srdi", 20, 1)))
    assert result["dimensions"][0]["met"] is counts


def test_new_excludes_a_demotion_within_the_year_and_counts_a_renewal_after_a_lapse():
    lapsed_and_back = titles(cert(SRDI, D(2021, 3, 1), D(2024, 2, 29)), cert(SRDI, D(2025, 5, 1)))
    fell = titles(cert(SRDI, D(2025, 2, 1), revoked=D(2025, 9, 1)))
    certs = {"back": lapsed_and_back, "fell": fell}
    result = rules.assess(ParkFacts(frozenset(certs), certs, {}), ON,
                          params_of(dimension("new_srdi", "new", "municipal_srdi", 20, 1)))
    assert result["dimensions"][0]["enterprises"] == ["back"]


@pytest.mark.parametrize("entered, promoted_on, counts", [
    (D(2024, 5, 1), D(2025, 3, 1), True),   # incubated before, promoted in the year
    (D(2025, 3, 1), D(2025, 3, 1), True),   # promoted the day it entered
    (D(2025, 3, 2), D(2025, 3, 1), False),  # promoted before it entered: not the park's doing
    (D(2020, 1, 1), D(2024, 12, 31), False),  # promoted the year before
    (D(2020, 1, 1), D(2026, 1, 1), False),    # after the assessment date
])
def test_incubated_promoted_edges(entered, promoted_on, counts):
    certs = {"inc": (cert(SRDI, promoted_on),)}
    facts = ParkFacts(frozenset(certs), certs, {"inc": entered})
    result = rules.assess(facts, ON, params_of(dimension("inc", "incubated_promoted", "municipal_srdi", 15, 1)))
    assert result["dimensions"][0]["met"] is counts


def test_incubated_promotion_below_the_floor_does_not_count():
    certs = {"inc": (cert(INNOV, D(2025, 3, 1)),)}
    facts = ParkFacts(frozenset(certs), certs, {"inc": D(2024, 1, 1)})
    result = rules.assess(facts, ON, params_of(dimension("inc", "incubated_promoted", "municipal_srdi", 15, 1)))
    assert result["dimensions"][0]["value"] == 0


@pytest.mark.parametrize("n_srdi, pass_score, score, passed", [
    (9, 60, 20, False),    # count missed: 20 (share) of 50
    (10, 50, 50, True),    # both met: exactly the pass score
    (10, 51, 50, False),   # one point short
    (10, 49.5, 50, True),
])
def test_pass_score_edge(n_srdi, pass_score, score, passed):
    result = rules.assess(srdi_park(n_srdi), ON, params_of(
        dimension("srdi_count", "count", "municipal_srdi", 30, 10),
        dimension("srdi_share", "share_pct", "municipal_srdi", 20, 50), pass_score=pass_score))
    assert (result["score"], result["max_score"], result["passed"]) == (score, 50, passed)
    assert result["pass_param"]["value"] == pass_score


def test_no_dimensions_in_force_never_passes():
    assert rules.assess(srdi_park(3), ON, {})["passed"] is False


def test_the_seed_dimensions_explained():
    """The migration's defaults: 10 SRDI of 12 enterprises, 2 new this year, no giant, none incubated."""
    members = {f"S{i}": (cert(SRDI, D(2024, 3, 1) if i < 8 else D(2025, 4, 1)),) for i in range(10)}
    members |= {"A": (), "B": ()}
    dims = params_of(dimension("srdi_count", "count", "municipal_srdi", 30, 10),
                     dimension("srdi_share", "share_pct", "municipal_srdi", 20, 30),
                     dimension("new_srdi", "new", "municipal_srdi", 20, 3),
                     dimension("little_giants", "count", "national_little_giant", 15, 1),
                     dimension("incubated_promoted", "incubated_promoted", "municipal_srdi", 15, 1))
    result = rules.assess(ParkFacts(frozenset(members), members, {}), ON, dims)
    by = {d["dimension"]: d for d in result["dimensions"]}
    assert by["srdi_count"]["value"] == 10 and by["srdi_count"]["met"]
    assert by["srdi_share"]["value"] == 83.33 and by["srdi_share"]["met"]
    assert by["new_srdi"]["value"] == 2 and not by["new_srdi"]["met"]
    assert (result["score"], result["max_score"], result["passed"]) == (50, 100, False)
    assert result["period"] == {"from": "2025-01-01", "to": "2025-12-31"}


@pytest.mark.parametrize("key, value, ok", [
    ("parks.assessment.pass_score", 60, True),
    ("parks.assessment.pass_score", -1, False),
    ("parks.assessment.pass_score", "60", False),
    ("parks.assessment.pass_score", True, False),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "municipal_srdi", "weight": 1, "threshold": 0}, True),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "gold", "weight": 1, "threshold": 0}, False),
    ("parks.assessment.dimension.x", {"measure": "vibes", "floor": "sme", "weight": 1, "threshold": 0}, False),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "sme", "weight": 1}, False),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "sme", "weight": 1, "threshold": 1, "z": 1}, False),
    ("parks.assessment.dimension.x y", {"measure": "count", "floor": "sme", "weight": 1, "threshold": 1}, False),
    ("parks.assessment.dimension.x", [1], False),
    ("awards.tier.amount", 1, False),
    # bounds: a weight of 10^8 or a pass score of a million, an empty label, a label that turns the
    # text around (U+202E) or runs to 200,000 characters were all stored before
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "sme", "weight": 100, "threshold": 10**6,
                                      "label": "专精特新企业数量"}, True),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "sme", "weight": 10**8, "threshold": 1}, False),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "sme", "weight": 1, "threshold": 10**7}, False),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "sme", "weight": 1, "threshold": 1, "label": " "}, False),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "sme", "weight": 1, "threshold": 1,
                                      "label": "企业\u202e数量"}, False),
    ("parks.assessment.dimension.x", {"measure": "count", "floor": "sme", "weight": 1, "threshold": 1,
                                      "label": "长" * 51}, False),
    ("parks.assessment.pass_score", 60, True),
    ("parks.assessment.pass_score", 10**6, False),
])
def test_parameter_validation(key, value, ok):
    assert (parameters.parameter_error(key, value) is None) is ok


@pytest.mark.parametrize("a, b, overlap", [
    (Stay("u", D(2024, 1, 1), D(2024, 6, 30)), Stay("u", D(2024, 6, 30)), True),   # shares the last day
    (Stay("u", D(2024, 1, 1), D(2024, 6, 30)), Stay("u", D(2024, 7, 1)), False),
    (Stay("u", D(2024, 1, 1)), Stay("u", D(2030, 1, 1), D(2030, 2, 1)), True),      # open stay
    (Stay("u", D(2024, 3, 1), D(2024, 4, 1)), Stay("u", D(2024, 1, 1), D(2024, 2, 29)), False),
])
def test_stays_overlap(a, b, overlap):
    assert rules.overlaps(a, b) is overlap and rules.overlaps(b, a) is overlap


def test_incubation_summary():
    stays = [Stay("a", D(2023, 5, 1), D(2025, 2, 1)), Stay("b", D(2025, 6, 1)), Stay("c", D(2022, 1, 1), D(2024, 12, 31)),
             Stay("d", D(2026, 1, 1))]
    certs = {"a": (cert(SRDI, D(2025, 9, 1)),),                                   # after graduation: counts
             "b": titles(cert(INNOV, D(2025, 5, 31)),                               # before entry: no
                         cert(SRDI, D(2025, 7, 1), revoked=D(2025, 8, 1))),         # counts; its revocation does not
             "c": (cert(INNOV, D(2025, 1, 1)),)}                                    # graduated earlier, promoted later
    s = rules.incubation_summary(2025, stays, certs)
    assert (s["incubating"], s["entered"], s["graduated"]) == (2, 1, 1)
    assert s["promoted_enterprises"] == 3
    assert [(p["uscc"], p["on"]) for p in s["promotions"]] == [("c", "2025-01-01"), ("b", "2025-07-01"),
                                                                ("a", "2025-09-01")]


def test_policy_validator():
    ok = {"measure": "count", "floor": "municipal_srdi", "weight": 1, "threshold": 0, "label": "x"}
    assert parameters.validate_policy_value("parks.assessment.dimension.x", ok) is None
    zh, en = parameters.validate_policy_value("parks.assessment.dimension.x", {**ok, "measure": "vibes"})
    assert en.startswith("measure must be one of") and zh.startswith("参数无效")
    assert parameters.validate_policy_value("parks.assessment.pass_score", 60) is None


@pytest.mark.parametrize("on, expected", [
    ("2021-12-31", None),             # before the first entry: not the park's
    ("2022-01-01", "2022-01-01"),     # the day of entry
    ("2022-06-30", "2022-01-01"),     # during the first stay
    ("2023-01-15", "2022-01-01"),     # after graduation, before coming back: the earlier stay
    ("2023-06-01", "2023-06-01"),     # during the second stay
    ("2030-01-01", "2023-06-01"),     # open stay runs on
])
def test_crediting_stay(on, expected):
    stays = [rules.Stay("U", dt.date(2023, 6, 1)), rules.Stay("U", dt.date(2022, 1, 1), dt.date(2022, 12, 31))]
    st = rules.crediting_stay(stays, dt.date.fromisoformat(on))
    assert (st.entered_on.isoformat() if st else None) == expected


@pytest.mark.parametrize("n, met", [(9, False), (10, True), (11, True)])
def test_services_at_its_threshold(n, met):
    facts = ParkFacts(frozenset(), {}, {}, tuple((f"E{i % 3}", D(2025, 4, 1)) for i in range(n)))
    result = rules.assess(facts, ON, params_of(dimension("services", "services", "sme", 10, 10)))
    dim = result["dimensions"][0]
    assert (dim["value"], dim["met"], dim["points"], dim["records"]) == (n, met, 10 if met else 0, n)
    assert dim["enterprises"] == sorted({f"E{i % 3}" for i in range(n)})


@pytest.mark.parametrize("served_on, counts", [
    (D(2024, 12, 31), False),  # the previous year
    (D(2025, 1, 1), True),     # the first day of the period
    (D(2025, 6, 30), True),    # the assessment date itself
    (D(2025, 7, 1), False),    # after the assessment date
])
def test_services_period_edges(served_on, counts):
    facts = ParkFacts(frozenset(), {}, {}, (("E", served_on),))
    result = rules.assess(facts, D(2025, 6, 30), params_of(dimension("services", "services", "sme", 10, 1)))
    assert result["dimensions"][0]["met"] is counts


def test_services_count_only_enterprises_at_the_floor_on_the_day():
    certs = {"up": (cert(SRDI, D(2025, 5, 1)),)}
    served = (("up", D(2025, 4, 30)), ("up", D(2025, 5, 1)), ("never", D(2025, 6, 1)))
    facts = ParkFacts(frozenset(), certs, {}, served)
    result = rules.assess(facts, ON, params_of(dimension("services", "services", "municipal_srdi", 10, 1)))
    assert (result["dimensions"][0]["value"], result["dimensions"][0]["enterprises"]) == (1, ["up"])


def test_a_weightless_dimension_is_explained_but_scores_nothing():
    facts = ParkFacts(frozenset(), {}, {}, (("E", D(2025, 4, 1)),))
    result = rules.assess(facts, ON, params_of(dimension("services", "services", "sme", 0, 1), pass_score=0))
    assert (result["dimensions"][0]["met"], result["dimensions"][0]["points"], result["score"]) == (True, 0, 0)
    assert parameters.parameter_error(rules.DIMENSION_PREFIX + "services_delivered",
                                 {"measure": "services", "floor": "sme", "weight": 0, "threshold": 10}) is None
