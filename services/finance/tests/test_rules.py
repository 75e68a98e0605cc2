"""Table-driven tests of the finance service's pure rules."""
import datetime as dt
import random

import pytest

from services.finance import rules
from services.finance.rules import Case, Listing, RiskTerms, SubsidyTerms
from shared.contracts.registry import CertificationRecord
from shared.tiers import at_least, tier_on

D = dt.date
SRDI, MLG, NLG = "municipal_srdi", "municipal_little_giant", "national_little_giant"


TODAY = D(2026, 11, 24)
DEFAULT = [(D(2022, 1, 1), SRDI)]


def c(i, tier, recognized_on, expires_on=None, revoked_on=None):
    """A certification as the registry's record carries it (three years when no last day is given)."""
    last = expires_on or recognized_on.replace(year=recognized_on.year + 3) - dt.timedelta(days=1)
    return CertificationRecord(id=i, tier=tier, recognized_on=recognized_on, expires_on=last, revoked_on=revoked_on,
                               state="revoked" if revoked_on else "active")


UP = c(1, SRDI, D(2024, 3, 1))
UP2 = c(2, NLG, D(2025, 2, 1))
UP_GONE = c(1, SRDI, D(2024, 3, 1), revoked_on=D(2025, 9, 1))
UP2_GONE = c(2, NLG, D(2025, 2, 1), revoked_on=D(2025, 9, 1))
BACK = c(3, SRDI, D(2026, 1, 15))


def L(tier="sme", listed=False, since=None, removed_on=None, changed_on=None, reason=None):
    return Listing(tier, listed, since, removed_on, changed_on, reason)


@pytest.mark.parametrize("certs, expected", [
    ([], L()),
    ([UP], L(SRDI, True, D(2024, 3, 1), None, D(2024, 3, 1))),
    ([UP, UP2], L(NLG, True, D(2024, 3, 1), None, D(2025, 2, 1))),        # rising within the list keeps `since`
    ([UP_GONE, UP2_GONE], L("sme", False, D(2024, 3, 1), D(2025, 9, 1), D(2025, 9, 1), "revoked")),
    ([UP_GONE, UP2_GONE, BACK], L(SRDI, True, D(2026, 1, 15), None, D(2026, 1, 15))),  # back: a new period
    ([c(1, "innovative", D(2024, 3, 1))], L("innovative")),
    ([c(1, "potential", D(2024, 3, 1))], L("potential")),
    # the little giant title is revoked, the SRDI title still holds: stays, the tier falls back
    ([UP, UP2_GONE], L(SRDI, True, D(2024, 3, 1), None, D(2025, 9, 1))),
    # a lapsed title: off the list the day after its last valid day, without any sweep
    ([c(1, SRDI, D(2022, 3, 1))], L("sme", False, D(2022, 3, 1), D(2025, 3, 1), D(2025, 3, 1), "lapsed")),
    # a renewal recognised before the old title's last day: one period, no gap
    ([c(1, SRDI, D(2022, 3, 1)), c(2, SRDI, D(2025, 2, 1))], L(SRDI, True, D(2022, 3, 1), None, D(2022, 3, 1))),
    # recognised before the threshold's first row: the first row applies (a 2021 title still counts)
    ([c(1, SRDI, D(2021, 5, 1), D(2024, 4, 30)), c(2, MLG, D(2024, 9, 1))],
     L(MLG, True, D(2024, 9, 1), None, D(2024, 9, 1))),
    # the back-dated lower title after a higher one: the higher one still rules
    ([c(1, NLG, D(2024, 5, 1)), c(2, SRDI, D(2023, 1, 1))], L(NLG, True, D(2023, 1, 1), None, D(2024, 5, 1))),
])
def test_listing_on(certs, expected):
    assert rules.listing_on(certs, DEFAULT, TODAY) == expected
    assert rules.listing_on(certs[::-1], DEFAULT, TODAY) == expected  # the order of the certifications is no fact


@pytest.mark.parametrize("certs, departed, expected", [
    # moved out while listed: off the list from that day, with the reason; its titles stay
    ([UP], ("moved_out", D(2026, 10, 31)), Listing(SRDI, False, D(2024, 3, 1), D(2026, 10, 31), D(2026, 10, 31),
                                                  "moved_out")),
    ([UP, UP2], ("closed", D(2025, 6, 1)), Listing(NLG, False, D(2024, 3, 1), D(2025, 6, 1), D(2025, 6, 1), "closed")),
    # a departure dated after the day asked changes nothing yet
    ([UP], ("closed", D(2026, 12, 1)), L(SRDI, True, D(2024, 3, 1), None, D(2024, 3, 1))),
    # off the list already (revoked) before it left: the removal is the revocation's
    ([UP_GONE], ("moved_out", D(2026, 1, 1)), L("sme", False, D(2024, 3, 1), D(2025, 9, 1), D(2025, 9, 1),
                                                "revoked")),
    # a voided title never counted: never on the list
    ([UP.model_copy(update={"state": "voided"})], None, L()),
])
def test_listing_of_a_departed_enterprise(certs, departed, expected):
    assert rules.listing_on(certs, DEFAULT, TODAY, departed) == expected


@pytest.mark.parametrize("certs, tier, since", [
    # the acceptance scenario (titles-out-of-order): a lapsed SRDI title, then a national little giant
    ([c(1, SRDI, D(2020, 11, 20)), c(2, NLG, D(2025, 3, 15))], NLG, D(2025, 3, 15)),
    # a little giant, then a back-dated innovative title
    ([c(1, MLG, D(2024, 6, 1)), c(2, "innovative", D(2023, 2, 1))], MLG, D(2024, 6, 1)),
])
def test_titles_out_of_order(certs, tier, since):
    got = rules.listing_on(certs, DEFAULT, TODAY)
    assert (got.tier, got.listed, got.since, got.removed_on) == (tier, True, since, None)


def test_a_day_is_judged_as_it_was():
    certs = [c(1, SRDI, D(2022, 3, 1))]  # last valid day 2025-02-28
    assert rules.listing_on(certs, DEFAULT, D(2025, 2, 28)) == L(SRDI, True, D(2022, 3, 1), None, D(2022, 3, 1))
    assert rules.listing_on(certs, DEFAULT, D(2025, 3, 1)) == L("sme", False, D(2022, 3, 1), D(2025, 3, 1),
                                                                D(2025, 3, 1), "lapsed")
    assert rules.listing_on(certs, DEFAULT, D(2022, 2, 28)) == L()  # not yet


@pytest.mark.parametrize("history, on, value", [
    ([(D(2022, 1, 1), SRDI)], D(2021, 6, 1), SRDI),    # before the first row, the first row applies
    ([(D(2022, 1, 1), SRDI)], D(2022, 1, 1), SRDI),
    ([(D(2022, 1, 1), SRDI), (D(2027, 1, 1), MLG)], D(2026, 12, 31), SRDI),
    ([(D(2022, 1, 1), SRDI), (D(2027, 1, 1), MLG)], D(2027, 1, 1), MLG),
])
def test_value_on(history, on, value):
    assert rules.value_on(history, on) == value


def test_value_on_needs_a_row():
    with pytest.raises(LookupError):
        rules.value_on([], D(2024, 1, 1))


RAISED = [(D(2022, 1, 1), SRDI), (D(2026, 7, 1), MLG)]
LOWERED = [(D(2022, 1, 1), SRDI), (D(2026, 7, 1), "innovative")]


@pytest.mark.parametrize("certs, history, on, expected", [
    # raised: off the list from the change's date
    ([UP], RAISED, TODAY, L(SRDI, False, D(2024, 3, 1), D(2026, 7, 1), D(2026, 7, 1), "threshold")),
    ([UP], RAISED, D(2026, 6, 30), L(SRDI, True, D(2024, 3, 1), None, D(2024, 3, 1))),  # not in force yet
    ([UP, UP2], RAISED, TODAY, L(NLG, True, D(2024, 3, 1), None, D(2025, 2, 1))),       # a little giant stays
    # raised before a later little-giant title: the SRDI period ends, the little giant starts a new one
    ([UP, c(2, NLG, D(2026, 9, 1))], RAISED, TODAY, L(NLG, True, D(2026, 9, 1), None, D(2026, 9, 1))),
    # a title after the change is judged by the new threshold
    ([c(1, SRDI, D(2026, 8, 1))], RAISED, TODAY, L(SRDI)),
    # lowered: an innovative SME joins from the change's date
    ([c(1, "innovative", D(2024, 3, 1))], LOWERED, TODAY,
     L("innovative", True, D(2026, 7, 1), None, D(2026, 7, 1))),
    ([c(1, "innovative", D(2026, 8, 1))], LOWERED, TODAY, L("innovative", True, D(2026, 8, 1), None, D(2026, 8, 1))),
])
def test_threshold_changes(certs, history, on, expected):
    assert rules.listing_on(certs, history, on) == expected


def test_listed_exactly_when_the_tier_reaches_the_threshold_in_force():
    """Random records and threshold histories: on every day the entry is listed exactly when the
    tier that day reaches the threshold that day, `since` opens the period and `removed_on` closes it."""
    rng = random.Random(13)
    tiers = ["innovative", "potential", SRDI, MLG, NLG]
    for _ in range(200):
        certs = []
        for i in range(rng.randint(0, 4)):
            start = D(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
            revoked = start + dt.timedelta(days=rng.randint(1, 900)) if rng.random() < 0.3 else None
            certs.append(c(i + 1, rng.choice(tiers), start, revoked_on=revoked))
        history = sorted({(D(2022, 1, 1), SRDI)} | {(D(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2500)),
                                                      rng.choice(tiers)) for _ in range(rng.randint(0, 2))})
        for _ in range(10):
            on = D(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2600))
            got = rules.listing_on(certs, history, on)
            assert got.tier == tier_on(certs, on)
            assert got.listed == at_least(got.tier, rules.value_on(history, on))
            if got.since:
                day_before = got.since - dt.timedelta(days=1)
                assert rules.listing_on(certs, history, got.since).listed
                assert not rules.listing_on(certs, history, day_before).listed
            if got.removed_on:
                assert not got.listed and got.removed_on <= on
                assert got.removed_reason in ("revoked", "lapsed", "threshold")  # why it left is always said
                assert rules.listing_on(certs, history, got.removed_on - dt.timedelta(days=1)).listed


def test_peak_rank():
    assert rules.peak_rank([]) == 0
    assert rules.peak_rank([UP_GONE, c(2, "innovative", D(2025, 1, 1))]) == rules.peak_rank([UP])


# -- the first loan, across every bank's cases -------------------------------------------------------

A_DRAWN = Case(1, D(2025, 7, 15), False, False)
B_DRAWN_LATER = Case(2, D(2025, 8, 1), False, False)
B_DRAWN_EARLIER = Case(2, D(2025, 7, 1), False, False)
APPLIED = Case(3, None, False, False)


@pytest.mark.parametrize("cases, first, reasons", [
    ([], None, {}),
    ([APPLIED], None, {3: "not-drawn"}),
    ([A_DRAWN], 1, {1: None}),
    # two banks' loans: the one drawn first is the first loan, whatever either bank declared
    ([A_DRAWN, B_DRAWN_LATER], 1, {1: None, 2: "another-first-loan"}),
    ([A_DRAWN, B_DRAWN_EARLIER], 2, {1: "another-first-loan", 2: None}),
    # drawn the same day: the case reported first
    ([Case(1, D(2025, 7, 15), False, False), Case(2, D(2025, 7, 15), False, False)], 1,
     {1: None, 2: "another-first-loan"}),
    # already subsidised as first: a case reported later, drawn earlier, does not become a second first loan
    ([Case(1, D(2025, 7, 15), False, True), B_DRAWN_EARLIER], 1, {1: None, 2: "another-first-loan"}),
    # the earliest case's bank reported an earlier bank loan: no case of the enterprise is first
    ([Case(1, D(2025, 7, 15), True, False), B_DRAWN_LATER], None, {1: "prior-loan-declared",
                                                                  2: "another-first-loan"}),
    # a later case's bank declaring (or not) changes nothing for the earliest one
    ([A_DRAWN, Case(2, D(2025, 8, 1), True, False)], 1, {1: None, 2: "prior-loan-declared"}),
    ([A_DRAWN, APPLIED], 1, {1: None, 3: "not-drawn"}),
])
def test_first_loan(cases, first, reasons):
    assert rules.first_loan(cases) == first
    assert rules.first_loan(cases[::-1]) == first
    for case_id, why in reasons.items():
        assert rules.first_loan_reason(cases, case_id) == why


def test_at_most_one_first_loan():
    rng = random.Random(4)
    for _ in range(300):
        cases = []
        for i in range(1, rng.randint(1, 6)):
            drawn = rng.choice([None, D(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 30))])
            cases.append(Case(i, drawn, rng.random() < 0.2, drawn is not None and rng.random() < 0.1))
        firsts = [x.id for x in cases if rules.first_loan_reason(cases, x.id) is None]
        assert len(firsts) <= 1 and firsts == ([rules.first_loan(cases)] if rules.first_loan(cases) else [])


TERMS = SubsidyTerms(rate_bp=2000, cap_bp=100, certified_rate_bp=4000, certified_cap_bp=200,
                     certified_min_tier=SRDI, max_loan_yuan=20_000_000)


@pytest.mark.parametrize("interest, drawn, tier, first, amount, reason", [
    (100_000, 10_000_000, "sme", True, 20_000, None),            # 20 % of interest, under the 1 % cap
    (600_000, 10_000_000, "sme", True, 100_000, None),           # 120,000 capped at 1 % of 10,000,000
    (100_000, 10_000_000, "innovative", True, 20_000, None),     # below the certified tier
    (100_000, 10_000_000, SRDI, True, 40_000, None),             # certified: 40 %
    (600_000, 10_000_000, NLG, True, 200_000, None),             # 240,000 capped at 2 %
    (12_347, 10_000_000, "sme", True, 2_469, None),              # 2,469.4 rounds down
    (12_347, 10_000_000, SRDI, True, 4_938, None),               # 4,938.8 rounds down
    (500_000, 1_234_567, "sme", True, 12_345, None),             # cap 12,345.67 rounds down
    (0, 1_000_000, SRDI, True, 0, None),
    (100_000, 10_000_000, SRDI, False, 0, "not-first-loan"),
    (100_000, 20_000_000, SRDI, True, 40_000, None),             # exactly at the maximum loan
    (100_000, 20_000_001, SRDI, True, 0, "loan-above-maximum"),
])
def test_first_loan_subsidy(interest, drawn, tier, first, amount, reason):
    """A whole first year's interest paid in one record, the tier constant all year."""
    drawn_on = D(2025, 7, 15)
    pay = rules.InterestPayment(D(2026, 7, 14), drawn_on, D(2026, 7, 14), interest)
    cert = rules.certified_intervals([(D(2020, 1, 1), tier)], SRDI)
    got = rules.subsidy_schedule(drawn_on, drawn, first, [pay], cert, TERMS)
    assert (got["total_yuan"], got["reason"], got["eligible"]) == (amount, reason, reason is None)
    assert isinstance(got["total_yuan"], int)
    assert [q["quarter"] for q in got["quarters"]] == ["2026Q3"]


RISK = RiskTerms(guarantor_share_bp=8000, bank_share_min_bp=2000, compensation_bp=3000, srdi_compensation_bp=4000,
                 srdi_min_tier=SRDI)


@pytest.mark.parametrize("outstanding, guaranteed, tier, bank, guarantor, comp, comp_bank", [
    (1_000_000, True, "sme", 200_000, 800_000, 300_000, 60_000),
    (1_000_000, True, SRDI, 200_000, 800_000, 400_000, 80_000),
    (1_000_000, True, NLG, 200_000, 800_000, 400_000, 80_000),   # little giants: 40 % too
    (1_000_000, False, SRDI, 1_000_000, 0, 400_000, 400_000),    # no guarantee: the bank bears it all
    (1_000_000, False, "innovative", 1_000_000, 0, 300_000, 300_000),
    (999_999, True, "sme", 200_000, 799_999, 299_999, 60_000),   # guarantor's 799,999.2 rounds down
    (0, True, SRDI, 0, 0, 0, 0),
])
def test_npl_split(outstanding, guaranteed, tier, bank, guarantor, comp, comp_bank):
    got = rules.npl_split(outstanding, guaranteed, tier, RISK)
    assert (got.bank_yuan, got.guarantor_yuan, got.compensation_yuan) == (bank, guarantor, comp)
    assert got.compensation_to_bank_yuan == comp_bank
    assert got.bank_yuan + got.guarantor_yuan == outstanding
    assert got.compensation_to_bank_yuan + got.compensation_to_guarantor_yuan == comp
    assert got.bank_yuan * rules.BP >= outstanding * RISK.bank_share_min_bp


def test_npl_split_refuses_terms_that_leave_the_bank_too_little():
    with pytest.raises(ValueError):
        rules.npl_split(1_000, True, "sme", RiskTerms(8500, 2000, 3000, 4000, SRDI))
    with pytest.raises(ValueError):
        rules.npl_split(-1, True, "sme", RISK)


@pytest.mark.parametrize("certs, history, removed_on, reason", [
    # revoked the day it left; lapsed the day after its last valid day; the threshold rose over it
    ([UP_GONE], DEFAULT, D(2025, 9, 1), "revoked"),
    ([c(1, SRDI, D(2022, 3, 1))], DEFAULT, D(2025, 3, 1), "lapsed"),
    ([UP], RAISED, D(2026, 7, 1), "threshold"),
    # a little giant revoked the day its SRDI title lapsed: the revocation is said
    ([c(1, SRDI, D(2022, 3, 1)), c(2, MLG, D(2023, 1, 1), revoked_on=D(2025, 3, 1))], DEFAULT, D(2025, 3, 1),
     "revoked"),
])
def test_why_it_left_the_list(certs, history, removed_on, reason):
    got = rules.listing_on(certs, history, TODAY)
    assert (got.removed_on, got.removed_reason) == (removed_on, reason)
    assert reason in rules.REMOVAL_REASONS


VOIDED = c(1, SRDI, D(2025, 6, 1)).model_copy(update={"state": "voided"})
REVOKED_FROM_START = c(1, SRDI, D(2025, 6, 1), revoked_on=D(2025, 6, 1))
BACK_DATED_RAISE = [(D(2022, 1, 1), SRDI), (D(2025, 1, 1), MLG)]


@pytest.mark.parametrize("certs, history, departed, reason", [
    ([VOIDED], DEFAULT, None, "voided"),                         # 作废: entered by mistake
    ([REVOKED_FROM_START], DEFAULT, None, "revoked"),             # 撤销 back to its first day: a sanction
    ([VOIDED, c(2, MLG, D(2025, 7, 1), revoked_on=D(2025, 7, 1))], DEFAULT, None, "revoked"),
    # an innovative title revoked from its start could never list it: the void is why
    ([VOIDED, c(2, "innovative", D(2024, 1, 1), revoked_on=D(2024, 1, 1))], DEFAULT, None, "voided"),
    ([c(1, SRDI, D(2025, 6, 1))], BACK_DATED_RAISE, None, "threshold"),  # a threshold dated back over it
    ([c(1, SRDI, D(2025, 6, 1))], DEFAULT, ("moved_out", D(2025, 5, 1)), "moved_out"),  # left before it
    ([VOIDED], DEFAULT, ("closed", D(2025, 5, 1)), "voided"),    # no title would have listed it anyway
])
def test_why_an_enterprise_never_on_the_list_by_its_record_was_withdrawn(certs, history, departed, reason):
    """A bank told an enterprise was listed hears why, by the corrected record, it never was: a
    revocation effective from the title's first day is said as revoked, not as a clerk's void."""
    assert rules.listing_on(certs, history, TODAY, departed).since is None
    assert rules.withdrawal_reason(certs, history, TODAY, departed) == reason
    assert reason in rules.REMOVAL_REASONS
