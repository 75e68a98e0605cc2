"""Each number has one source: a shipped parameter set holds only the values where it differs from
the policy rows in force on its date (the migrations seed them); the rest is derived from the rows."""
import datetime as dt
import json

import pytest

from services.awards.main import SPEC
from services.awards.simulation.rules import derive
from services.awards.simulation.service import PARAMETER_SETS, SETS_DIR, parameter_set
from shared import params
from shared.db import Database
from shared.migrate import upgrade
from shared.params import Param


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = Database(f"sqlite:///{tmp_path_factory.mktemp('awards-sets')}/awards.db")
    upgrade(d.engine, "awards", SPEC.migrations, SPEC.metadata)
    yield d
    d.dispose()


@pytest.mark.parametrize("name", PARAMETER_SETS)
def test_a_set_holds_only_what_differs_from_the_policy_rows(db, name):
    doc = json.loads((SETS_DIR / f"{name}.json").read_text("utf-8"))
    with db.reader() as s:
        rows = params.in_force(s, dt.date.fromisoformat(doc["effective_from"]), "award.")
        derived = parameter_set(s, name)
    for key, row in doc["parameters"].items():
        assert key not in rows or rows[key].value != row["value"], f"{name}: {key} repeats the policy row"
        assert row["legal_ref"]
    assert {k for k in rows if k not in doc["parameters"]} <= set(derived)
    assert all(derived[k] == rows[k] for k in rows if k not in doc["parameters"])  # cited as the rows


def test_derive_overrides_and_takes_out():
    on = dt.date(2022, 1, 1)
    base = {"a": Param(1, "a", 1, on, "x"), "b": Param(2, "b", 2, on, "x"), "c": Param(3, "c", 3, on, "x")}
    doc = {"effective_from": "2025-04-28", "parameters": {"b": {"value": 20, "legal_ref": "y"},
                                                          "c": {"value": None, "legal_ref": "z"}}}
    got = derive(doc, base)
    assert list(got) == ["a", "b"] and got["a"] is base["a"]
    assert got["b"] == Param(0, "b", 20, dt.date(2025, 4, 28), "y")
