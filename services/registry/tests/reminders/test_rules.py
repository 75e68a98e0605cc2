"""The validity reminder rule as a table of cases: which reminders fall due on a day."""
import datetime as dt
from dataclasses import dataclass

import pytest

from services.registry.reminders import rules

D = dt.date
S = rules.Settings(lapse_months=3, update_months=1, deadline="04-30", update_floor="municipal_srdi")


@dataclass(frozen=True)
class C:
    id: int
    tier: str
    recognized_on: dt.date
    expires_on: dt.date
    state: str = "active"
    revoked_on: dt.date | None = None


SRDI = C(1, "municipal_srdi", D(2024, 3, 1), D(2027, 2, 28))
ON = D(2026, 12, 3)  # title-lapse window: last valid day within 2026-12-03 .. 2027-03-03

LAPSE = [
    ("lapses within 3 months", [SRDI], ON, {"title_lapse:1"}),
    ("last valid day on the window's far edge", [C(1, "municipal_srdi", D(2024, 3, 4), D(2027, 3, 3))], ON,
     {"title_lapse:1"}),
    ("a day beyond the window", [C(1, "municipal_srdi", D(2024, 3, 5), D(2027, 3, 4))], ON, set()),
    ("its last valid day is today", [C(1, "innovative", D(2023, 12, 4), D(2026, 12, 3))], ON, {"title_lapse:1"}),
    ("lapsed yesterday", [C(1, "innovative", D(2023, 12, 3), D(2026, 12, 2))], ON, set()),
    ("revoked", [C(1, "municipal_srdi", D(2024, 3, 1), D(2027, 2, 28), "revoked", D(2025, 1, 1))], ON, set()),
    ("revoked, dated later", [C(1, "municipal_srdi", D(2024, 3, 1), D(2027, 2, 28), "revoked", D(2027, 1, 1))], ON,
     set()),
    ("voided (entered by mistake)", [C(1, "municipal_srdi", D(2024, 3, 1), D(2027, 2, 28), "voided")], ON, set()),
    ("the 培育库 entry is not a title", [C(1, "potential", D(2026, 1, 10), D(2027, 1, 9))], ON, set()),
    ("renewed (复核) at the same tier", [SRDI, C(2, "municipal_srdi", D(2026, 11, 1), D(2029, 10, 31))], ON, set()),
    ("superseded by a higher title recognised later",
     [C(1, "innovative", D(2024, 1, 15), D(2027, 1, 14)), C(2, "municipal_srdi", D(2025, 5, 1), D(2028, 4, 30))],
     ON, set()),
    ("a higher title recognised earlier does not renew it",
     [C(2, "municipal_srdi", D(2023, 6, 1), D(2026, 5, 31), "expired"), C(1, "innovative", D(2024, 2, 1), D(2027, 1, 31))],
     ON, {"title_lapse:1"}),
    ("a newer lower title does not renew it", [SRDI, C(2, "innovative", D(2026, 6, 1), D(2029, 5, 31))], ON,
     {"title_lapse:1"}),
    ("a revoked renewal does not count",
     [SRDI, C(2, "municipal_srdi", D(2026, 11, 1), D(2029, 10, 31), "revoked", D(2026, 11, 20))], ON,
     {"title_lapse:1"}),
    ("a voided renewal does not count", [SRDI, C(2, "municipal_srdi", D(2026, 11, 1), D(2029, 10, 31), "voided")],
     ON, {"title_lapse:1"}),
    ("two titles lapsing: one reminder each",
     [SRDI, C(2, "innovative", D(2024, 4, 2), D(2027, 3, 1))], ON, {"title_lapse:1", "title_lapse:2"}),
]

UPDATE_TITLE = C(7, "municipal_srdi", D(2025, 6, 1), D(2028, 5, 31))
UPDATE = [
    ("a month before the deadline", [UPDATE_TITLE], D(2027, 3, 30), {"annual_update:2027"}),
    ("a day before the window", [UPDATE_TITLE], D(2027, 3, 29), set()),
    ("on the deadline", [UPDATE_TITLE], D(2027, 4, 30), {"annual_update:2027"}),
    ("past the deadline", [UPDATE_TITLE], D(2027, 5, 1), set()),
    ("an innovative SME is not reminded", [C(7, "innovative", D(2025, 6, 1), D(2028, 5, 31))], D(2027, 4, 10), set()),
    ("a national little giant is", [C(7, "national_little_giant", D(2025, 6, 1), D(2028, 5, 31))], D(2027, 4, 10),
     {"annual_update:2027"}),
    ("a title lapsing before the deadline owes no update", [C(7, "municipal_srdi", D(2024, 4, 21), D(2027, 4, 20))],
     D(2027, 4, 10), {"title_lapse:7"}),
    ("a revoked title owes nothing", [C(7, "municipal_srdi", D(2025, 6, 1), D(2028, 5, 31), "revoked", D(2026, 1, 1))],
     D(2027, 4, 10), set()),
]


@pytest.mark.parametrize("case, certs, on, cycles", LAPSE + UPDATE, ids=[c[0] for c in LAPSE + UPDATE])
def test_reminders_due(case, certs, on, cycles):
    due = rules.due([rules.Holder("U1", "企业", tuple(certs))], on, S)
    assert {d.cycle for d in due} == cycles


def test_what_a_reminder_says():
    [lapse] = rules.due([rules.Holder("U1", "燕山精工", (SRDI,))], ON, S)
    assert (lapse.kind, lapse.due_on, lapse.tier, lapse.certification_id) == ("title_lapse", D(2027, 2, 28),
                                                                              "municipal_srdi", 1)
    both = [UPDATE_TITLE, C(8, "national_little_giant", D(2026, 1, 5), D(2029, 1, 4))]
    [update] = rules.due([rules.Holder("U1", "燕山精工", tuple(both))], D(2027, 4, 1), S)
    assert (update.kind, update.due_on, update.tier, update.certification_id) == (
        "annual_update", D(2027, 4, 30), "national_little_giant", None)  # the highest title owing it


def test_filed_updates_moved_out_enterprises_and_longer_windows():
    on = D(2027, 4, 10)
    assert rules.due([rules.Holder("U1", "x", (UPDATE_TITLE,), filed=frozenset({2027}))], on, S) == []
    assert [d.cycle for d in rules.due([rules.Holder("U1", "x", (UPDATE_TITLE,), filed=frozenset({2026}))], on, S)] \
        == ["annual_update:2027"]
    for status in ("moved_out", "closed"):
        assert rules.due([rules.Holder("U1", "x", (SRDI, UPDATE_TITLE), status=status)], D(2027, 4, 10), S) == []
    # A window longer than the months left in the year reaches next year's deadline.
    assert rules.deadlines(D(2026, 12, 3), "04-30", 5) == [(2027, D(2027, 4, 30))]
    assert rules.deadlines(D(2026, 12, 3), "04-30", 1) == []
