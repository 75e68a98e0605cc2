"""Payables' pure rules: an award's state moves a payable only forward; keys name payables of the two
programmes only."""
import pytest

from services.finance.payables.rules import key, moved, payable_of


@pytest.mark.parametrize("current, award_state, expected", [
    ("requested", "computed", None), ("requested", "reviewed", None),       # what it was created as
    ("requested", "approved", "approved"), ("approved", "disbursed", "paid"),
    ("requested", "disbursed", "paid"),                                      # an event missed in between
    ("approved", "reviewed", None), ("paid", "approved", None),              # an older event, redelivered late
    ("requested", "rejected", "refused"), ("approved", "withheld", "refused"), ("approved", "withdrawn", "refused"),
    ("paid", "clawed_back", "clawed_back"), ("refused", "approved", None), ("refused", "clawed_back", None),
    ("paid", "rejected", None), ("requested", "settled_outside", None), ("requested", "nonsense", None),
])
def test_a_payable_moves_only_forward(current, award_state, expected):
    assert moved(current, award_state) == expected


def test_an_awards_key_names_its_payable():
    assert payable_of(key("first_loan_subsidy", 31)) == 31 and payable_of("npl_compensation:7") == 7
    for other in ("tier:91110111MA01R2XJ3P:municipal_srdi", "listing:1", "first_loan_subsidy:x", "", None):
        assert payable_of(other) is None
