"""The sync view asked for one tier (`?changed_since=&tier=`, as the portal and the export offer it):
a bank keeping a copy of one tier of the list hears of every enterprise that left that tier — voided,
revoked, or fallen to another tier — not only of those at the tier now. Through the registry's API
and the real bus."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from services.finance import rules
from services.finance.tests.helpers import all_items, cert, certify, register, revoke, wait_entry
from shared.clock import today
from shared.tiers import rank

D = dt.date
SRDI, GIANT, NLG = "municipal_srdi", "municipal_little_giant", "national_little_giant"
THRESHOLD = [(D(2022, 1, 1), SRDI)]
ON = D(2026, 11, 24)


def voided(c):
    return c.model_copy(update={"state": "voided"})


@pytest.mark.parametrize("certs, expected", [
    ([cert(1, SRDI, D(2024, 3, 1))], {SRDI}),
    # rose within the period: a copy of either tier may hold it
    ([cert(1, SRDI, D(2024, 3, 1)), cert(2, NLG, D(2025, 2, 1))], {SRDI, NLG}),
    # left (both revoked): the tiers it held up to the day before it left
    ([cert(1, SRDI, D(2024, 3, 1), revoked_on=D(2025, 9, 1)), cert(2, NLG, D(2025, 2, 1), revoked_on=D(2025, 9, 1))],
     {SRDI, NLG}),
    # an earlier period is not the current one: only the current period's tiers
    ([cert(1, SRDI, D(2020, 1, 1)), cert(2, GIANT, D(2025, 6, 1))], {GIANT}),
    # withdrawn: never on the list by the record (its only title voided, or revoked from its first day)
    ([voided(cert(1, SRDI, D(2025, 6, 1)))], {SRDI}),
    ([cert(1, "innovative", D(2024, 1, 1)), voided(cert(2, GIANT, D(2025, 6, 1)))], {GIANT}),
    ([cert(1, NLG, D(2025, 6, 1), revoked_on=D(2025, 6, 1))], {NLG}),
])
def test_the_tiers_a_copy_of_one_tier_may_hold(certs, expected):
    listing = rules.listing_on(certs, THRESHOLD, ON)
    assert rules.tiers_listed(certs, listing, ON, rank(SRDI)) == expected


async def void(suite, cert_id: int) -> None:
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert_id}/void",
                                            json={"reason": "误将培育库企业录为北京市专精特新"})
    assert r.status_code == 200, r.text


async def copy(bank, tier: str, **params) -> dict[str, dict]:
    return {i["uscc"]: i for i in await all_items(bank, tier=tier, **params)}


async def test_a_bank_syncing_one_tier_hears_every_removal_from_it(suite):
    bank = suite.client("finance", role="bank", org="B1")
    voided = await register(suite)
    voided_cert = await certify(suite, voided, SRDI, "2025-06-01")
    revoked = await register(suite)
    revoked_cert = await certify(suite, revoked, SRDI, "2025-06-01")
    fallen = await register(suite)
    await certify(suite, fallen, SRDI, "2025-03-01")
    giant_cert = await certify(suite, fallen, GIANT, "2025-06-01")
    stays = await register(suite)
    await certify(suite, stays, SRDI, "2025-06-01")
    for uscc in (voided, revoked, stays):
        await wait_entry(suite, uscc, "listed", listed=True, tier=SRDI)
    await wait_entry(suite, fallen, "listed as a little giant", listed=True, tier=GIANT)
    # the bank's copies, one per tier, as of today
    synced_on = today().isoformat()
    assert {voided, revoked, stays} <= set(await copy(bank, SRDI)) and fallen not in await copy(bank, SRDI)
    assert fallen in await copy(bank, GIANT)

    await void(suite, voided_cert)
    await revoke(suite, revoked_cert, "2025-10-01")
    await revoke(suite, giant_cert, "2025-09-01", for_cause=False)
    await wait_entry(suite, fallen, "back to SRDI", listed=True, tier=SRDI)
    await suite.settled()

    srdi = await copy(bank, SRDI, changed_since=synced_on)
    assert (srdi[voided]["listed"], srdi[voided]["since"], srdi[voided]["removed_reason"]) == (False, None, "voided")
    assert (srdi[revoked]["listed"], srdi[revoked]["removed_on"], srdi[revoked]["removed_reason"]) == (
        False, "2025-10-01", "revoked")
    assert (srdi[fallen]["listed"], srdi[fallen]["tier"]) == (True, SRDI)  # joined this tier's copy
    assert srdi[stays]["listed"] is True and stays not in await copy(bank, GIANT, changed_since=synced_on)
    giant = await copy(bank, GIANT, changed_since=synced_on)
    # left the little giants' copy: on the list at another tier now, which the bank's copy must learn
    assert (giant[fallen]["listed"], giant[fallen]["tier"]) == (True, SRDI)
    assert voided not in giant and revoked not in giant  # never little giants
    # the export of the sync view is the same selection
    r = await bank.get("/api/v1/service-list/export.xlsx", params={"tier": SRDI, "changed_since": synced_on})
    assert r.status_code == 200, r.text
    rows = {row[0]: row for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True)}
    assert (rows[voided][5], rows[voided][7]) == ("否", "voided") and (rows[revoked][5], rows[revoked][7]) == ("否", "revoked")
    # the plain list by tier is unchanged: only what is at that tier now
    assert set(await copy(bank, SRDI)) >= {fallen, stays} and not {voided, revoked} & set(await copy(bank, SRDI))
    assert fallen not in await copy(bank, GIANT)
    # a later day's sync (nothing changed since) holds none of them
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    assert not {voided, revoked, fallen} & set(await copy(bank, SRDI, changed_since=tomorrow))
