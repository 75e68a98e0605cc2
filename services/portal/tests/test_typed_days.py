"""The portal reads a typed day one way on every form (pages.common.iso_day / day_of): exactly
YYYY-MM-DD and a real day; what Python's fromisoformat would also take (20250418, a week date) is refused."""
import datetime as dt

import pytest

from services.portal.pages.common import day_of, iso_day


@pytest.mark.parametrize(("typed", "day"), [
    ("2025-04-18", dt.date(2025, 4, 18)),
    (" 2024-02-29 ", dt.date(2024, 2, 29)),
    ("2025-02-29", None),  # no such day
    ("20250418", None),
    ("2025-W16-5", None),
    ("2025/04/18", None),
    ("2025-4-18", None),
    ("", None),
    (None, None),
])
def test_a_typed_day(typed, day):
    assert iso_day(typed) == day


def test_day_of_says_what_is_wrong_and_leaves_an_empty_field_alone():
    assert day_of("2025-04-18") == ("2025-04-18", None)
    assert day_of("  ") == (None, None)
    day, error = day_of("20250418", "认定日期")
    assert day is None and error.startswith("认定日期格式应为 YYYY-MM-DD")
