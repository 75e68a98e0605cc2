"""The shipped parameter sets as the what-if derives them: the policy rows a fresh migration seeds,
with each set's own values (services/awards/parameter_sets/)."""
import functools
import tempfile

from services.awards.main import SPEC
from services.awards.simulation.service import PARAMETER_SETS, parameter_set
from shared.db import Database
from shared.migrate import upgrade
from shared.params import Param


@functools.cache
def shipped() -> dict[str, dict[str, Param]]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/awards.db")
        upgrade(db.engine, "awards", SPEC.migrations, SPEC.metadata)
        with db.reader() as s:
            out = {name: parameter_set(s, name) for name in PARAMETER_SETS}
        db.dispose()
    return out
